"""The contract of the knowledge base's search port: what every backend must do for customers and agents.

The fixtures are a demo bank's help articles in English and Estonian. Where a test is about stemming or typos,
the articles deliberately do not contain the query's word forms, so only the behaviour under test can find them.
"""

from __future__ import annotations

import html
import re

import pytest
import Stemmer

from shared.domain.knowledge import IndexedPhrasing, SearchDocument, SearchHit, SearchIndex, SearchSuggestion

STEMMERS = {"en": Stemmer.Stemmer("english"), "et": Stemmer.Stemmer("estonian")}
MARKED = re.compile(r"<mark>(.*?)</mark>", re.DOTALL)
SNIPPET_MAX_CHARS = 300


def en(article_id: str, title: str, short_answer: str, body: str, phrasings: tuple[str, ...] = ()) -> SearchDocument:
    return SearchDocument(
        article_id=article_id,
        locale="en",
        title=title,
        short_answer=short_answer,
        body=body,
        phrasings=list(phrasings),
    )


def et(article_id: str, title: str, short_answer: str, body: str, phrasings: tuple[str, ...] = ()) -> SearchDocument:
    return SearchDocument(
        article_id=article_id,
        locale="et",
        title=title,
        short_answer=short_answer,
        body=body,
        phrasings=list(phrasings),
    )


BANK = [
    en(
        "password-reset",
        "Resetting your password",
        "Choose Forgot password on the login page and follow the link we email you.",
        "If you have forgotten your password, choose **Forgot password** on the login page. We email you a reset "
        "link that works for 30 minutes. For your safety we never ask for your password by phone.",
        ("I forgot my password", "can't log in to the internet bank"),
    ),
    en(
        "card-lost",
        "Blocking a lost or stolen card",
        "Block the card at once in the app or call +372 600 0000, any time of day.",
        "If your card is lost or stolen, block it straight away in the mobile app under **Cards → Block card**, "
        "or call us on +372 600 0000 at any time. A blocked card cannot be unblocked; we send you a new one "
        "free of charge.",
        ("someone stole my wallet",),
    ),
    en(
        "change-address",
        "Changing your address",
        "Update your address in the app under Profile → Personal details.",
        "Moving house? Update your postal address in the app under **Profile → Personal details**. Letters are "
        "sent to the new address from the next working day.",
        ("I moved house",),
    ),
    en(
        "transfer-cancel",
        "Cancelling a transfer",
        "You can stop a scheduled payment until the day before its due date.",
        "A transfer you scheduled for a later date can be stopped until the day before it is due: open "
        "**Payments → Scheduled**, choose the payment and tap **Cancel payment**. Instant payments are final; "
        "ask the recipient to send the money back.",
    ),
    en(
        "opening-hours",
        "Branch opening hours",
        "Branches are open Monday to Friday 9:00-18:00; phone support answers around the clock.",
        "Our branches in Tallinn and Tartu are open **Monday to Friday, 9:00-18:00**, and closed on public "
        "holidays. Phone support answers around the clock.",
    ),
    en(
        "card-delivery",
        "Card delivery times",
        "A new card arrives by post within 5 working days.",
        "We post new and replacement cards within one working day. Delivery in Estonia takes up to 5 working "
        "days; abroad up to 15. You can follow the status in the app under **Cards**.",
        ("when will my new card arrive",),
    ),
    en(
        "card-pin",
        "Changing your card PIN",
        "Change your PIN at any ATM of ours.",
        "Insert the card at any of our ATMs, choose **PIN services** and enter the old PIN, then the new one "
        "twice. You can also view your PIN in the app.",
    ),
    et(
        "password-reset",
        "Parooli lähtestamine",
        "Vali sisselogimislehel „Unustasin parooli“ ja järgi e-kirjas saadetud linki.",
        "Kui oled parooli unustanud, vali sisselogimislehel **Unustasin parooli**. Saadame sulle e-kirjaga "
        "lingi, mis kehtib 30 minutit.",
    ),
    et(
        "card-lost",
        "Kaardi blokeerimine",
        "Blokeeri kaart kohe äpis või helista +372 600 0000.",
        "Kui sinu kaart on kadunud või varastatud, blokeeri see kohe mobiilirakenduses (**Kaardi seaded → "
        "Blokeeri**) või helista numbril +372 600 0000. Blokeeringut tagasi võtta ei saa; saadame sulle "
        "tasuta uue kaardi.",
    ),
    et(
        "change-address",
        "Aadressi muutmine",
        "Uuenda oma aadressi äpis: Profiil → Isikuandmed.",
        "Kolisid? Uuenda oma postiaadressi äpis: **Profiil → Isikuandmed**. Kirjad saadetakse uuele "
        "aadressile alates järgmisest tööpäevast.",
    ),
    et(
        "transfer-cancel",
        "Ülekande tühistamine",
        "Ajastatud makset saad peatada kuni maksepäevale eelneva päevani.",
        "Tulevikku ajastatud ülekannet saad peatada kuni maksepäevale eelneva päevani: ava **Maksed → "
        "Ajastatud** ja vali **Tühista**. Välkmakset tagasi võtta ei saa.",
    ),
    et(
        "opening-hours",
        "Kontorite lahtiolekuajad",
        "Kontorid on avatud esmaspäevast reedeni 9.00-18.00.",
        "Meie kontorid Tallinnas ja Tartus on avatud **esmaspäevast reedeni 9.00-18.00**; riigipühadel "
        "suletud. Telefonitugi vastab ööpäev läbi.",
    ),
    et(
        "card-delivery",
        "Kaardi kättetoimetamine",
        "Uus kaart jõuab postiga kohale 5 tööpäeva jooksul.",
        "Postitame uue kaardi ühe tööpäeva jooksul. Eestis jõuab kaart kohale kuni 5 tööpäevaga, välismaale "
        "kuni 15 tööpäevaga.",
    ),
]
BY_KEY = {(doc.article_id, doc.locale): doc for doc in BANK}


