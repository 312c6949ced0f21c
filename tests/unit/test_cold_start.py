"""What a Lambda entry module costs at import: no library patched for X-Ray, no parser it may never use."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from infra.build_lambda import ENTRY_MODULES

_PROBE = """
import json, sys
from aws_xray_sdk.core import patcher
for module in sys.argv[1:]:
    __import__(module)
imported = {"patched": sorted(patcher._PATCHED_MODULES), "loaded": sorted(m for m in sys.modules if "." not in m)}
from shared.adapters.aws_clients import make_client
make_client("dynamodb", region="eu-west-1", endpoint_url=None)
print(json.dumps(imported | {"patched_after_client": sorted(patcher._PATCHED_MODULES)}))
"""


def _import_as_lambda(*modules: str) -> dict[str, list[str]]:
    """Import `modules` in a fresh interpreter with Lambda's environment (tracing on, as in AWS)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("POWERTOOLS_", "AWS_"))} | {
        "LAMBDA_TASK_ROOT": str(Path.cwd()),
        "AWS_LAMBDA_FUNCTION_NAME": "probe",
        "AWS_REGION": "eu-west-1",
    }
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, *modules], env=environment, capture_output=True, text=True, check=True
    )
    return dict(json.loads(result.stdout.splitlines()[-1]))


def test_entry_modules_patch_no_library_at_import_and_botocore_with_the_first_client() -> None:
    probe = _import_as_lambda(*ENTRY_MODULES)
    assert probe["patched"] == [], "Powertools' Tracer() patches every library X-Ray knows unless told not to"
    assert probe["patched_after_client"] == ["botocore"]


def test_entry_modules_leave_the_address_and_number_parsers_for_the_first_request_that_needs_them() -> None:
    loaded = set(_import_as_lambda(*ENTRY_MODULES)["loaded"])
    assert {"email_validator", "phonenumbers"}.isdisjoint(loaded)
