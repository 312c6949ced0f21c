"""The OpenSearch adapter's requests, checked without a server: index templates, query bodies, bulk actions,
the batch's plan of writes, and how requests are signed. What they do on a real server is the contract
suite's job (`TUGI_OPENSEARCH_URL=… make contract`)."""

from __future__ import annotations

import json

import pytest
import requests
from botocore.credentials import Credentials
from opensearchpy import OpenSearch

from shared.adapters.search import embedded
from shared.adapters.search.opensearch import (
    FUZZINESS,
    FUZZY_WEIGHT,
    GRAM_SHORTEST,
    GRAM_WEIGHT,
    MAPPINGS,
    TIE_BREAKER,
    WEIGHTS,
    OpenSearchSearchIndex,
    PendingWrites,
    analysis,
    articles_body,
    client_options,
    fuzzy_candidates,
    index_name,
    index_template,
    known_words_body,
    phrasing_action,
    pick_snippet,
    search_body,
    stale_query,
    suggest_body,
    upsert_actions,
    words,
)
from shared.domain.knowledge import IndexedPhrasing, SearchDocument
from shared.errors import InvalidInput, Unavailable

CREDENTIALS = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
DOMAIN = "https://search-tugi-abc123.eu-north-1.es.amazonaws.com"
DOC = SearchDocument(
    article_id="card-lost",
    locale="en",
    title="Blocking a lost or stolen card",
    short_answer="Block the card in the app.",
    body="If your card is lost, block it.",
    phrasings=[
        IndexedPhrasing(phrasing_id="p1", text="someone stole my wallet"),
        IndexedPhrasing(phrasing_id="p2", text="card gone"),
    ],
)


def text_filters(locale: str) -> list[dict[str, object]]:
    """The token filters of a locale's stemmed analyzer, as definitions (built-in ones by name)."""
    chain = analysis(locale)
    defined = chain["filter"]
    return [defined.get(name, {"type": name}) for name in chain["analyzer"]["tugi_text"]["filter"]]


# --- Index templates ----------------------------------------------------------------------------------------


def test_each_locale_has_an_index_and_a_template_of_its_own() -> None:
    template = index_template("tugi-kb", "et")

    assert index_name("tugi-kb", "et") == "tugi-kb-et"
    assert template["index_patterns"] == ["tugi-kb-et"]
    assert template["template"]["mappings"] == MAPPINGS
    json.dumps(template)  # a request body


@pytest.mark.parametrize("locale", ["*", "en,et", "en*", "EN", "e", "../en", ""])
def test_a_locale_that_is_not_one_names_no_index(locale: str) -> None:
    with pytest.raises(InvalidInput):
        index_name("tugi-kb", locale)


def test_english_is_split_lowercased_possessives_dropped_stop_words_removed_and_snowball_stemmed() -> None:
    assert text_filters("en") == [
        {"type": "lowercase"},
        {"type": "stemmer", "language": "possessive_english"},
        {"type": "stop", "stopwords": "_english_"},
        # porter2 is Snowball English, the stemmer the embedded index (PyStemmer) uses.
        {"type": "stemmer", "language": "porter2"},
    ]


def test_estonian_is_stemmed_by_the_snowball_estonian_stemmer_with_estonian_stop_words() -> None:
    assert text_filters("et") == [
        {"type": "lowercase"},
        {"type": "stop", "stopwords": "_estonian_"},
        {"type": "stemmer", "language": "estonian"},
    ]


def test_a_locale_without_a_stemmer_is_only_lowercased() -> None:
    assert text_filters("xx") == [{"type": "lowercase"}]


@pytest.mark.parametrize("locale", ["en", "et", "xx"])
def test_every_analyzer_the_mappings_name_is_defined_with_filters_that_exist(locale: str) -> None:
    chain = analysis(locale)
    named = set()
    for spec in MAPPINGS["properties"].values():
        named |= {spec[key] for key in ("analyzer", "search_analyzer") if key in spec}
        named |= {sub["analyzer"] for sub in spec.get("fields", {}).values()}

    assert named <= set(chain["analyzer"])
    for analyzer in chain["analyzer"].values():
        assert set(analyzer["char_filter"]) <= set(chain["char_filter"])
        assert set(analyzer["filter"]) <= set(chain["filter"]) | {"lowercase"}