@pytest.fixture
def bank(backend: SearchIndex) -> SearchIndex:
    for doc in BANK:
        backend.upsert(doc)
    return backend


def ids(hits: list[SearchHit]) -> list[str]:
    return [hit.article_id for hit in hits]


def titles(suggestions: list[SearchSuggestion]) -> list[str]:
    return [s.title for s in suggestions]


def stems(text: str, locale: str) -> set[str]:
    return set(STEMMERS[locale].stemWords(re.findall(r"\w+", text.lower())))


def visible_text(snippet: str) -> str:
    """What the reader sees: the snippet without its highlight tags and with entities decoded."""
    return html.unescape(snippet.replace("<mark>", "").replace("</mark>", ""))


def searchable_text(doc: SearchDocument) -> str:
    return " ".join([doc.title, doc.short_answer, doc.body, *(p.text for p in doc.phrasings)])


def assert_best_first(hits: list[SearchHit]) -> None:
    scores = [hit.score for hit in hits]
    assert scores == sorted(scores, reverse=True), f"hits not best first: {[(h.article_id, h.score) for h in hits]}"


# --- Stemming ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["cancel transfers", "cancelled transfer", "cancelled", "cancellation", "transferring"]
)
def test_english_inflections_find_the_article_about_cancelling_a_transfer(bank: SearchIndex, query: str) -> None:
    hits = bank.search(query, "en")

    assert ids(hits)[:1] == ["transfer-cancel"], f"{query!r} → {ids(hits)}"


