import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from infra import build_lambda
from infra.build_lambda import (
    STAMP_NAME,
    BuildError,
    BytecodeCompiler,
    Target,
    build,
    build_layer,
    copy_sources,
    find_lambda_python,
    pip_install,
    runtime_dependencies,
)

LAMBDA_PYTHON = find_lambda_python()
# Lambda's bytecode must come from a 3.13 interpreter (pyenv has one on these machines, so these run);
# without one the build ships none, which test_without_python_3_13_... covers.
needs_python_3_13 = pytest.mark.skipif(
    LAMBDA_PYTHON is None,
    reason="no python3.13 on PATH or in pyenv: only the version Lambda runs can compile its bytecode",
)

PYPROJECT = """
[project]
name = "demo"
dependencies = ["pydantic", "nh3"]

[project.optional-dependencies]
nlp = ["lingua-language-detector"]
"""


class RecordingInstaller:
    """Stands in for pip: remembers each call and leaves a file where a package would go."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, out_dir: Path, dependencies: Sequence[str], constraints: Path) -> None:
        self.calls.append(list(dependencies))
        (out_dir / f"installed-{len(self.calls)}").write_text("wheel", encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "shared" / "__pycache__").mkdir(parents=True)
    (root / "shared" / "__init__.py").write_text("", encoding="utf-8")
    (root / "shared" / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\0")
    (root / "functions" / "api" / "tests").mkdir(parents=True)
    (root / "functions" / "api" / "public.py").write_text("def handler(): ...\n", encoding="utf-8")
    (root / "functions" / "api" / "tests" / "test_public.py").write_text("", encoding="utf-8")
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (root / "constraints.txt").write_text("pydantic==2.14.3\nnh3==0.3.7\n", encoding="utf-8")
    return root


def test_runtime_dependencies_come_from_project_dependencies(repo: Path) -> None:
    assert runtime_dependencies(repo / "pyproject.toml") == ["pydantic", "nh3"]


def test_copied_sources_leave_out_bytecode_and_tests(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    copy_sources(repo, out)
    copied = {path.relative_to(out).as_posix() for path in out.rglob("*") if path.is_file()}
    assert copied == {"shared/__init__.py", "functions/api/public.py"}


def test_second_build_skips_pip_and_refreshes_the_code(repo: Path, tmp_path: Path) -> None:
    out, install = tmp_path / "out", RecordingInstaller()
    build(repo, out, install)
    (repo / "functions" / "api" / "public.py").write_text("def handler(): return 1\n", encoding="utf-8")
    build(repo, out, install)
    assert install.calls == [["pydantic", "nh3"]]
    assert (out / "functions" / "api" / "public.py").read_text(encoding="utf-8") == "def handler(): return 1\n"


def test_changed_constraints_reinstall_into_a_clean_folder(repo: Path, tmp_path: Path) -> None:
    out, install = tmp_path / "out", RecordingInstaller()
    build(repo, out, install)
    (repo / "constraints.txt").write_text("pydantic==2.15.0\nnh3==0.3.7\n", encoding="utf-8")
    build(repo, out, install)
    assert len(install.calls) == 2
    assert not (out / "installed-1").exists()
    assert (out / "installed-2").exists()


def test_failed_install_is_retried_by_the_next_build(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"

    def failing(out_dir: Path, dependencies: Sequence[str], constraints: Path) -> None:
        raise BuildError("pip failed")

    with pytest.raises(BuildError):
        build(repo, out, failing)
    install = RecordingInstaller()
    build(repo, out, install)
    assert len(install.calls) == 1


def test_build_refuses_to_empty_a_folder_it_did_not_make(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "precious"
    out.mkdir()
    (out / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(BuildError, match="not deleting"):
        build(repo, out, RecordingInstaller())
    assert (out / "notes.txt").exists()


def test_pip_installs_only_python_3_13_arm64_wheels_and_fails_loudly(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    commands: list[list[str]] = []

    def fake_run(command: list[str], check: bool) -> subprocess.CompletedProcess[bytes]:
        commands.append(command)
        return subprocess.CompletedProcess(command, returncode=1)

    monkeypatch.setattr(build_lambda.subprocess, "run", fake_run)
    with pytest.raises(BuildError, match="exit code 1"):
        pip_install(tmp_path, ["pydantic"], tmp_path / "constraints.txt")
    (command,) = commands
    for expected in (
        ["--platform", "manylinux2014_aarch64"],
        ["--implementation", "cp"],
        ["--python-version", "3.13"],
        ["--only-binary=:all:"],
        ["--target", str(tmp_path)],
        ["-c", str(tmp_path / "constraints.txt")],
    ):
        start = command.index(expected[0])
        assert command[start : start + len(expected)] == expected
    assert command[-1] == "pydantic"
    assert STAMP_NAME not in command


def test_a_layer_holds_its_optional_group_under_python_and_is_rebuilt_only_when_it_changes(
    repo: Path, tmp_path: Path
) -> None:
    layer, install = tmp_path / "layers" / "nlp", RecordingInstaller()
    build_layer(repo, layer, "nlp", install)
    build_layer(repo, layer, "nlp", install)

    assert install.calls == [["lingua-language-detector"]]
    assert (layer / "python" / "installed-1").exists(), "Lambda adds the layer's python/ to the path"
    assert not (layer / "python" / "shared").exists(), "our code stays in the function's own folder"
    (repo / "constraints.txt").write_text("lingua-language-detector==2.1.1\n", encoding="utf-8")
    build_layer(repo, layer, "nlp", install)
    assert len(install.calls) == 2


def _pip_command(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **options: str) -> list[str]:
    commands: list[list[str]] = []

    def fake_run(command: list[str], check: bool) -> subprocess.CompletedProcess[bytes]:
        commands.append(command)
        return subprocess.CompletedProcess(command, returncode=0)

    monkeypatch.setattr(build_lambda.subprocess, "run", fake_run)
    pip_install(tmp_path, ["pydantic"], tmp_path / "constraints.txt", **options)
    (command,) = commands
    return command


def test_the_host_platform_build_asks_pip_for_x86_64_wheels_of_python_3_13(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    command = _pip_command(monkeypatch, tmp_path, platform="x86_64")
    start = command.index("--platform")
    assert command[start : start + 6] == [
        "--platform", "manylinux2014_x86_64", "--implementation", "cp", "--python-version", "3.13",
    ]  # fmt: skip


def test_an_unknown_platform_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="unknown platform"):
        _pip_command(monkeypatch, tmp_path, platform="riscv64")


def _bytecode_flags(pyc: Path) -> int:
    """The flags word of a .pyc header (PEP 552): 1 = hash-based, not checked against its source."""
    return int.from_bytes(pyc.read_bytes()[4:8], "little")


@needs_python_3_13
def test_every_module_ships_bytecode_for_python_3_13_that_is_never_checked_against_its_source(
    repo: Path, tmp_path: Path
) -> None:
    out, layer = tmp_path / "out", tmp_path / "layers" / "nlp"

    def install(out_dir: Path, dependencies: Sequence[str], constraints: Path) -> None:
        (out_dir / "dependency").mkdir()
        (out_dir / "dependency" / "__init__.py").write_text("VALUE = 1\n", encoding="utf-8")
        (out_dir / "phonenumbers" / "geodata").mkdir(parents=True)
        (out_dir / "phonenumbers" / "geodata" / "data0.py").write_text("DATA = {}\n", encoding="utf-8")

    target = Target(compiler=BytecodeCompiler(LAMBDA_PYTHON))
    build(repo, out, install, target)
    build_layer(repo, layer, "nlp", install, target)

    compiled = {
        out / "shared" / "__pycache__" / "__init__.cpython-313.pyc",
        out / "functions" / "api" / "__pycache__" / "public.cpython-313.pyc",
        out / "dependency" / "__pycache__" / "__init__.cpython-313.pyc",
        layer / "python" / "dependency" / "__pycache__" / "__init__.cpython-313.pyc",
    }
    assert {pyc for pyc in compiled if pyc.is_file()} == compiled
    assert {_bytecode_flags(pyc) for pyc in compiled} == {1}
    assert not list(out.rglob("*.cpython-311.pyc")), "the repository's own bytecode stays out"
    assert not list((out / "phonenumbers").rglob("*.pyc")), "tables Tugi never imports stay uncompiled"


@needs_python_3_13
def test_a_build_with_bytecode_reinstalls_a_folder_built_without(repo: Path, tmp_path: Path) -> None:
    out, install = tmp_path / "out", RecordingInstaller()
    build(repo, out, install)
    build(repo, out, install, Target(compiler=BytecodeCompiler(LAMBDA_PYTHON)))
    assert len(install.calls) == 2, "the dependencies built without bytecode are compiled too"


def test_without_python_3_13_the_build_ships_no_bytecode_and_says_what_that_costs(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build(repo, tmp_path / "out", RecordingInstaller(), Target(compiler=BytecodeCompiler(None)))
    assert not list((tmp_path / "out").rglob("*.pyc"))
    assert capsys.readouterr().err.count("no Python 3.13 found") == 1


def test_an_interpreter_named_for_the_bytecode_must_be_python_3_13() -> None:
    with pytest.raises(BuildError, match=r"not Python 3\.13"):
        find_lambda_python(sys.executable if sys.version_info[:2] != (3, 13) else "/bin/false")
