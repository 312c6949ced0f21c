"""Build the Lambda code folder for python3.13 on arm64, without Docker.

`python -m infra.build_lambda` (from the repo root) fills `build/lambda/` with our packages
(`shared/`, `functions/`) and the runtime dependencies from `[project].dependencies`, installed
as manylinux aarch64 wheels pinned by `constraints.txt`, and `build/lambda-layers/<name>/python/`
with each optional group in LAYERS (a Lambda layer for the functions that need it). The pip step
is skipped while a stamp shows the same dependency list, constraints, platform and bytecode
interpreter, so a code-only rebuild takes seconds.

Every module is compiled to `.pyc` by a Python 3.13 interpreter (`--python`, else `python3.13` on
PATH, else pyenv's): `/var/task` is read-only, so a folder without bytecode compiles every module
it imports on every cold start. Without a 3.13 interpreter the build still succeeds, warns, and
ships no bytecode (a 3.11 `.pyc` would be ignored by the runtime). `--platform x86_64` builds the
same folder for this machine's processor, so its imports can be measured here
(`tests/bench/bench_cold_start.py`).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT_DIR = REPO_ROOT / "build" / "lambda"
DEFAULT_LAYERS_DIR = REPO_ROOT / "build" / "lambda-layers"
# Optional dependency groups built as layers: only the functions that import them carry them.
LAYERS = ("nlp",)
SOURCE_PACKAGES = ("shared", "functions")
# The modules the functions' handlers live in (tests/infra checks them against the template): what a
# cold start imports, measured by tests/bench/bench_cold_start.py.
ENTRY_MODULES = (
    "functions.api.public",
    "functions.api.agent",
    "functions.email.intake",
    "functions.workflow.tasks",
    "functions.workflow.case_stream",
    "functions.workflow.sweep",
    "functions.knowledge.indexer",
)
STAMP_NAME = ".deps-stamp"
# The Lambda runtime is python3.13 on Graviton (aarch64); x86_64 builds a folder this machine can import.
LAMBDA_PYTHON_VERSION = (3, 13)
PLATFORMS = ("aarch64", "x86_64")
DEFAULT_PLATFORM = "aarch64"
# Modules nothing in Tugi imports, left uncompiled: phonenumbers' geocoder, carrier and time-zone tables
# (about 23 MB of bytecode; only parsing, formatting and the matcher are used).
NOT_COMPILED = r"/phonenumbers/(geodata|carrierdata|tzdata)/"
_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "tests", "test_*.py", "conftest.py")

Installer = Callable[[Path, Sequence[str], Path], None]


def _say(message: str, *, error: bool = False) -> None:
    print(f"build_lambda: {message}", file=sys.stderr if error else sys.stdout, flush=True)


class BuildError(RuntimeError):
    """The Lambda folder could not be built."""


def pip_platform_args(platform: str = DEFAULT_PLATFORM) -> tuple[str, ...]:
    """pip's options for binary cp313 wheels of one manylinux processor."""
    if platform not in PLATFORMS:
        raise BuildError(f"unknown platform {platform!r}; one of {', '.join(PLATFORMS)}")
    version = ".".join(map(str, LAMBDA_PYTHON_VERSION))
    return (
        "--platform",
        f"manylinux2014_{platform}",
        "--implementation",
        "cp",
        "--python-version",
        version,
        "--only-binary=:all:",
    )


PIP_PLATFORM_ARGS = pip_platform_args()


def find_lambda_python(explicit: str | None = None) -> str | None:
    """A Python 3.13 interpreter to compile the bytecode with, or None when the machine has none."""
    version = ".".join(map(str, LAMBDA_PYTHON_VERSION))
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates: list[str | None] = [explicit]
    if sys.version_info[:2] == LAMBDA_PYTHON_VERSION:
        candidates.append(sys.executable)
    candidates.append(shutil.which(f"python{version}"))
    candidates += [str(path) for path in sorted(pyenv_root.glob(f"versions/{version}.*/bin/python{version}"))]
    for candidate in filter(None, candidates):
        if _python_version(candidate) == LAMBDA_PYTHON_VERSION:
            return candidate
        if candidate == explicit:
            raise BuildError(f"{explicit} is not Python {version}; its bytecode would not load on the Lambda runtime")
    return None