@pytest.mark.parametrize(
    "query", ["kaart on blokeeritud", "kaardid on blokeeritud", "blokeerisin kaardi", "blokeeritud"]
)
def test_estonian_inflections_find_the_article_about_blocking_a_card(bank: SearchIndex, query: str) -> None:
    # Snowball Estonian: blokeeritud, blokeerisin and the body's "blokeeri" share the stem "blokeeri";
    # kaardid and the title's "Kaardi" share "kaardi". The article never has blokeeritud, blokeerisin or kaardid.
    hits = bank.search(query, "et")

    assert ids(hits)[:1] == ["card-lost"], f"{query!r} → {ids(hits)}"
    assert hits[0].title == "Kaardi blokeerimine"


# --- Typos ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "article_id"),
    [
        ("pasword reset", "password-reset"),
        ("pasword", "password-reset"),
        ("chnage adress", "change-address"),
        ("adress", "change-address"),
    ],
)
def test_a_one_letter_typo_still_finds_the_article(bank: SearchIndex, query: str, article_id: str) -> None:
    hits = bank.search(query, "en")

    assert ids(hits)[:1] == [article_id], f"{query!r} → {ids(hits)}"


@pytest.mark.parametrize("query", ["is", "ot"])
def test_a_two_letter_word_is_not_fuzzed_into_other_words(bank: SearchIndex, query: str) -> None:
    # One edit from "is" or "ot" reaches "in", "it", "on", "or", "of", "to", ... which are in every article;
    # only an article that has the word itself may come back.
    hits = bank.search(query, "en")

    unrelated = [
        hit.article_id for hit in hits if query not in stems(searchable_text(BY_KEY[hit.article_id, "en"]), "en")
    ]
    assert unrelated == [], f"{query!r} matched articles without the word: {unrelated}"


# --- Locales ----------------------------------------------------------------------------------------------------


def test_the_same_article_is_found_in_each_locale_with_that_locales_text(bank: SearchIndex) -> None:
    english = bank.search("password", "en")
    estonian = bank.search("parooli", "et")

    assert ids(english)[:1] == ["password-reset"]
    assert (english[0].locale, english[0].title) == ("en", "Resetting your password")
    assert english[0].short_answer == BY_KEY["password-reset", "en"].short_answer
    assert ids(estonian)[:1] == ["password-reset"]
    assert (estonian[0].locale, estonian[0].title) == ("et", "Parooli lähtestamine")
    assert estonian[0].short_answer == BY_KEY["password-reset", "et"].short_answer


@pytest.mark.parametrize(("query", "locale"), [("forgot password", "et"), ("Kaardi blokeerimine", "en")])
def test_a_search_returns_only_documents_of_its_locale(bank: SearchIndex, query: str, locale: str) -> None:
    hits = bank.search(query, locale)

    assert all(hit.locale == locale for hit in hits), [(hit.article_id, hit.locale) for hit in hits]
    assert all(hit.title == BY_KEY[hit.article_id, locale].title for hit in hits)


def test_an_unknown_locale_finds_nothing(bank: SearchIndex) -> None:
    assert bank.search("password", "fr") == []
    assert titles(bank.suggest("pass", "fr")) == []


# --- Archiving and replacing --------------------------------------------------------------------------------------


def test_a_deleted_article_is_not_found_in_that_locale_any_more(bank: SearchIndex) -> None:
    bank.delete("card-lost", "en")

    assert "card-lost" not in ids(bank.search("lost stolen card blocked", "en"))
    assert "Blocking a lost or stolen card" not in titles(bank.suggest("bloc", "en"))
    assert ids(bank.search("Kaardi blokeerimine", "et"))[:1] == ["card-lost"], "the Estonian version was kept"


def test_deleting_is_idempotent(bank: SearchIndex) -> None:
    bank.delete("card-lost", "en")
    bank.delete("card-lost", "en")
    bank.delete("never-existed", "en")
    bank.delete("password-reset", "xx")

    assert "card-lost" not in ids(bank.search("stolen card", "en"))
    assert ids(bank.search("password", "en"))[:1] == ["password-reset"]


