"""Knowledge-base files: Markdown with YAML front matter, read into ArticleFile and written back."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cli.kb_files import ArticleFile, ArticleFileError, read_article_file, read_folder, write_article_file
from shared.domain.articles import ArticleStatus

DEMO_KB = Path(__file__).resolve().parents[2] / "infra" / "local" / "demo_kb"

GOOD = """---
id: card_lost
locale: en
title: Lost or stolen card
short_answer: "Freeze your card: Cards > Freeze."
tags: [Cards, security]
review_by: 2027-05-01
status: published
phrasings:
  - I lost my card
  - i  lost my CARD
  - how do I block my card
---
## Freeze the card first

1. Open **Cards**.
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def problem(path: Path) -> str:
    with pytest.raises(ArticleFileError) as raised:
        read_article_file(path)
    assert raised.value.path == path
    return raised.value.message


def test_a_good_file_reads_into_an_article_file(tmp_path: Path) -> None:
    path = write(tmp_path, "card_lost.en.md", GOOD)

    article = read_article_file(path)

    assert article == ArticleFile(
        article_id="card_lost",
        locale="en",
        title="Lost or stolen card",
        short_answer="Freeze your card: Cards > Freeze.",
        body="## Freeze the card first\n\n1. Open **Cards**.",
        tags=["cards", "security"],
        review_by=date(2027, 5, 1),
        status=ArticleStatus.PUBLISHED,
        phrasings=["I lost my card", "how do I block my card"],  # the same words in other case and spacing: once
        path=path,
    )


def test_id_and_locale_come_from_the_file_name_when_the_front_matter_leaves_them_out(tmp_path: Path) -> None:
    path = write(
        tmp_path, "opening_hours.et.md", "---\ntitle: Lahtiolekuajad\n---\nAvatud E-R 9.00-17.00, õhtuti suletud"
    )

    article = read_article_file(path)

    assert (article.article_id, article.locale, article.status, article.body) == (
        "opening_hours",
        "et",
        ArticleStatus.DRAFT,
        "Avatud E-R 9.00-17.00, õhtuti suletud",
    )


def test_a_name_not_shaped_id_dot_locale_needs_both_in_the_front_matter(tmp_path: Path) -> None:
    assert read_article_file(write(tmp_path, "notes.md", GOOD)).article_id == "card_lost"
    assert problem(write(tmp_path, "draft.v2.notes.md", "---\ntitle: x\n---\n")) == "id is missing; locale is missing"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("card_stolen.en.md", "the front matter says id 'card_lost' but the file name says 'card_stolen'"),
        ("card_lost.et.md", "the front matter says locale 'en' but the file name says 'et'"),
    ],
)
def test_front_matter_that_disagrees_with_the_file_name_is_refused(tmp_path: Path, name: str, expected: str) -> None:
    assert problem(write(tmp_path, name, GOOD)) == expected


def test_bad_yaml_is_refused_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "card_lost.en.md", "---\ntitle: Lost card\ntags: [cards\n---\nbody")

    assert problem(path) == "the front matter is not valid YAML: did not find expected ',' or ']' (line 4)"


def test_a_file_without_a_title_is_refused(tmp_path: Path) -> None:
    assert problem(write(tmp_path, "card_lost.en.md", "---\nstatus: draft\n---\nbody")) == "title is missing"


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("a.en.md", "---\ntitle: t\nstatus: live\n---\n", "status: Input should be 'draft', 'published' or 'archived'"),
        (
            "Card Lost.en.md",
            "---\ntitle: t\n---\n",
            "id 'Card Lost' must be lowercase letters, digits, _ and - (starting with a letter or digit, at most 64)",
        ),
        ("a.eng.md", "---\ntitle: t\n---\n", "locale 'eng' must be two lowercase letters, such as en"),
        ("a.en.md", "---\ntitle: t\nstauts: draft\n---\n", "unknown front matter key(s): stauts"),
        ("a.en.md", "---\ntitle: t\nphrasings: [yes]\n---\n", "phrasings.0: True is not text (put it in quotes)"),
        ("a.en.md", "---\n- title\n---\n", "the front matter must be `key: value` lines"),
        ("a.en.md", "---\ntitle: t\n", "the front matter has no closing `---` line"),
        ("a.en.md", "# Just Markdown\n", "no front matter: the file must start with a `---` line"),
    ],
)
def test_a_bad_file_is_refused_with_a_message_for_its_author(
    tmp_path: Path, name: str, text: str, expected: str
) -> None:
    assert problem(write(tmp_path, name, text)).startswith(expected)