def test_words_are_split_at_every_character_the_embedded_index_splits_at() -> None:
    split = analysis("en")["char_filter"]["tugi_split"]

    assert split["type"] == "pattern_replace"
    assert split["replacement"] == " "  # one character for one: highlight offsets stay right
    assert words("title:password 9.00 e-mail can't?!") == ["title", "password", "9", "00", "e", "mail", "can't"]


def test_titles_and_phrasings_get_edge_marked_trigrams_and_short_query_words_none() -> None:
    chain = analysis("en")
    grams = MAPPINGS["properties"]["grams"]
    index_side = chain["analyzer"][grams["analyzer"]]["filter"]
    query_side = chain["analyzer"][grams["search_analyzer"]]["filter"]

    assert "grams" in MAPPINGS["properties"]["title"]["copy_to"]
    assert "grams" in MAPPINGS["properties"]["phrasing"]["copy_to"]
    assert "grams" not in MAPPINGS["properties"]["body"]["copy_to"]
    assert chain["filter"]["tugi_trigrams"] == {"type": "ngram", "min_gram": 3, "max_gram": 3}
    assert chain["filter"]["tugi_edges"]["replacement"] == "^$1\\$"  # card → ^card$ → ^ca car ard rd$
    assert "tugi_query_words" not in index_side
    assert query_side.index("tugi_query_words") < query_side.index("tugi_trigrams")
    assert chain["filter"]["tugi_query_words"] == {"type": "length", "min": GRAM_SHORTEST}
    assert embedded._GRAM_SHORTEST == GRAM_SHORTEST


def test_a_domain_index_has_one_shard_and_serverless_decides_its_own() -> None:
    domain = index_template("tugi-kb", "en", service="es")["template"]["settings"]
    assert (domain["number_of_shards"], domain["auto_expand_replicas"]) == (1, "0-1")  # green on one node
    serverless = index_template("tugi-kb", "en", service="aoss")["template"]["settings"]
    assert "number_of_shards" not in serverless
    assert "auto_expand_replicas" not in serverless


# --- Search requests --------------------------------------------------------------------------------------


def test_field_weights_and_fuzzy_and_trigram_weights_mirror_the_embedded_index() -> None:
    body = search_body(["card"], unknown=["card"], size=30)
    multi_match, fuzzy, gram = (clause for clause in body["query"]["bool"]["should"])
    boosts = {name: float(weight) for name, weight in (f.split("^") for f in multi_match["multi_match"]["fields"])}

    assert boosts == {
        name.removesuffix("_stems").replace("answer", "short_answer"): w for name, w in embedded._WEIGHTS.items()
    }
    assert boosts == WEIGHTS
    assert fuzzy["match"]["all_words"]["boost"] == FUZZY_WEIGHT == embedded._FUZZY_WEIGHT
    assert gram["match"]["grams"]["boost"] == GRAM_WEIGHT == embedded._GRAM_WEIGHT


def test_each_word_scores_its_best_field_plus_a_little_of_the_others() -> None:
    body = search_body(["lost", "card"], size=30)

    clauses = body["query"]["bool"]["should"]
    assert [c["multi_match"]["query"] for c in clauses if "multi_match" in c] == ["lost", "card"]
    assert all(
        c["multi_match"]["type"] == "best_fields" and c["multi_match"]["tie_breaker"] == TIE_BREAKER
        for c in clauses
        if "multi_match" in c
    )
    assert body["query"]["bool"]["minimum_should_match"] == 1
    assert body["size"] == 30
    assert body["_source"] == ["article_id"]  # the vote needs only whose document it is


def test_only_unknown_words_are_matched_fuzzily_with_the_embedded_edit_distances() -> None:
    body = search_body(["pasword", "reset"], unknown={"pasword"}, size=30)

    fuzzy = [c["match"]["all_words"] for c in body["query"]["bool"]["should"] if "all_words" in c.get("match", {})]
    assert fuzzy == [{"query": "pasword", "fuzziness": FUZZINESS, "prefix_length": 0, "boost": FUZZY_WEIGHT}]
    # AUTO:5,9 = no edit under five letters, one from five, two from nine: the embedded index's rule.
    assert FUZZINESS == "AUTO:5,9"


def test_short_words_and_numbers_are_never_fuzzy_candidates() -> None:
    assert fuzzy_candidates(["is", "card", "12345", "adress", "cancelled"]) == ["adress", "cancelled"]


