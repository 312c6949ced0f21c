"""`tugi kb` and `tugi seed` against a running platform, as a person runs them beside `tugi dev`: moto as a
server, the local HTTP API in a thread, the CLI through typer's CliRunner reading the runtime file.

One platform serves the module; tests that write use article ids of their own, or put back what they change.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from cli.main import app
from infra.local.platform import EmbeddedPlatform
from infra.local.server import make_server, runtime_info
from tests.conftest import REPO

DEMO_KB = REPO / "infra" / "local" / "demo_kb"
DEMO_FILES = sorted(p for p in DEMO_KB.glob("*.md") if p.name != "README.md")


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedPlatform]:
    runtime = tmp_path_factory.mktemp("tugi-dev") / "runtime.json"
    with (
        pytest.MonkeyPatch.context() as patch,
        EmbeddedPlatform({"POWERTOOLS_LOG_LEVEL": "ERROR"}, moto_server=True, knowledge=True) as platform,
    ):
        # The handlers' loggers bind to the stdout of their first import: let it be this one, not CliRunner's.
        platform.api("GET", "/v1/kb/search", query={"q": "card"})
        platform.api("GET", "/v1/kb/articles", query={"status": "published"}, token=platform.token("agent"))
        server = make_server(platform, 0)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        runtime_info(platform, f"http://127.0.0.1:{server.server_address[1]}").write(runtime)
        patch.setenv("TUGI_RUNTIME_FILE", str(runtime))
        try:
            yield platform
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=10)


def tugi(*args: str | Path) -> Result:
    """The command as typed; a wide terminal so table cells are not wrapped."""
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "250"})


def json_lines(result: Result) -> list[dict[str, Any]]:
    """The command's JSON lines. The platform shares this process, and its stream indexer's thread prints an EMF
    blob every 100 values of a metric even with metrics off (Powertools never flushes a disabled set): not ours."""
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return [line for line in lines if "_aws" not in line]


def outcomes(result: Result) -> dict[str, str]:
    return {f"{r['article_id']}.{r['locale']}": r["outcome"] for r in json_lines(result)}


@pytest.fixture(scope="module")
def demo_imported(kb: EmbeddedPlatform) -> Result:
    """The demo knowledge base imported once into the module's platform (the first import creates it)."""
    return tugi("kb", "import", DEMO_KB, "--json")


def test_importing_the_demo_kb_creates_every_article_and_again_changes_nothing(demo_imported: Result) -> None:
    assert demo_imported.exit_code == 0, demo_imported.stderr
    created = outcomes(demo_imported)
    assert len(created) == len(DEMO_FILES)
    assert set(created.values()) == {"created"}
    assert f"{len(DEMO_FILES)} files: {len(DEMO_FILES)} created, 0 updated, 0 unchanged, 0 failed" in (
        demo_imported.stderr
    )

    again = tugi("kb", "import", DEMO_KB, "--json")

    assert again.exit_code == 0, again.stderr
    assert outcomes(again) == dict.fromkeys(created, "unchanged")


def test_search_finds_the_lost_card_article(demo_imported: Result) -> None:
    deadline = time.monotonic() + 10  # the indexer follows the table's stream in a thread of its own
    while True:
        found = tugi("kb", "search", "I lost my card", "--json")
        assert found.exit_code == 0, found.stderr
        hits = [hit["article_id"] for hit in json_lines(found)[0]["items"]]
        if (hits and hits[0] == "card_lost") or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert hits[0] == "card_lost"

    table = tugi("kb", "search", "I lost my card")

    assert table.exit_code == 0, table.stderr
    assert "Lost or stolen card" in table.stdout
    assert "Freeze your card at once" in table.stdout


def test_an_edited_file_is_updated_and_served_after_import(
    kb: EmbeddedPlatform, demo_imported: Result, tmp_path: Path
) -> None:
    folder = shutil.copytree(DEMO_KB, tmp_path / "kb")
    edited = folder / "card_delivery.en.md"
    original = edited.read_text(encoding="utf-8")
    assert "\ntitle: When your new card arrives\n" in original
    edited.write_text(original.replace("title: When your new card arrives", "title: Card delivery times"))

    result = tugi("kb", "import", folder, "--json")

    assert result.exit_code == 0, result.stderr
    updated = {article: outcome for article, outcome in outcomes(result).items() if outcome != "unchanged"}
    assert updated == {"card_delivery.en": "updated"}
    assert next(r for r in json_lines(result) if r["article_id"] == "card_delivery")["detail"] == (
        "version 2 published"
    )
    served = kb.api("GET", "/v1/kb/articles/card_delivery", query={"locale": "en"})
    assert served.status == 200, served.body
    assert served.json()["title"] == "Card delivery times"

    (tmp_path / "original").mkdir()  # put the demo text back for the other tests
    shutil.copy(DEMO_KB / "card_delivery.en.md", tmp_path / "original")
    assert outcomes(tugi("kb", "import", tmp_path / "original", "--json")) == {"card_delivery.en": "updated"}