def test_upserting_an_article_replaces_its_old_text(bank: SearchIndex) -> None:
    old = BY_KEY["opening-hours", "en"]
    bank.upsert(
        old.model_copy(
            update={
                "title": "Customer service by phone",
                "short_answer": "Call +372 600 0000 around the clock.",
                "body": "Our phone line answers around the clock, including weekends.",
            }
        )
    )

    assert "opening-hours" not in ids(bank.search("branch", "en"))
    assert "Branch opening hours" not in titles(bank.suggest("bran", "en"))
    hits = bank.search("phone customer service around the clock", "en")
    assert ids(hits).count("opening-hours") == 1, ids(hits)
    assert ids(hits)[0] == "opening-hours"
    assert hits[0].title == "Customer service by phone"


@pytest.mark.parametrize(("query", "locale"), [("password forgot reset log in", "en"), ("kaardi kaart", "et")])
def test_an_article_matching_in_several_fields_is_one_hit(bank: SearchIndex, query: str, locale: str) -> None:
    found = ids(bank.search(query, locale, limit=10))

    assert len(found) == len(set(found)), found


# --- Ranking ----------------------------------------------------------------------------------------------------


def test_a_match_in_the_title_ranks_above_a_match_in_the_body(bank: SearchIndex) -> None:
    bank.upsert(
        en(
            "overdraft-limit",
            "Overdraft limit",
            "Your limit is shown in the app.",
            "Your arranged limit depends on your income and your history with us. You can ask for a higher limit "
            "in the app under **Loans**; we answer within two working days. Interest is charged only on the amount "
            "you use.",
        )
    )
    bank.upsert(
        en("fees", "Fees and charges", "See the price list.", "Monthly fee: 2 €. Unarranged overdraft: 20% a year.")
    )

    hits = bank.search("overdraft", "en")

    assert ids(hits)[:2] == ["overdraft-limit", "fees"]
    assert_best_first(hits)


def test_a_learned_phrasing_lifts_its_article_above_a_body_match(bank: SearchIndex) -> None:
    bank.upsert(
        en(
            "card-retained",
            "Card kept by a cash machine",
            "We send you a new card free of charge.",
            "If a cash machine keeps your card, we destroy it for your safety and send you a new one free of charge.",
            ("the atm swallowed my card", "atm ate my card"),
        )
    )
    bank.upsert(
        en(
            "cash-withdrawals",
            "Withdrawing cash",
            "Withdraw cash free of charge five times a month.",
            "You can withdraw cash at any ATM in the euro area; the first five withdrawals a month are free. If an "
            "ATM swallowed your card, tell the bank that owns the machine.",
        )
    )

    hits = bank.search("atm swallowed", "en")

    assert ids(hits)[:1] == ["card-retained"], ids(hits)
    assert "cash-withdrawals" in ids(hits)
    assert_best_first(hits)


def _retained_and_withdrawals(bank: SearchIndex) -> None:
    bank.upsert(
        en(
            "card-retained",
            "Card kept by a cash machine",
            "We send you a new card free of charge.",
            "If a cash machine keeps your card, we destroy it and send you a new one free of charge.",
        )
    )
    bank.upsert(
        en(
            "cash-withdrawals",
            "Withdrawing cash",
            "Withdraw cash free of charge five times a month.",
            "Withdraw cash at any ATM in the euro area. If an ATM swallowed your card, tell the machine's bank.",
        )
    )


def test_a_phrasing_added_on_its_own_is_searchable_at_once(bank: SearchIndex) -> None:
    _retained_and_withdrawals(bank)
    assert ids(bank.search("atm swallowed", "en"))[:1] == ["cash-withdrawals"]

    bank.add_phrasing("card-retained", "en", IndexedPhrasing(phrasing_id="p1", text="the atm swallowed my card"))

    assert ids(bank.search("atm swallowed", "en"))[:1] == ["card-retained"]