def _python_version(python: str) -> tuple[int, int] | None:
    try:
        result = subprocess.run(  # noqa: S603 - fixed argv, no shell
            [python, "-c", "import sys; print(*sys.version_info[:2])"], capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return None  # e.g. a pyenv shim naming a version that is not installed
    major, minor = map(int, result.stdout.split())
    return major, minor


class BytecodeCompiler:
    """Compiles folders to `.pyc` with the Lambda runtime's Python version, or warns once that it cannot.

    `unchecked-hash` bytecode is never compared with its source: the folder is immutable once
    deployed, and the check would cost a `stat` per module on every cold start.
    """

    def __init__(self, python: str | None) -> None:
        self.python = python
        self._warned = False

    @property
    def tag(self) -> str | None:
        """What the compiled folder depends on (part of the dependency fingerprint)."""
        return f"cp313 unchecked-hash, not {NOT_COMPILED}" if self.python else None

    def __call__(self, folders: Sequence[Path]) -> None:
        if self.python is None:
            if not self._warned:
                _say(
                    "warning: no Python 3.13 found (--python, python3.13 on PATH or pyenv): shipping no bytecode,"
                    " so every cold start compiles each module it imports (about 300 ms more)",
                    error=True,
                )
                self._warned = True
            return
        command = [self.python, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash"]
        command += ["-x", NOT_COMPILED]
        result = subprocess.run([*command, *map(str, folders)], check=False)  # noqa: S603 - fixed argv, no shell
        if result.returncode != 0:
            raise BuildError(f"compileall failed with exit code {result.returncode}; see its output above")


def runtime_dependencies(pyproject: Path) -> list[str]:
    """The requirement strings of `[project].dependencies`."""
    with pyproject.open("rb") as file:
        return list(tomllib.load(file)["project"]["dependencies"])


def optional_dependencies(pyproject: Path, group: str) -> list[str]:
    """The requirement strings of `[project.optional-dependencies].<group>`."""
    with pyproject.open("rb") as file:
        return list(tomllib.load(file)["project"]["optional-dependencies"][group])


def dependency_fingerprint(
    dependencies: Sequence[str],
    constraints: Path,
    platform: str = DEFAULT_PLATFORM,
    bytecode: str | None = None,
) -> str:
    """What the installed dependencies depend on: the list, the pins, the target platform and their bytecode."""
    payload = json.dumps(
        {
            "dependencies": sorted(dependencies),
            "constraints": constraints.read_text(encoding="utf-8"),
            "platform": pip_platform_args(platform),
            "bytecode": bytecode,
        },
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def pip_installer(platform: str = DEFAULT_PLATFORM) -> Installer:
    """An installer of cp313 wheels for `platform`."""

    def install(out_dir: Path, dependencies: Sequence[str], constraints: Path) -> None:
        pip_install(out_dir, dependencies, constraints, platform=platform)

    return install


def pip_install(
    out_dir: Path, dependencies: Sequence[str], constraints: Path, platform: str = DEFAULT_PLATFORM
) -> None:
    """Install the dependencies as cp313 wheels for `platform` into `out_dir` with this interpreter's pip."""
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        *pip_platform_args(platform),
        "--target",
        str(out_dir),
        "--no-compile",  # the build machine's Python may not be 3.13; BytecodeCompiler compiles with one
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


@dataclass(frozen=True)
class Target:
    """What a folder is built for: the wheels' processor, and the compiler of its bytecode (None: no bytecode)."""

    platform: str = DEFAULT_PLATFORM
    compiler: BytecodeCompiler | None = None

    @property
    def bytecode(self) -> str | None:
        return self.compiler.tag if self.compiler else None

    def compile(self, folders: Sequence[Path]) -> None:
        if self.compiler:
            self.compiler(folders)


def build(repo_root: Path, out_dir: Path, install: Installer = pip_install, target: Target = Target()) -> None:
    """Build `out_dir`; reinstall (and compile) the dependencies only when their fingerprint changed."""
    dependencies = runtime_dependencies(repo_root / "pyproject.toml")
    _install_dependencies(repo_root, out_dir, out_dir, dependencies, install=install, target=target)
    copy_sources(repo_root, out_dir)
    target.compile([out_dir / package for package in SOURCE_PACKAGES])


def build_layer(
    repo_root: Path, layer_dir: Path, group: str, install: Installer = pip_install, target: Target = Target()
) -> None:
    """Build a layer of one optional dependency group: Lambda adds its `python/` to the path."""
    dependencies = optional_dependencies(repo_root / "pyproject.toml", group)
    _install_dependencies(repo_root, layer_dir, layer_dir / "python", dependencies, install=install, target=target)


def _install_dependencies(
    repo_root: Path, folder: Path, into: Path, dependencies: Sequence[str], *, install: Installer, target: Target
) -> None:
    """Install into `into` (inside `folder`, which holds the stamp) unless the stamp says it is done."""
    constraints = repo_root / "constraints.txt"
    # A build with another interpreter, or with none, starts again from a clean folder.
    fingerprint = dependency_fingerprint(dependencies, constraints, target.platform, target.bytecode)
    stamp = folder / STAMP_NAME
    if stamp.exists() and stamp.read_text(encoding="utf-8").strip() == fingerprint:
        _say(f"{folder.name}: dependencies unchanged ({fingerprint[:12]}), skipping pip")
        return
    _say(f"{folder.name}: installing {len(dependencies)} dependencies for python3.13 {target.platform}")
    _reset(folder)
    into.mkdir(parents=True, exist_ok=True)
    install(into, dependencies, constraints)
    # Console scripts name the build machine's interpreter; nothing on Lambda runs them.
    shutil.rmtree(into / "bin", ignore_errors=True)
    target.compile([into])
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
    parser.add_argument(
        "--platform", choices=PLATFORMS, default=DEFAULT_PLATFORM, help="wheels' processor (default: aarch64)"
    )
    parser.add_argument("--python", help="the Python 3.13 that compiles the bytecode (default: found on PATH/pyenv)")
    args = parser.parse_args(argv)
    try:
        target = Target(args.platform, BytecodeCompiler(find_lambda_python(args.python)))
        install = pip_installer(args.platform)
        build(REPO_ROOT, args.out.resolve(), install, target)
        for group in LAYERS:
            build_layer(REPO_ROOT, (args.layers / group).resolve(), group, install, target)
    except BuildError as error:
        _say(f"error: {error}", error=True)
        return 1
    _say(f"{args.out} is ready ({folder_size(args.out) / 1_000_000:.1f} MB)")
    for group in LAYERS:
        _say(f"{args.layers / group} is ready ({folder_size(args.layers / group) / 1_000_000:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
