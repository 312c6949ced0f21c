"""Cold-start imports as Lambda runs them: the built folder, Python 3.13, only the runtime dependencies.

Run: `make bench-cold` (or `.venv/bin/python tests/bench/bench_cold_start.py --repeats 9`).
Prints figures, never asserts; the last line is
`cold_start import_ms_over_bare_max=N bare_ms=N`.

The folder is made by `infra/build_lambda.py` exactly as `make lambda-build` makes it (same code
path, same bytecode step), only with wheels for this machine's processor (`--platform x86_64`):
the aarch64 wheels of the real build cannot load here. Each entry module is imported by a fresh
`python3.13 -S` (no site-packages of the measuring interpreter) whose path holds that folder and
the `nlp` layer's `python/` (as `/var/task` and `/opt/python`), with `LAMBDA_TASK_ROOT` set (the
X-Ray SDK then runs as in Lambda, with no sampling client) and no bytecode written (`/var/task` is
read-only). The figure is the median wall time of the whole process, next to the median of bare
`python3.13 -S -c pass`; the CPU time (user + system) is printed too, as it varies less when other
work shares the machine.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from infra import build_lambda  # noqa: E402 - after the repo root is on the path

ENTRY_MODULES = build_lambda.ENTRY_MODULES
HOST_FOLDER = REPO / "build" / "lambda-x86_64"
HOST_LAYERS = REPO / "build" / "lambda-layers-x86_64"
# What Lambda sets before it imports the handler (the function's own settings come from CDK).
LAMBDA_ENVIRONMENT = {
    "AWS_REGION": "eu-west-1",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_LAMBDA_FUNCTION_NAME": "bench",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024",
    "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
    "POWERTOOLS_SERVICE_NAME": "tugi",
    "POWERTOOLS_METRICS_NAMESPACE": "Tugi",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONNOUSERSITE": "1",
    "LANG": "C.UTF-8",
    "PATH": "/usr/bin:/bin",
}


def build_host_folder(python: str) -> None:
    """The Lambda folder and layers for this machine's processor, built as `make lambda-build` builds them."""
    argv = ["--platform", "x86_64", "--out", str(HOST_FOLDER), "--layers", str(HOST_LAYERS), "--python", python]
    if build_lambda.main(argv) != 0:
        raise SystemExit("bench_cold_start: the build failed")


def run_ms(python: str, code: str, folder: Path, repeats: int) -> tuple[float, float]:
    """Median wall and CPU time of `python -S -c code` in fresh processes, the way Lambda starts one."""
    environment = LAMBDA_ENVIRONMENT | {
        "LAMBDA_TASK_ROOT": str(folder),
        "PYTHONPATH": f"{folder}:{HOST_LAYERS / 'nlp' / 'python'}",
    }
    wall, cpu = [], []
    for _ in range(repeats):
        before, started = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
        subprocess.run([python, "-S", "-c", code], cwd=folder, env=environment, check=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9, help="fresh interpreters per figure (default 9)")
    parser.add_argument("--python", help="the Python 3.13 to measure with (default: found like the build finds it)")
    parser.add_argument("--no-build", action="store_true", help=f"measure {HOST_FOLDER.name} as it is")
    args = parser.parse_args()
    python = build_lambda.find_lambda_python(args.python)
    if python is None:
        raise SystemExit("bench_cold_start: no Python 3.13 (pass --python)")
    if not args.no_build:
        build_host_folder(python)

    bare, bare_cpu = run_ms(python, "pass", HOST_FOLDER, args.repeats)
    print(f"python: {python}; folder: {HOST_FOLDER.relative_to(REPO)} (x86_64 wheels, built as for Lambda)")
    print(f"bare python3.13 -S -c pass: {bare:.0f} ms wall, {bare_cpu:.0f} ms CPU (medians of {args.repeats} runs)")
    over: dict[str, float] = {}
    for module in ENTRY_MODULES:
        wall, cpu = run_ms(python, f"import {module}", HOST_FOLDER, args.repeats)
        over[module] = wall - bare
        print(f"import {module}: {over[module]:.0f} ms wall, {cpu - bare_cpu:.0f} ms CPU over bare")
    # Deferred to the first invocation: boto3, botocore and their X-Ray patch, when the first client is built.
    first_client = (
        "import functions.email.intake; from shared.adapters.aws_clients import make_client;"
        " make_client('dynamodb', region='eu-west-1', endpoint_url=None)"
    )
    wall, _ = run_ms(python, first_client, HOST_FOLDER, args.repeats)
    print(f"first boto3 client after functions.email.intake: {wall - bare - over[ENTRY_MODULES[2]]:.0f} ms wall")
    print(f"cold_start import_ms_over_bare_max={max(over.values()):.0f} bare_ms={bare:.0f}")


if __name__ == "__main__":
    main()