def test_a_removed_phrasing_no_longer_lifts_its_article(bank: SearchIndex) -> None:
    _retained_and_withdrawals(bank)
    bank.add_phrasing("card-retained", "en", IndexedPhrasing(phrasing_id="p1", text="the atm swallowed my card"))
    bank.add_phrasing("card-retained", "en", IndexedPhrasing(phrasing_id="p2", text="the machine kept my card"))

    bank.remove_phrasing("card-retained", "en", "p1")
    bank.remove_phrasing("card-retained", "en", "p1")  # twice is fine

    assert ids(bank.search("atm swallowed", "en"))[:1] == ["cash-withdrawals"]
    assert ids(bank.search("machine kept my card", "en"))[:1] == ["card-retained"]


def test_a_phrasing_of_an_article_not_in_the_index_finds_nothing(bank: SearchIndex) -> None:
    bank.add_phrasing("never-published", "en", IndexedPhrasing(phrasing_id="p1", text="quokka sighting report"))
    bank.upsert(en("fees", "Fees", "See the price list.", "Monthly fee."))

    assert "never-published" not in ids(bank.search("quokka sighting report", "en"))


def test_a_deleted_article_takes_its_phrasings_along(bank: SearchIndex) -> None:
    _retained_and_withdrawals(bank)
    bank.add_phrasing("card-retained", "en", IndexedPhrasing(phrasing_id="p1", text="quokka ate my card"))

    bank.delete("card-retained", "en")

    assert "card-retained" not in ids(bank.search("quokka ate my card", "en"))


def test_an_upsert_replaces_the_phrasings_with_the_documents_own(bank: SearchIndex) -> None:
    _retained_and_withdrawals(bank)
    bank.add_phrasing("card-retained", "en", IndexedPhrasing(phrasing_id="p1", text="quokka ate my card"))

    bank.upsert(en("card-retained", "Card kept by a cash machine", "New card.", "Body.", ("hungry wallaby",)))

    assert "card-retained" not in ids(bank.search("quokka", "en"))
    assert ids(bank.search("hungry wallaby", "en"))[:1] == ["card-retained"]


# --- Snippets ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "locale", "article_id"),
    [("cancelled", "en", "transfer-cancel"), ("blokeeritud", "et", "card-lost")],
)
def test_the_snippet_marks_the_matched_word_in_whatever_form_the_article_has_it(
    bank: SearchIndex, query: str, locale: str, article_id: str
) -> None:
    hits = bank.search(query, locale)

    assert ids(hits)[:1] == [article_id]
    marked = MARKED.findall(hits[0].snippet)
    assert any(stems(word, locale) & stems(query, locale) for word in marked), hits[0].snippet


def test_the_snippet_escapes_html_in_the_article(backend: SearchIndex) -> None:
    backend.upsert(
        en(
            "console-scam",
            "Nobody from the bank asks you to paste code",
            "It is a scam: close the page and call us.",
            "Never paste code like <script>alert('hi')</script> into your browser console when someone asks: it is "
            "a scam & we never ask for it.",
        )
    )

    snippet = backend.search("browser console scam", "en")[0].snippet

    assert "<mark>" in snippet
    assert "&lt;script&gt;" in snippet
    without_marks = snippet.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in without_marks
    assert ">" not in without_marks
    assert not re.search(r"&(?!(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);)", without_marks), "a bare & is not escaped"


def test_the_snippet_of_a_long_article_is_short_and_around_the_match(backend: SearchIndex) -> None:
    sections = [
        f"Section {n}: interest is calculated daily and paid monthly into your current account." for n in range(40)
    ]
    sections[25] = "Section 25: an early withdrawal penalty of 1% of the amount applies."
    backend.upsert(en("savings-terms", "Savings account terms", "The full terms.", "\n\n".join(sections)))

    snippet = backend.search("penalty", "en")[0].snippet

    assert len(visible_text(snippet)) <= SNIPPET_MAX_CHARS, snippet
    assert "<mark>penalty</mark>" in snippet.lower()


