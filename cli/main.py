"""The `tugi` command line. Every command has --help; long work shows progress on stderr."""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

if TYPE_CHECKING:
    from cli.api_client import LocalApi

app = typer.Typer(help="Tugi: a serverless omnichannel contact center.", no_args_is_help=True)
email_app = typer.Typer(help="Email channel tools.", no_args_is_help=True)
app.add_typer(email_app, name="email")
cases_app = typer.Typer(help="Cases of the running platform (`tugi dev`).", no_args_is_help=True)
app.add_typer(cases_app, name="cases")
customers_app = typer.Typer(help="Customers of the running platform (`tugi dev`).", no_args_is_help=True)
app.add_typer(customers_app, name="customers")

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
) -> None:
    """Run raw messages through the email intake handler on an embedded (moto) platform.

    Files in one call share one platform, so a thread lands on one case.

    Each file ends in one outcome: new_case, added_to_case, auto_reply, bounce, duplicate or rejected.
    """
    _quiet_runtime()
    from infra.local.platform import EmbeddedPlatform  # slow import: after --help

    results: list[dict[str, str | None]] = []
    with (
        EmbeddedPlatform() as platform,
        Progress(
            TextColumn("[bold]ingesting"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=_stderr,
            transient=True,
            disable=len(files) < 2,
        ) as progress,
    ):
        task = progress.add_task("ingest", total=len(files))
        for path in files:
            result: dict[str, str | None]
            try:
                raw = path.read_bytes()
            except OSError as exc:
                result = {
                    "outcome": "rejected",
                    "case_id": None,
                    "customer_id": None,
                    "reason": f"cannot read: {exc.strerror}",
                }
            else:
                outcome = platform.ingest_email(raw)
                result = {
                    "outcome": outcome.outcome,
                    "case_id": outcome.case_id,
                    "customer_id": outcome.customer_id,
                    "reason": outcome.reason,
                }
            results.append({"file": str(path), **result})
            if as_json:
                sys.stdout.write(json.dumps(results[-1]) + "\n")
                sys.stdout.flush()
            progress.advance(task)
    if not as_json:
        _print_table(results)


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
    with EmbeddedPlatform(moto_server=True, workflow=True, time_scale=time_scale) as platform:
        try:
            server = make_server(platform, port)
        except OSError as exc:
            _stderr.print(f"[red]Port {port} is taken ({exc.strerror}); set TUGI_PORT to another.[/red]")
            raise typer.Exit(1) from exc
        with _stderr.status("Loading the demo data..."):
            seeded = seed_demo(platform)
        url = f"http://127.0.0.1:{port}"
        runtime_info(platform, url).write(path)
        _stderr.print(f"[bold green]Tugi is running[/bold green] at {url} ({seeded['cases']} demo cases)")
        if time_scale != 1:
            _stderr.print(f"  clock    {time_scale:g}x real time (TUGI_TIME_SCALE)")
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


def _api() -> LocalApi:
    from cli.api_client import LocalApi, NotRunning

    try:
        return LocalApi(Path(os.environ["TUGI_RUNTIME_FILE"]) if os.environ.get("TUGI_RUNTIME_FILE") else None)
    except NotRunning:
        _stderr.print("[red]No running platform: start it with `make dev` (or `tugi dev`).[/red]")
        raise typer.Exit(1) from None


def _call(api: LocalApi, path: str, **query: str | int | None) -> Any:
    from cli.api_client import ApiError, NotRunning

    try:
        return api.get(path, **query)
    except NotRunning:
        _stderr.print("[red]The platform stopped answering; is `tugi dev` still running?[/red]")
        raise typer.Exit(1) from None
    except ApiError as error:
        _stderr.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from None


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
def cases_show(case_id: Annotated[str, typer.Argument(help="The case id")], as_json: JsonOption = False) -> None:
    """A case with its messages and events."""
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
