"""The `tugi` command line. Every command has --help; long work shows progress on stderr."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

if TYPE_CHECKING:
    from cli.api_client import LocalApi
    from cli.kb_sync import ImportResult
    from infra.local.mailbox import Mailbox
    from infra.local.runtime_info import RuntimeInfo
    from shared.ports import IntakeOutcomeRecord

app = typer.Typer(help="Tugi: a serverless omnichannel contact center.", no_args_is_help=True)
email_app = typer.Typer(help="Email channel tools.", no_args_is_help=True)
app.add_typer(email_app, name="email")
cases_app = typer.Typer(help="Cases of the running platform (`tugi dev`).", no_args_is_help=True)
app.add_typer(cases_app, name="cases")
customers_app = typer.Typer(help="Customers of the running platform (`tugi dev`).", no_args_is_help=True)
app.add_typer(customers_app, name="customers")
kb_app = typer.Typer(
    help="The knowledge base of the running platform (`tugi dev`): import, export, search, reindex.",
    no_args_is_help=True,
)
app.add_typer(kb_app, name="kb")

_stderr = Console(stderr=True, soft_wrap=True)


def _quiet_runtime() -> None:
    """Handlers log and emit metrics on stdout in Lambda; on the command line stdout is ours."""
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
    from shared.observability import logger  # after the environment is set

    for handler in logger.handlers:
        if hasattr(handler, "setStream"):
            handler.setStream(sys.stderr)


@email_app.command("ingest")
def email_ingest(
    files: Annotated[list[Path], typer.Argument(help="Raw RFC 822 messages (.eml)", show_default=False)],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per file on stdout")] = False,
    embedded: Annotated[
        bool, typer.Option("--embedded", help="On a throwaway platform of its own, even when `tugi dev` runs")
    ] = False,
) -> None:
    """Deliver raw messages to the email intake, as SES does.

    With `tugi dev` running, into it: each file goes to its raw-mail bucket, and S3's notification on the
    intake queue runs the intake handler there. Otherwise (or with --embedded) on a throwaway (moto)
    platform that ends with the command; files in one call share it, so a thread lands on one case.

    Each file ends in one outcome: new_case, added_to_case, auto_reply, bounce, duplicate or rejected.
    """
    _quiet_runtime()
    running = None if embedded else _running_platform()
    with contextlib.ExitStack() as stack:
        if running is not None:
            from infra.local.mailbox import Mailbox

            _stderr.print(f"Delivering to the running platform at {running.api_url} (--embedded for a throwaway one)")
            mailbox = Mailbox(
                s3=running.client("s3"),
                dynamodb=running.client("dynamodb"),
                bucket=running.raw_mail_bucket,
                table_name=running.table_name,
            )
            receive = _delivered_to(mailbox)
        else:
            from infra.local.platform import EmbeddedPlatform  # slow import: after --help

            receive = stack.enter_context(EmbeddedPlatform()).ingest_email
        results = [_ingested(path, receive, as_json) for path in _progress(files, stack)]
    if not as_json:
        _print_table(results)


def _running_platform() -> RuntimeInfo | None:
    from infra.local.runtime_info import DEFAULT_RUNTIME_FILE, RuntimeInfo

    path = Path(os.environ["TUGI_RUNTIME_FILE"]) if os.environ.get("TUGI_RUNTIME_FILE") else DEFAULT_RUNTIME_FILE
    try:
        return RuntimeInfo.read(path)
    except FileNotFoundError:
        return None


def _delivered_to(mailbox: Mailbox) -> Callable[[bytes], IntakeOutcomeRecord]:
    from infra.local.mailbox import NotAnswering
    from shared.ports import IntakeOutcomeRecord

    def receive(raw: bytes) -> IntakeOutcomeRecord:
        try:
            key, logged = mailbox.receive(raw)
        except NotAnswering:
            _stderr.print("[red]The running platform does not answer; is `tugi dev` still running? (--embedded)[/red]")
            raise typer.Exit(1) from None
        if logged is None:
            return IntakeOutcomeRecord(outcome="pending", reason=f"not processed yet ({key}); see the tugi dev log")
        return logged

    return receive


def _progress(files: list[Path], stack: contextlib.ExitStack) -> Iterator[Path]:
    progress = stack.enter_context(_bar("ingesting", len(files)))
    task = progress.add_task("ingest", total=len(files))
    for path in files:
        yield path
        progress.advance(task)


def _ingested(path: Path, receive: Callable[[bytes], IntakeOutcomeRecord], as_json: bool) -> dict[str, str | None]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        result: dict[str, str | None] = {"outcome": "rejected", "case_id": None, "customer_id": None}
        result["reason"] = f"cannot read: {exc.strerror}"
    else:
        outcome = receive(raw)
        result = {
            "outcome": outcome.outcome,
            "case_id": outcome.case_id,
            "customer_id": outcome.customer_id,
            "reason": outcome.reason,
        }
    result = {"file": str(path), **result}
    if as_json:
        sys.stdout.write(json.dumps(result) + "\n")
        sys.stdout.flush()
    return result


@app.command()
def outbox(
    to: Annotated[str | None, typer.Option("--to", help="Only what went to this address or number")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object a line instead of a table")] = False,
) -> None:
    """What the running platform sent, on every channel, newest first (queued and failed ones too)."""
    from infra.local.outbox import read_outbox

    info = _running_platform()
    if info is None:
        _stderr.print("[red]No running platform: start it with `make dev` (or `tugi dev`).[/red]")
        raise typer.Exit(1)
    entries = read_outbox(info.client("dynamodb"), info.table_name, to=to)
    if as_json:
        sys.stdout.write("".join(entry.model_dump_json() + "\n" for entry in entries))
        return
    table = Table("sent at", "channel", "to", "status", "reference", "subject", "links")
    for entry in entries:
        table.add_row(
            entry.sent_at.isoformat(timespec="seconds"),
            entry.channel,
            escape(entry.to),
            entry.status,
            entry.reference or "",
            escape(entry.subject[:60]),
            escape("\n".join(entry.links)),
        )
    Console().print(table)


_RUNTIME_FILE_HELP = "Where `tugi dev` records how to reach it (default: build/dev/runtime.json)"


@app.command()
def dev(
    port: Annotated[int, typer.Option(envvar="TUGI_PORT", help="Port of the local API")] = 8787,
    runtime_file: Annotated[Path | None, typer.Option(envvar="TUGI_RUNTIME_FILE", help=_RUNTIME_FILE_HELP)] = None,
    time_scale: Annotated[
        float,
        typer.Option(
            envvar="TUGI_TIME_SCALE",
            min=0.001,
            help="How much faster the platform clock runs (60: an hour of SLA time passes in a minute). Local only.",
        ),
    ] = 1.0,
) -> None:
    """Run the whole platform on this machine (moto, the real handlers, demo data) until Ctrl+C."""
    _quiet_runtime()
    from infra.local.platform import EmbeddedPlatform
    from infra.local.runtime_info import DEFAULT_RUNTIME_FILE, DEMO_PASSWORD, DEMO_USERS
    from infra.local.seed import seed_demo
    from infra.local.server import make_server, runtime_info

    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    path = runtime_file or DEFAULT_RUNTIME_FILE
    url = f"http://127.0.0.1:{port}"
    # Links in customers' emails (answers, articles) lead to this platform unless TUGI_PORTAL_URL says otherwise.
    env = {"TUGI_PORTAL_URL": os.environ.get("TUGI_PORTAL_URL") or url}
    with EmbeddedPlatform(
        env, moto_server=True, workflow=True, knowledge=True, time_scale=time_scale, email_queue=True
    ) as platform:
        try:
            server = make_server(platform, port)
        except OSError as exc:
            _stderr.print(f"[red]Port {port} is taken ({exc.strerror}); set TUGI_PORT to another.[/red]")
            raise typer.Exit(1) from exc
        with _stderr.status("Loading the demo data..."):
            seeded = seed_demo(platform)
        settings = platform.settings
        info = runtime_info(platform, url)
        info.model_copy(update={"table_name": settings.table_name, "raw_mail_bucket": settings.raw_mail_bucket}).write(
            path
        )
        _stderr.print(
            f"[bold green]Tugi is running[/bold green] at {url} "
            f"({seeded['cases']} demo cases, {seeded['articles']} knowledge-base articles)"
        )
        if time_scale != 1:
            _stderr.print(f"  clock    {time_scale:g}x real time (TUGI_TIME_SCALE)")
        _stderr.print(f"  portal   {url}/")
        _stderr.print(f"  health   {url}/v1/health")
        _stderr.print(f"  API docs {url}/v1/openapi.json")
        for role, (username, _) in DEMO_USERS.items():
            _stderr.print(f"  {role:<10} {username} / {DEMO_PASSWORD}   token: tugi token {role}")
        _stderr.print("Stop with Ctrl+C.")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            _stderr.print("Stopping.")
        finally:
            server.server_close()
            path.unlink(missing_ok=True)


@app.command()
def token(
    role: Annotated[str, typer.Argument(help="agent or supervisor")],
    runtime_file: Annotated[Path | None, typer.Option(envvar="TUGI_RUNTIME_FILE", help=_RUNTIME_FILE_HELP)] = None,
) -> None:
    """Print a bearer token (Cognito ID token) of a demo user of the running `tugi dev`."""
    from infra.local.runtime_info import DEFAULT_RUNTIME_FILE, RuntimeInfo

    path = runtime_file or DEFAULT_RUNTIME_FILE
    try:
        info = RuntimeInfo.read(path)
    except FileNotFoundError:
        _stderr.print("[red]No running platform: start it with `make dev` (or `tugi dev`).[/red]")
        raise typer.Exit(1) from None
    if role not in info.users:
        _stderr.print(f"[red]Unknown role {role!r}; use one of: {', '.join(info.users)}.[/red]")
        raise typer.Exit(2)
    sys.stdout.write(info.id_token(role) + "\n")


JsonOption = Annotated[bool, typer.Option("--json", help="The API's JSON instead of a table")]


def _api(role: str = "agent") -> LocalApi:
    from cli.api_client import LocalApi, NotRunning

    runtime_file = Path(os.environ["TUGI_RUNTIME_FILE"]) if os.environ.get("TUGI_RUNTIME_FILE") else None
    try:
        return LocalApi(runtime_file, role=role)
    except NotRunning:
        _stderr.print("[red]No running platform: start it with `make dev` (or `tugi dev`).[/red]")
        raise typer.Exit(1) from None


def _call(api: LocalApi, path: str, **query: str | int | None) -> Any:
    with _answering():
        return api.get(path, **query)


@cases_app.command("list")
def cases_list(
    queue: Annotated[str, typer.Option(help="Queue")] = "general",
    status: Annotated[str | None, typer.Option(help="Only this status (new, open, ...)")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100, help="How many")] = 25,
    as_json: JsonOption = False,
) -> None:
    """Cases of a queue, oldest first."""
    page = _call(_api(), "/v1/cases", queue=queue, status=status, limit=limit)
    if as_json:
        sys.stdout.write(json.dumps(page) + "\n")
        return
    table = Table("reference", "status", "priority", "channel", "subject", "case", title=f"queue {queue}")
    for case in page["items"]:
        table.add_row(
            case["reference"], case["status"], case["priority"], case["channel"], case["subject"][:50], case["case_id"]
        )
    Console().print(table)


@cases_app.command("show")
def cases_show(
    case_id: Annotated[str, typer.Argument(help="The case id, or its reference (TG-7K3P9Q)")],
    as_json: JsonOption = False,
) -> None:
    """A case with its messages and events, by its id or the reference a customer quotes."""
    case = _call(_api(), f"/v1/cases/{case_id}")
    if as_json:
        sys.stdout.write(json.dumps(case) + "\n")
        return
    console = Console()
    console.print(
        f"[bold]{case['reference']}[/bold] {case['subject']}  ({case['status']}, {case['priority']}, "
        f"queue {case['queue']}, version {case['version']})"
    )
    table = Table("at", "direction", "channel", "text")
    for message in case["messages"]:
        table.add_row(message["at"][:19], message["direction"], message["channel"], message["text"][:70])
    console.print(table)


@customers_app.command("show")
def customers_show(
    who: Annotated[str, typer.Argument(help="Customer id, email address or phone number")],
    as_json: JsonOption = False,
    limit: Annotated[int, typer.Option(min=1, max=100, help="Timeline entries, newest first")] = 50,
) -> None:
    """A customer, their identities and their latest timeline."""
    api = _api()
    if who.startswith("cus_"):
        view = _call(api, f"/v1/customers/{who}")
    else:
        view = _call(api, "/v1/customers", **({"email": who} if "@" in who else {"phone": who}))
    customer_id = view["customer"]["customer_id"]
    timeline = _call(api, f"/v1/customers/{customer_id}/timeline", limit=limit)
    if as_json:
        sys.stdout.write(json.dumps(view | {"timeline": timeline["items"]}) + "\n")
        return
    console = Console()
    console.print(f"[bold]{view['customer'].get('name') or customer_id}[/bold] {customer_id}")
    for identity in view["identities"]:
        console.print(f"  {identity['identity']['kind']:<8} {identity['identity']['value']}")
    table = Table("at", "what", "case", "text")
    for entry in timeline["items"]:
        if entry["type"] == "message":
            item = entry["message"]
            table.add_row(
                entry["at"][:19], f"{item['direction']} {item['channel']}", item["case_id"], item["text"][:60]
            )
        else:
            item = entry["event"]
            table.add_row(entry["at"][:19], item["kind"], item.get("case_id") or "", "")
    console.print(table)


# --- the knowledge base ------------------------------------------------------------------------

_OUTCOME_STYLE = {"created": "green", "updated": "cyan", "unchanged": "dim", "failed": "red"}
LocaleOption = Annotated[
    list[str] | None,
    typer.Option("--locale", help="A locale; repeat for more (default: en and et)", show_default=False),
]
_LOCALES = ["en", "et"]


@contextmanager
def _answering() -> Iterator[None]:
    """Turn the platform going away, or the API refusing a request, into a message and exit code 1."""
    from cli.api_client import ApiError, NotRunning

    try:
        yield
    except NotRunning:
        _stderr.print("[red]The platform stopped answering; is `tugi dev` still running?[/red]")
        raise typer.Exit(1) from None
    except ApiError as failure:
        _stderr.print(f"[red]{escape(str(failure))}[/red]")
        raise typer.Exit(1) from None


@kb_app.command("import")
def kb_import(
    folder: Annotated[
        Path,
        typer.Argument(
            help="A folder of <article_id>.<locale>.md files (searched recursively; README.md skipped)",
            exists=True,
            file_okay=False,
            show_default=False,
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per file on stdout")] = False,
) -> None:
    """Make the running platform's articles match Markdown files, as the demo supervisor.

    A file equal to its translation changes nothing. Changed text becomes a new version.

    `status: published` publishes it, `archived` archives, `draft` leaves the status; phrasings are added.

    Each file ends created, updated, unchanged or failed; a bad file fails alone. Exit code 1: some failed.
    """
    from cli.kb_files import ArticleFile, read_folder
    from cli.kb_sync import import_article, invalid_file

    items = read_folder(folder)
    if not items:
        _stderr.print(f"[red]No article files (*.md) under {escape(str(folder))}.[/red]")
        raise typer.Exit(1)
    api = _api("supervisor")
    results: list[ImportResult] = []
    with _answering(), _bar("importing", len(items)) as progress:
        task = progress.add_task("importing", total=len(items))
        for item in items:
            result = import_article(item, api.send) if isinstance(item, ArticleFile) else invalid_file(item)
            results.append(result)
            if as_json:
                sys.stdout.write(result.model_dump_json() + "\n")
                sys.stdout.flush()
            progress.advance(task)
    if not as_json:
        _print_import_table(results, folder)
    counts = {outcome: sum(r.outcome == outcome for r in results) for outcome in _OUTCOME_STYLE}
    _stderr.print(f"{len(results)} files: " + ", ".join(f"{n} {outcome}" for outcome, n in counts.items()))
    if counts["failed"]:
        raise typer.Exit(1)


@kb_app.command("export")
def kb_export(
    folder: Annotated[
        Path, typer.Argument(help="Where to write <article_id>.<locale>.md files", file_okay=False, show_default=False)
    ],
    locales: LocaleOption = None,
) -> None:
    """Write every translation (any status) with its phrasings to files that `tugi kb import` reads.

    A file holds the latest text; with unpublished changes it says `status: draft` (a draft never unpublishes).

    Importing the export back changes nothing. Files of the same name are replaced.
    """
    from cli.kb_files import ArticleFile, write_article_file
    from cli.kb_sync import export_articles

    api = _api()
    written: dict[str, int] = {}
    with (
        _answering(),
        Progress(
            SpinnerColumn(),
            TextColumn("exporting {task.description}"),
            TextColumn("{task.completed} written"),
            console=_stderr,
            transient=True,
        ) as progress,
    ):
        for locale in locales or _LOCALES:
            task = progress.add_task(locale, total=None)
            written[locale] = 0
            for article, phrasings in export_articles(locale, api.send):
                write_article_file(ArticleFile.from_api(article, phrasings), folder)
                written[locale] += 1
                progress.advance(task)
    per_locale = ", ".join(f"{locale} {n}" for locale, n in written.items())
    sys.stdout.write(f"Exported {sum(written.values())} translations to {folder} ({per_locale}).\n")


@kb_app.command("search")
def kb_search(
    query: Annotated[str, typer.Argument(help="What a customer would type", show_default=False)],
    locale: Annotated[str, typer.Option(help="The language to search")] = "en",
    limit: Annotated[int, typer.Option(min=1, max=20, help="How many hits")] = 5,
    as_json: JsonOption = False,
) -> None:
    """Search the published articles as customers do (the search is logged like theirs)."""
    result = _call(_api(), "/v1/kb/search", q=query, locale=locale, limit=limit)
    if as_json:
        sys.stdout.write(json.dumps(result) + "\n")
        return
    if not result["items"]:
        _stderr.print(f"No published {locale} article matches {escape(repr(query))}.")
        return
    table = Table("title", "short answer", "score", title=escape(f"{query} ({locale})"))
    table.add_column("article", no_wrap=True)
    for hit in result["items"]:
        table.add_row(escape(hit["title"]), escape(hit["short_answer"]), f"{hit['score']:.2f}", hit["article_id"])
    Console().print(table)


@kb_app.command("reindex")
def kb_reindex(locales: LocaleOption = None) -> None:
    """Rebuild the search index from the table, as the demo supervisor.

    Every translation is made to match: published ones are indexed, all others removed from search.
    """
    from cli.kb_sync import reindex_pages

    api = _api("supervisor")
    totals: dict[str, tuple[int, int]] = {}
    with (
        _answering(),
        Progress(
            SpinnerColumn(),
            TextColumn("reindexing {task.description}: {task.fields[indexed]} indexed, {task.fields[removed]} removed"),
            TimeElapsedColumn(),
            console=_stderr,
            transient=True,
        ) as progress,
    ):
        for locale in locales or _LOCALES:
            indexed = removed = 0
            task = progress.add_task(locale, total=None, indexed=0, removed=0)
            for page in reindex_pages(locale, api.send):
                indexed += page["indexed"]
                removed += page["removed"]
                progress.update(task, indexed=indexed, removed=removed)
            totals[locale] = (indexed, removed)
    for locale, (indexed, removed) in totals.items():
        sys.stdout.write(f"{locale}  indexed {indexed}  removed {removed}\n")


@kb_app.command("gaps")
def kb_gaps(
    days: Annotated[int, typer.Option(min=1, max=90, help="The period: this many days up to now")] = 30,
    locale: Annotated[str | None, typer.Option(help="Only this locale (default: all)")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100, help="Gaps and articles listed")] = 20,
    min_votes: Annotated[int, typer.Option(min=1, help="Verdicts an article needs to be rated")] = 3,
    as_json: JsonOption = False,
) -> None:
    """What to write next: unanswered questions grouped by wording, deflection, the least helpful articles."""
    report = _call(_api(), "/v1/reports/kb-gaps", days=days, locale=locale, limit=limit, min_votes=min_votes)
    if as_json:
        sys.stdout.write(json.dumps(report) + "\n")
        return
    console = Console()
    console.print(
        f"{report['searches']} searches in {days} days, {report['searches_without_good_result']} without a good"
        f" result; {report['contacts_without_article']} contacts resolved without an article"
        + (" [yellow](the oldest searches were left out)[/yellow]" if report["truncated"] else "")
    )
    gaps = Table("asked", "locale", "searches", "contacts", "closest article", "also asked as", title="Gaps")
    for gap in report["gaps"]:
        gaps.add_row(
            escape(gap["wording"][:80]),
            gap["locale"],
            str(gap["searches"]),
            str(gap["contacts"]),
            gap["closest_article_id"] or "",
            escape("; ".join(e[:40] for e in gap["examples"][:3])),
        )
    console.print(gaps)
    deflection = report["deflection"]
    console.print(
        f"Deflection (no contact within {deflection['window_days']} days): {_share(deflection['overall'])}"
        f"; {deflection['pending']} searches too recent to tell, {deflection['anonymous']} without a visitor id"
    )
    articles = Table("article", "locale", "searches", "deflected", title="Deflection by article read")
    for row in deflection["articles"][:limit]:
        articles.add_row(row["article_id"], row["locale"], str(row["searches"]), _share(row))
    console.print(articles)
    rated = Table("article", "locale", "title", "helpful", "not helpful", "ratio", title="Least helpful articles")
    for row in report["worst_rated"]:
        rated.add_row(
            row["article_id"],
            row["locale"],
            escape(row["title"][:50]),
            str(row["helpful"]),
            str(row["not_helpful"]),
            f"{row['helpful_ratio']:.0%}",
        )
    console.print(rated)


def _share(figures: dict[str, Any]) -> str:
    if figures["rate"] is None:
        return "no searches to tell yet"
    return f"{figures['rate']:.0%} ({figures['deflected']} of {figures['searches']})"


@app.command()
def seed() -> None:
    """Load the demo knowledge base (infra/local/demo_kb) into the running platform.

    The same import as `tugi kb import`, as the demo supervisor: run it again and nothing changes.

    `tugi dev` loads it at start.
    """
    from infra.local.seed import DEMO_KB, seed_knowledge_base

    api = _api("supervisor")
    with _answering(), _stderr.status("Loading the demo knowledge base..."):
        counts = seed_knowledge_base(api.send)
    outcomes = ", ".join(f"{counts[outcome]} {outcome}" for outcome in _OUTCOME_STYLE)
    sys.stdout.write(f"Demo knowledge base ({DEMO_KB.name}): {counts['articles']} articles ({outcomes}).\n")
    if counts["failed"]:
        _stderr.print("[red]Some demo articles failed: see `tugi kb import infra/local/demo_kb`.[/red]")
        raise typer.Exit(1)


def _bar(label: str, total: int) -> Progress:
    return Progress(
        TextColumn(f"[bold]{label}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=_stderr,
        transient=True,
        disable=total < 2,
    )


def _print_import_table(results: list[ImportResult], folder: Path) -> None:
    table = Table("file", "article", "locale", "outcome", "detail")
    for r in results:
        path = Path(r.file)
        name = str(path.relative_to(folder)) if path.is_relative_to(folder) else r.file
        style = _OUTCOME_STYLE[r.outcome.value]
        detail = f"{r.code}: {r.detail}" if r.code else r.detail
        outcome = f"[{style}]{r.outcome.value}[/{style}]"
        table.add_row(escape(name), r.article_id or "", r.locale or "", outcome, escape(detail))
    Console().print(table)


def _stop_on_sigterm(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def _print_table(results: list[dict[str, str | None]]) -> None:
    table = Table("file", "outcome", "case", "customer", "reason")
    for r in results:
        table.add_row(
            Path(str(r["file"])).name, r["outcome"], r["case_id"] or "", r["customer_id"] or "", r["reason"] or ""
        )
    Console().print(table)


if __name__ == "__main__":
    app()
