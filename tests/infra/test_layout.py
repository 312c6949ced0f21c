"""The repository's layout: `cdk synth` / `cdk deploy` run from the root, as the CDK convention has it."""

import json
import shlex
from pathlib import Path

from infra.build_lambda import REPO_ROOT


def _json(path: Path) -> dict[str, object]:
    return dict(json.loads(path.read_text(encoding="utf-8")))


def test_cdk_json_sits_at_the_root_and_runs_the_app_from_there() -> None:
    assert not (REPO_ROOT / "infra" / "cdk.json").exists()
    command = shlex.split(str(_json(REPO_ROOT / "cdk.json")["app"]))
    interpreter, module = command[0], command[command.index("-m") + 1]
    assert (REPO_ROOT / interpreter).is_file(), "the interpreter `make install` creates"
    assert (REPO_ROOT / Path(*module.split("."))).with_suffix(".py").is_file()


def test_the_cdk_cli_is_installed_at_the_root_as_aws_cdk_2() -> None:
    assert not (REPO_ROOT / "infra" / "package.json").exists()
    cli_version = _json(REPO_ROOT / "package.json")["devDependencies"]
    assert isinstance(cli_version, dict)
    assert str(cli_version["aws-cdk"]).startswith("2."), "the 3.x CLI cannot read what aws-cdk-lib 2.x writes"
    assert "omit-lockfile-registry-resolved=true" in (REPO_ROOT / ".npmrc").read_text(encoding="utf-8").split()
