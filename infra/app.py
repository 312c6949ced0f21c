"""The CDK app: `cdk synth` / `cdk deploy` from the repository root (cdk.json runs `python -m infra.app`)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

_INFRA_DIR = Path(__file__).resolve().parent
# Run as `python infra/app.py`, Python puts infra/ first on sys.path, where infra/constructs/ would
# shadow the `constructs` library; the repo root in its place makes `import infra...` work.
sys.path[:] = [str(_INFRA_DIR.parent), *(p for p in sys.path if Path(p or ".").resolve() != _INFRA_DIR)]

from infra.jsii_env import silence_node_end_of_life_warning  # noqa: E402 - needs the sys.path fix above

silence_node_end_of_life_warning()

from aws_cdk import App, Environment, Tags, Validations  # noqa: E402 - after the jsii environment is set
from cdk_nag import AwsSolutionsChecks  # noqa: E402

from infra.config import TugiConfig  # noqa: E402
from infra.stacks.tugi_stack import TugiStack  # noqa: E402

STACK_NAME = "Tugi"


def main() -> None:
    """Synthesise the Tugi stack with the AwsSolutions checks (unacknowledged findings fail synth)."""
    app = App()
    config = TugiConfig.from_context(app.node)
    TugiStack(
        app,
        STACK_NAME,
        config=config,
        description="Tugi: serverless contact center",
        # No account is needed to synthesise; `cdk deploy` fills it from the credentials in use.
        env=Environment(account=os.environ.get("CDK_DEFAULT_ACCOUNT"), region=config.region),
    )
    Tags.of(app).add("project", "tugi")
    Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True))
    app.synth()


if __name__ == "__main__":
    main()