def test_a_folder_reads_every_file_and_a_bad_one_does_not_stop_the_others(tmp_path: Path) -> None:
    write(tmp_path, "README.md", "# About these articles\n")
    write(tmp_path, "cards/card_lost.en.md", GOOD)
    write(tmp_path, "cards/card_lost.et.md", "---\ntitle: Kaotatud kaart\n---\n")
    write(tmp_path, "broken.en.md", "---\ntitle: [\n---\n")
    write(tmp_path, "copy/card_lost.en.md", GOOD)
    (tmp_path / "binary.en.md").write_bytes(b"\xff\xfe\x00")

    results = read_folder(tmp_path)

    outcome = {
        str(r.path.relative_to(tmp_path)) if r.path else "": r.message if isinstance(r, ArticleFileError) else "ok"
        for r in results
    }
    assert outcome == {
        "binary.en.md": "not UTF-8 text",
        "broken.en.md": "the front matter is not valid YAML: did not find expected node content (line 3)",
        "cards/card_lost.en.md": "ok",
        "cards/card_lost.et.md": "ok",
        "copy/card_lost.en.md": f"the same translation (card_lost, en) as {tmp_path / 'cards' / 'card_lost.en.md'}",
    }


def test_writing_then_reading_back_gives_the_same_article(tmp_path: Path) -> None:
    original = ArticleFile(
        article_id="fees",
        locale="et",
        title="  Tasud: kõik, mis on 'oluline'  ",
        short_answer='Kuutasu on 0 €; "tasuta" plaan.\nTeine rida.',
        body="## Pealkiri\n\n---\n\nTabel | x\n--- | ---\n",
        tags=["hinnad", "no"],
        review_by=date(2026, 1, 31),
        status=ArticleStatus.ARCHIVED,
        owner="0f3c2a9e-agent",
        phrasings=["yes", "2024", "mis maksab: kõik?"],
    )

    written = write_article_file(original, tmp_path / "out")

    assert written == tmp_path / "out" / "fees.et.md"
    assert read_article_file(written) == original.model_copy(update={"body": original.body.strip(), "path": written})


def test_every_demo_article_survives_a_write_and_read(tmp_path: Path) -> None:
    demo = read_folder(DEMO_KB)

    assert demo
    assert all(isinstance(article, ArticleFile) for article in demo)
    for article in demo:
        assert isinstance(article, ArticleFile)
        written = write_article_file(article, tmp_path)
        assert read_article_file(written) == article.model_copy(update={"path": written})


def test_from_api_writes_the_latest_text_and_a_status_that_imports_back_as_is() -> None:
    article = {
        "article_id": "card_lost",
        "locale": "en",
        "status": "published",
        "owner": "agent-1",
        "review_by": "2027-05-01",
        "latest_version": 3,
        "published_version": 2,
        "has_unpublished_changes": True,
        "latest": {"title": "New title", "short_answer": "", "body": "Body\n", "tags": ["cards"]},
        "published": {"title": "Old title", "short_answer": "", "body": "Old", "tags": []},
    }

    file = ArticleFile.from_api(article, ["lost card"])

    assert (file.title, file.body, file.status, file.review_by) == (
        "New title",
        "Body",
        ArticleStatus.DRAFT,
        date(2027, 5, 1),
    )
    assert ArticleFile.from_api(article | {"has_unpublished_changes": False}, []).status is ArticleStatus.PUBLISHED