def test_a_broken_file_fails_with_exit_code_1_while_the_others_import(kb: EmbeddedPlatform, tmp_path: Path) -> None:
    (tmp_path / "cli_good.en.md").write_text("---\ntitle: Good\nstatus: published\n---\nBody.\n")
    (tmp_path / "cli_draft.et.md").write_text("---\ntitle: Mustand\nphrasings: [kuidas]\n---\n")
    (tmp_path / "cli_broken.en.md").write_text("---\ntitle: [broken\n---\nBody.\n")
    (tmp_path / "cli_german.de.md").write_text("---\ntitle: Deutsch\n---\n")

    result = tugi("kb", "import", tmp_path)

    assert result.exit_code == 1
    rows = {line.split("│")[1].strip(): line for line in result.stdout.splitlines() if line.startswith("│")}
    assert "created" in rows["cli_good.en.md"]
    assert "created" in rows["cli_draft.et.md"]
    assert "invalid_file: the front matter is not valid YAML" in rows["cli_broken.en.md"]
    assert "unsupported_locale: articles are written in en, et, not 'de'" in rows["cli_german.de.md"]
    assert "4 files: 2 created, 0 updated, 0 unchanged, 2 failed" in result.stderr
    token = kb.token("agent")
    good = kb.api("GET", "/v1/kb/articles/cli_good/en", token=token).json()
    assert (good["status"], good["latest"]["body"]) == ("published", "Body.")
    draft = kb.api("GET", "/v1/kb/articles/cli_draft/et/phrasings", token=token).json()
    assert [p["text"] for p in draft["items"]] == ["kuidas"]


def test_a_new_review_date_is_no_new_version_and_archived_archives(kb: EmbeddedPlatform, tmp_path: Path) -> None:
    path = tmp_path / "cli_dates.en.md"
    text = "---\ntitle: Dates\nreview_by: 2027-01-01\nstatus: published\n---\nBody.\n"
    path.write_text(text)
    assert outcomes(tugi("kb", "import", tmp_path, "--json")) == {"cli_dates.en": "created"}

    path.write_text(text.replace("2027-01-01", "2027-06-01"))
    later = json_lines(tugi("kb", "import", tmp_path, "--json"))
    path.write_text(text.replace("published", "archived"))
    archived = json_lines(tugi("kb", "import", tmp_path, "--json"))

    assert [(r["outcome"], r["detail"]) for r in later + archived] == [
        ("updated", "review date changed"),
        ("updated", "review date changed, archived"),
    ]
    head = kb.api("GET", "/v1/kb/articles/cli_dates/en", token=kb.token("agent")).json()
    assert (head["latest_version"], head["review_by"], head["status"]) == (1, "2027-01-01", "archived")


def test_importing_an_export_changes_nothing(demo_imported: Result, tmp_path: Path) -> None:
    exported = tugi("kb", "export", tmp_path / "export")

    assert exported.exit_code == 0, exported.stderr
    files = sorted((tmp_path / "export").glob("*.md"))
    assert f"Exported {len(files)} translations to" in exported.stdout
    assert {f.name for f in DEMO_FILES} <= {f.name for f in files}
    card_lost = (tmp_path / "export" / "card_lost.en.md").read_text(encoding="utf-8")
    assert "\n- I lost my card yesterday\n" in card_lost

    again = tugi("kb", "import", tmp_path / "export", "--json")

    assert again.exit_code == 0, again.stderr
    assert len(json_lines(again)) == len(files)
    assert set(outcomes(again).values()) == {"unchanged"}


def test_reindex_reports_the_published_count(kb: EmbeddedPlatform, demo_imported: Result) -> None:
    token = kb.token("agent")
    count = {
        status: len(
            kb.api(
                "GET", "/v1/kb/articles", query={"locale": "en", "status": status, "limit": "100"}, token=token
            ).json()["items"]
        )
        for status in ("draft", "published", "archived")
    }

    result = tugi("kb", "reindex", "--locale", "en")

    assert result.exit_code == 0, result.stderr
    removed = count["draft"] + count["archived"]
    assert f"en  indexed {count['published']}  removed {removed}" in result.stdout.splitlines()


def test_seed_loads_the_demo_knowledge_base(kb: EmbeddedPlatform, demo_imported: Result) -> None:
    supervisor = kb.token("supervisor")
    head = kb.api("GET", "/v1/kb/articles/card_lost/et", token=supervisor).json()
    changed = head["latest"] | {"title": "Vale pealkiri", "base_version": head["latest_version"], "publish": True}
    assert kb.api("PUT", "/v1/kb/articles/card_lost/et", json_body=changed, token=supervisor).status == 200

    result = tugi("seed")

    assert result.exit_code == 0, result.stderr
    n = len(DEMO_FILES)
    assert f"Demo knowledge base (demo_kb): {n} articles (0 created, 1 updated, {n - 1} unchanged, 0 failed)." in (
        result.stdout
    )
    restored = kb.api("GET", "/v1/kb/articles/card_lost", query={"locale": "et"}).json()
    assert restored["title"] == "Kaotatud või varastatud kaart"


def test_gaps_lists_what_customers_searched_for_in_vain(kb: EmbeddedPlatform, demo_imported: Result) -> None:
    for query in ("can I pay with bitcoin", "paying with bitcoin?", "pay in bitcoin"):
        assert tugi("kb", "search", query).exit_code == 0

    shown = tugi("kb", "gaps", "--days", "1", "--locale", "en")
    as_json = tugi("kb", "gaps", "--locale", "en", "--json")

    assert shown.exit_code == 0, shown.output
    assert "can I pay with bitcoin" in shown.stdout
    assert "Deflection (no contact within 7 days)" in shown.stdout
    (report,) = json_lines(as_json)
    bitcoin = next(g for g in report["gaps"] if "bitcoin" in g["wording"])
    assert (bitcoin["searches"], len(bitcoin["examples"])) == (3, 2)
    refused = tugi("kb", "gaps", "--locale", "fr")
    assert refused.exit_code == 1
    assert "422 unsupported_locale: the knowledge base is in en, et" in refused.stderr
