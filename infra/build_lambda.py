"""Build the Lambda code folder for python3.13 on arm64, without Docker.

`python -m infra.build_lambda` (from the repo root) fills `build/lambda/` with our packages
(`shared/`, `functions/`) and the runtime dependencies from `[project].dependencies`, installed
as manylinux aarch64 wheels pinned by `constraints.txt`, and `build/lambda-layers/<name>/python/`
with each optional group in LAYERS (a Lambda layer for the functions that need it). The pip step
is skipped while a stamp shows the same dependency list, constraints and platform, so a code-only
rebuild takes a second.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable, Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT_DIR = REPO_ROOT / "build" / "lambda"
DEFAULT_LAYERS_DIR = REPO_ROOT / "build" / "lambda-layers"
# Optional dependency groups built as layers: only the functions that import them carry them.
LAYERS = ("nlp",)
SOURCE_PACKAGES = ("shared", "functions")
STAMP_NAME = ".deps-stamp"
# The Lambda runtime is python3.13 on Graviton: only binary wheels for that platform will do.
PIP_PLATFORM_ARGS = (
    "--platform",
    "manylinux2014_aarch64",
    "--implementation",
    "cp",
    "--python-version",
    "3.13",
    "--only-binary=:all:",
)
_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "tests", "test_*.py", "conftest.py")

Installer = Callable[[Path, Sequence[str], Path], None]


def _say(message: str, *, error: bool = False) -> None:
    print(f"build_lambda: {message}", file=sys.stderr if error else sys.stdout, flush=True)


class BuildError(RuntimeError):
    """The Lambda folder could not be built."""


def runtime_dependencies(pyproject: Path) -> list[str]:
    """The requirement strings of `[project].dependencies`."""
    with pyproject.open("rb") as file:
        return list(tomllib.load(file)["project"]["dependencies"])


def optional_dependencies(pyproject: Path, group: str) -> list[str]:
    """The requirement strings of `[project.optional-dependencies].<group>`."""
    with pyproject.open("rb") as file:
        return list(tomllib.load(file)["project"]["optional-dependencies"][group])


def dependency_fingerprint(dependencies: Sequence[str], constraints: Path) -> str:
    """What the installed dependencies depend on: the list, the pins and the target platform."""
    payload = json.dumps(
        {
            "dependencies": sorted(dependencies),
            "constraints": constraints.read_text(encoding="utf-8"),
            "platform": PIP_PLATFORM_ARGS,
        },
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def pip_install(out_dir: Path, dependencies: Sequence[str], constraints: Path) -> None:
    """Install the dependencies as aarch64 wheels into `out_dir` with this interpreter's pip."""
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        *PIP_PLATFORM_ARGS,
        "--target",
        str(out_dir),
        "--no-compile",  # .pyc files for the build machine's Python would be dead weight on 3.13
        "--disable-pip-version-check",
        "--quiet",
        "-c",
        str(constraints),
        *dependencies,
    ]
    _say(" ".join(command[1:]))
    result = subprocess.run(command, check=False)  # noqa: S603 - fixed argv, no shell
    if result.returncode != 0:
        raise BuildError(f"pip install failed with exit code {result.returncode}; see its output above")


def copy_sources(repo_root: Path, out_dir: Path) -> None:
    """Replace our packages in `out_dir` with fresh copies (no tests, no bytecode)."""
    for package in SOURCE_PACKAGES:
        target = out_dir / package
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(repo_root / package, target, ignore=_IGNORED)
        _say(f"copied {package}/")


def _reset(out_dir: Path) -> None:
    """Empty `out_dir`, refusing to touch a non-empty folder this build did not make."""
    if out_dir.exists() and any(out_dir.iterdir()) and not (out_dir / STAMP_NAME).exists():
        raise BuildError(
            f"{out_dir} is not empty and has no {STAMP_NAME}; not deleting a folder this build did not make"
        )
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    # Marks the folder as ours before pip runs, so a failed install is cleaned up next time.
    (out_dir / STAMP_NAME).write_text("incomplete\n", encoding="utf-8")


def build(repo_root: Path, out_dir: Path, install: Installer = pip_install) -> None:
    """Build `out_dir`; reinstall the dependencies only when their fingerprint changed."""
    _install_dependencies(repo_root, out_dir, out_dir, runtime_dependencies(repo_root / "pyproject.toml"), install)
    copy_sources(repo_root, out_dir)


def build_layer(repo_root: Path, layer_dir: Path, group: str, install: Installer = pip_install) -> None:
    """Build a layer of one optional dependency group: Lambda adds its `python/` to the path."""
    dependencies = optional_dependencies(repo_root / "pyproject.toml", group)
    _install_dependencies(repo_root, layer_dir, layer_dir / "python", dependencies, install)


def _install_dependencies(
    repo_root: Path, folder: Path, target: Path, dependencies: Sequence[str], install: Installer
) -> None:
    """Install into `target` (inside `folder`, which holds the stamp) unless the stamp says it is done."""
    constraints = repo_root / "constraints.txt"
    fingerprint = dependency_fingerprint(dependencies, constraints)
    stamp = folder / STAMP_NAME
    if stamp.exists() and stamp.read_text(encoding="utf-8").strip() == fingerprint:
        _say(f"{folder.name}: dependencies unchanged ({fingerprint[:12]}), skipping pip")
        return
    _say(f"{folder.name}: installing {len(dependencies)} dependencies for python3.13 arm64")
    _reset(folder)
    target.mkdir(parents=True, exist_ok=True)
    install(target, dependencies, constraints)
    # Console scripts name the build machine's interpreter; nothing on Lambda runs them.
    shutil.rmtree(target / "bin", ignore_errors=True)
    stamp.write_text(fingerprint + "\n", encoding="utf-8")


def folder_size(path: Path) -> int:
    """Total bytes of the files under `path`."""
    return sum(file.stat().st_size for file in path.rglob("*") if file.is_file())


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT_DIR, help="output folder (default: build/lambda)")
    parser.add_argument(
        "--layers", type=Path, default=DEFAULT_LAYERS_DIR, help="layers' folder (default: build/lambda-layers)"
    )
    args = parser.parse_args(argv)
    try:
        build(REPO_ROOT, args.out.resolve())
        for group in LAYERS:
            build_layer(REPO_ROOT, (args.layers / group).resolve(), group)
    except BuildError as error:
        _say(f"error: {error}", error=True)
        return 1
    _say(f"{args.out} is ready ({folder_size(args.out) / 1_000_000:.1f} MB)")
    for group in LAYERS:
        _say(f"{args.layers / group} is ready ({folder_size(args.layers / group) / 1_000_000:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