def test_trigrams_are_asked_for_words_of_three_letters_or_more() -> None:
    body = search_body(["ot", "card", "pin"], size=30)

    grams = [c["match"]["grams"]["query"] for c in body["query"]["bool"]["should"] if "grams" in c.get("match", {})]
    assert grams == ["card pin"]
    assert "grams" not in json.dumps(search_body(["ot"], size=30))


def test_the_words_index_knows_are_counted_per_word_as_written() -> None:
    body = known_words_body(["pasword", "reset"])

    filters = body["aggs"]["known"]["filters"]["filters"]
    assert filters == {"pasword": {"term": {"all_words": "pasword"}}, "reset": {"term": {"all_words": "reset"}}}
    assert body["size"] == 0


@pytest.mark.parametrize(
    ("query", "expected"),
    [("title:password", ["title", "password"]), ("password^2 AND", ["password", "2", "and"]), ("?!", []), ("&&", [])],
)
def test_query_syntax_typed_by_a_customer_becomes_plain_words(query: str, expected: list[str]) -> None:
    assert words(query) == expected


def test_the_ranked_articles_are_fetched_with_escaped_snippets_marked() -> None:
    body = articles_body(["card-lost", "card-pin"], ["lost", "card"])

    assert body["query"]["bool"]["filter"] == [
        {"ids": {"values": ["card-lost", "card-pin"]}},
        {"term": {"kind": "article"}},
    ]
    highlight = body["highlight"]
    assert highlight["encoder"] == "html"
    assert (highlight["pre_tags"], highlight["post_tags"]) == (["<mark>"], ["</mark>"])
    assert set(highlight["fields"]) == {"body", "short_answer"}
    assert highlight["fields"]["body"]["no_match_size"] > 0  # found by a phrasing: the body's start
    assert highlight["highlight_query"]["multi_match"]["query"] == "lost card"


def test_the_snippet_is_the_fragment_with_most_matches_the_body_on_a_tie() -> None:
    body, answer = "A <mark>card</mark> is &lt;b&gt;", "Block the <mark>card</mark> <mark>now</mark>"

    assert pick_snippet({"body": [body], "short_answer": [answer]}) == answer
    assert pick_snippet({"body": [body], "short_answer": ["The <mark>card</mark>"]}) == body
    assert pick_snippet({"body": ["Start of the body "]}) == "Start of the body"
    assert pick_snippet({}) == ""


def test_suggest_completes_the_last_word_in_article_titles() -> None:
    body = suggest_body("Card Deliv", 5)

    assert body is not None
    query = body["query"]["bool"]
    assert query["must"] == [{"prefix": {"title.words": "deliv"}}]
    assert query["should"] == [{"term": {"title.words": "card"}}]
    assert query["filter"] == [{"term": {"kind": "article"}}]
    assert body["size"] == 5


@pytest.mark.parametrize("typed", ["", "   ", "?!", "card d"])
def test_suggest_asks_nothing_until_a_word_of_two_letters_is_typed(typed: str) -> None:
    assert suggest_body(typed, 5) is None


# --- Writes -------------------------------------------------------------------------------------------------


def test_an_upsert_writes_the_article_and_each_phrasing_as_documents_of_their_own() -> None:
    actions = upsert_actions("tugi-kb-en", DOC)

    assert [(a["_op_type"], a["_index"], a["_id"]) for a in actions] == [
        ("index", "tugi-kb-en", "card-lost"),
        ("index", "tugi-kb-en", "card-lost#p1"),
        ("index", "tugi-kb-en", "card-lost#p2"),
    ]
    assert actions[0]["_source"] == {
        "kind": "article",
        "article_id": "card-lost",
        "locale": "en",
        "title": DOC.title,
        "short_answer": DOC.short_answer,
        "body": DOC.body,
    }
    assert actions[1]["_source"] == {
        "kind": "phrasing",
        "article_id": "card-lost",
        "locale": "en",
        "phrasing_id": "p1",
        "phrasing": "someone stole my wallet",
    }
    assert set(actions[0]["_source"]) | set(actions[1]["_source"]) <= set(MAPPINGS["properties"])


