import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

from infra import build_lambda
from infra.build_lambda import (
    STAMP_NAME,
    BuildError,
    build,
    build_layer,
    copy_sources,
    pip_install,
    runtime_dependencies,
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