# --- Suggestions ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "locale", "title"),
    [
        ("pass", "en", "Resetting your password"),
        ("card deliv", "en", "Card delivery times"),
        ("paro", "et", "Parooli lähtestamine"),
        ("kaardi blok", "et", "Kaardi blokeerimine"),
    ],
)
def test_suggest_completes_the_last_word_into_a_title(bank: SearchIndex, typed: str, locale: str, title: str) -> None:
    assert titles(bank.suggest(typed, locale))[:1] == [title]


def test_suggest_offers_only_titles_of_its_locale(bank: SearchIndex) -> None:
    english_titles = {doc.title for doc in BANK if doc.locale == "en"}
    estonian_titles = {doc.title for doc in BANK if doc.locale == "et"}

    assert titles(bank.suggest("paro", "en")) == []
    assert set(titles(bank.suggest("pass", "et"))) <= estonian_titles
    assert set(titles(bank.suggest("ka", "et"))) <= estonian_titles
    assert set(titles(bank.suggest("ca", "en"))) <= english_titles


def test_suggest_respects_the_limit(bank: SearchIndex) -> None:
    card_titles = {"Blocking a lost or stolen card", "Card delivery times", "Changing your card PIN"}

    suggestions = titles(bank.suggest("car", "en", limit=2))

    assert len(suggestions) == 2
    assert len(set(suggestions)) == 2
    assert card_titles <= set(titles(bank.suggest("car", "en", limit=5)))


@pytest.mark.parametrize("typed", ["", "   ", "?!", "..."])
def test_suggest_for_nothing_typed_is_empty(bank: SearchIndex, typed: str) -> None:
    assert titles(bank.suggest(typed, "en")) == []


# --- Bulk loads -------------------------------------------------------------------------------------------------


def test_documents_written_in_a_batch_are_all_searchable_after_it(backend: SearchIndex) -> None:
    with backend.batch():
        for doc in BANK:
            backend.upsert(doc)

    for doc in BANK:
        hits = backend.search(doc.title, doc.locale)
        assert (hits[0].article_id, hits[0].locale) == (doc.article_id, doc.locale), f"{doc.title!r} → {ids(hits)}"


def test_a_batch_applies_deletes_and_replacements_too(bank: SearchIndex) -> None:
    with bank.batch():
        bank.delete("card-pin", "en")
        bank.upsert(BY_KEY["opening-hours", "en"].model_copy(update={"title": "Branch and phone opening hours"}))

    assert "card-pin" not in ids(bank.search("PIN", "en"))
    assert bank.search("branch opening hours", "en")[0].title == "Branch and phone opening hours"


# --- Odd queries and limits ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["", " ", "\t\n", "?", "?!", "...", "-", "—", '"', "()", "*", "&&"])
def test_a_query_without_words_finds_nothing(bank: SearchIndex, query: str) -> None:
    assert bank.search(query, "en") == []


@pytest.mark.parametrize(
    ("query", "article_id"),
    [
        ('"lost card', "card-lost"),
        ("stolen card)", "card-lost"),
        ("title:password", "password-reset"),
        ("password AND", "password-reset"),
        ("NOT password", "password-reset"),
        ("password^2", "password-reset"),
        ("password~", "password-reset"),
        ("address?!", "change-address"),
    ],
)
def test_query_syntax_typed_by_a_customer_is_read_as_words(bank: SearchIndex, query: str, article_id: str) -> None:
    assert article_id in ids(bank.search(query, "en"))


def test_search_respects_the_limit(bank: SearchIndex) -> None:
    # Three English articles are about cards; the default limit is five.
    assert len(bank.search("card", "en", limit=2)) == 2
    assert len(bank.search("card", "en", limit=1)) == 1
    assert 3 <= len(bank.search("card", "en")) <= 5


def test_hits_come_best_first(bank: SearchIndex) -> None:
    hits = bank.search("card delivery", "en")

    assert ids(hits)[:1] == ["card-delivery"]
    assert_best_first(hits)