def test_stale_documents_of_a_replaced_article_are_all_but_the_ones_just_written() -> None:
    body = stale_query({"card-lost": {"card-lost", "card-lost#p1"}, "card-pin": set()})

    assert body == {
        "query": {
            "bool": {
                "should": [
                    {
                        "bool": {
                            "filter": [{"term": {"article_id": "card-lost"}}],
                            "must_not": [{"ids": {"values": ["card-lost", "card-lost#p1"]}}],
                        }
                    },
                    {"term": {"article_id": "card-pin"}},  # deleted: every document of it
                ],
                "minimum_should_match": 1,
            }
        }
    }


def test_a_batch_sends_only_the_last_state_of_each_article() -> None:
    writes = PendingWrites()
    writes.replace("en", "card-lost", upsert_actions("tugi-kb-en", DOC))
    writes.replace("en", "card-lost", [])  # deleted later in the same batch
    writes.replace("en", "card-pin", upsert_actions("tugi-kb-en", DOC.model_copy(update={"article_id": "card-pin"})))

    assert {key for key, _ in writes.actions.values()} == {"card-pin"}
    assert writes.keep["en", "card-lost"] == set()
    assert writes.keep["en", "card-pin"] == {"card-pin", "card-pin#p1", "card-pin#p2"}


def test_phrasings_added_and_removed_in_a_batch_after_an_upsert_are_kept_or_dropped() -> None:
    writes = PendingWrites()
    writes.replace("en", "card-lost", upsert_actions("tugi-kb-en", DOC))

    writes.put(
        "en", "card-lost", phrasing_action("tugi-kb-en", "card-lost", "en", IndexedPhrasing(phrasing_id="p3", text="x"))
    )
    writes.put("en", "card-lost", {"_op_type": "delete", "_index": "tugi-kb-en", "_id": "card-lost#p1"})
    writes.put("et", "card-pin", {"_op_type": "delete", "_index": "tugi-kb-et", "_id": "card-pin#p9"})

    assert writes.keep["en", "card-lost"] == {"card-lost", "card-lost#p2", "card-lost#p3"}
    assert writes.actions["en", "card-lost#p1"][1]["_op_type"] == "delete"
    assert ("et", "card-pin") not in writes.keep  # a phrasing removed alone deletes only that document
    assert writes.locales() == {"en", "et"}


# --- Connections --------------------------------------------------------------------------------------------


def _signed(auth: object, url: str) -> requests.PreparedRequest:
    request = requests.Request("POST", url, data=b'{"query": {"match_all": {}}}').prepare()
    return auth(request)


@pytest.mark.parametrize(
    ("service", "url"), [("es", DOMAIN), ("aoss", "https://abc123xyz.eu-north-1.aoss.amazonaws.com")]
)
def test_https_endpoints_are_signed_with_sigv4_for_their_service(service: str, url: str) -> None:
    options = client_options(url, service=service, region="eu-north-1", credentials=CREDENTIALS)
    signed = _signed(options["http_auth"], f"{url}/tugi-kb-en/_search")

    assert signed.headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
    assert f"/eu-north-1/{service}/aws4_request" in signed.headers["Authorization"]
    assert "X-Amz-Content-SHA256" in signed.headers
    connection = OpenSearch(**options).transport.connection_pool.connections[0]
    assert connection.session.auth is options["http_auth"]
    assert connection.use_ssl


def test_a_plain_http_endpoint_is_not_signed() -> None:
    options = client_options("http://localhost:9200", service="es", region="eu-north-1", credentials=CREDENTIALS)

    assert "http_auth" not in options
    connection = OpenSearch(**options).transport.connection_pool.connections[0]
    assert connection.session.auth is None
    assert connection.host == "http://localhost:9200"


def test_an_https_endpoint_without_credentials_is_unavailable() -> None:
    with pytest.raises(Unavailable):
        client_options(DOMAIN, service="es", region="eu-north-1", credentials=None)


def test_from_url_signs_with_the_credentials_boto3_finds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDFROMENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)

    index = OpenSearchSearchIndex.from_url(DOMAIN, service="aoss", region="eu-north-1", prefix="tugi-kb")

    connection = index._client.transport.connection_pool.connections[0]
    signed = _signed(connection.session.auth, f"{DOMAIN}/tugi-kb-en/_search")
    assert "Credential=AKIDFROMENV/" in signed.headers["Authorization"]
    assert "/aoss/aws4_request" in signed.headers["Authorization"]
