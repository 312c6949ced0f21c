"""One synthesised Tugi stack for the whole infra test session (synthesis takes seconds)."""

from __future__ import annotations

import pytest

from infra.jsii_env import silence_node_end_of_life_warning

silence_node_end_of_life_warning()

from aws_cdk import App, Environment  # noqa: E402 - after the jsii environment is set
from aws_cdk.assertions import Template  # noqa: E402

from infra.build_lambda import REPO_ROOT, copy_sources  # noqa: E402
from infra.config import TugiConfig, cdk_json_context  # noqa: E402
from infra.stacks.tugi_stack import TugiStack  # noqa: E402
from tests.infra.cfn import Resources  # noqa: E402

ACCOUNT = "123456789012"
REGION = "eu-west-1"


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> TugiStack:
    # Only our source packages: the stack must synthesise without the pip step of the real build.
    asset_dir = tmp_path_factory.mktemp("lambda")
    copy_sources(REPO_ROOT, asset_dir)
    (asset_dir / "functions" / "__pycache__").mkdir()
    (asset_dir / "functions" / "__pycache__" / "__init__.cpython-313.pyc").write_bytes(b"bytecode the build made")
    layer_dir = tmp_path_factory.mktemp("nlp-layer")
    (layer_dir / "python").mkdir()
    context = {**cdk_json_context(), "lambda_asset_dir": str(asset_dir), "nlp_layer_dir": str(layer_dir)}
    app = App(context=context)
    return TugiStack(
        app, "Tugi", config=TugiConfig.from_context(app.node), env=Environment(account=ACCOUNT, region=REGION)
    )


@pytest.fixture(scope="session")
def template(stack: TugiStack) -> Template:
    return Template.from_stack(stack)


@pytest.fixture(scope="session")
def resources(template: Template) -> Resources:
    """Logical id → resource, for the assertions `Template` has no matcher for."""
    return template.to_json()["Resources"]
