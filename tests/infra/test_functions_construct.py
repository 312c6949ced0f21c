from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App

from infra.build_lambda import ENTRY_MODULES
from infra.config import TugiConfig, cdk_json_context
from infra.stacks.tugi_stack import TugiStack
from tests.infra.cfn import Resources, logical_id_of, of_type

HANDLERS = {
    "PublicApi": "functions.api.public.handler",
    "AgentApi": "functions.api.agent.handler",
    "EmailIntake": "functions.email.intake.handler",
}


def _function(resources: Resources, name: str) -> dict[str, Any]:
    return resources[logical_id_of(resources, "AWS::Lambda::Function", f"Functions{name}Function")]["Properties"]


def _statements(resources: Resources, name: str) -> list[dict[str, Any]]:
    policy = resources[logical_id_of(resources, "AWS::IAM::Policy", f"Functions{name}RoleDefaultPolicy")]
    return policy["Properties"]["PolicyDocument"]["Statement"]


def _actions(statement: dict[str, Any]) -> set[str]:
    actions = statement["Action"]
    return {actions} if isinstance(actions, str) else set(actions)


def _object_grants(resources: Resources, name: str) -> set[tuple[str, str, str]]:
    """(action, bucket logical id, key pattern) for every S3 object statement of the function."""
    grants = set()
    for statement in _statements(resources, name):
        resources_ = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        for resource in resources_:
            if isinstance(resource, dict) and "Fn::Join" in resource:
                parts = resource["Fn::Join"][1]
                if "Fn::GetAtt" in parts[0] and parts[1].startswith("/") and "index" not in parts[1]:
                    for action in _actions(statement):
                        grants.add((action, parts[0]["Fn::GetAtt"][0], parts[1]))
    return grants


@pytest.mark.parametrize(("name", "handler"), HANDLERS.items())
def test_function_runs_python_3_13_on_arm64_with_tracing_and_its_handler(
    resources: Resources, name: str, handler: str
) -> None:
    function = _function(resources, name)
    assert function["Runtime"] == "python3.13"
    assert function["Architectures"] == ["arm64"]
    assert function["Handler"] == handler
    assert function["TracingConfig"] == {"Mode": "Active"}


def test_all_functions_share_one_code_asset(resources: Resources) -> None:
    codes = {str(_function(resources, name)["Code"]) for name in HANDLERS}
    assert len(codes) == 1


def test_api_functions_answer_in_ten_seconds_and_intake_gets_a_minute_and_more_memory(resources: Resources) -> None:
    assert (_function(resources, "PublicApi")["Timeout"], _function(resources, "PublicApi")["MemorySize"]) == (10, 512)
    assert (_function(resources, "AgentApi")["Timeout"], _function(resources, "AgentApi")["MemorySize"]) == (10, 512)
    assert (_function(resources, "EmailIntake")["Timeout"], _function(resources, "EmailIntake")["MemorySize"]) == (
        60,
        1024,
    )


@pytest.mark.parametrize("name", HANDLERS)
def test_function_environment_carries_powertools_and_tugi_settings(resources: Resources, name: str) -> None:
    variables = _function(resources, name)["Environment"]["Variables"]
    assert variables["POWERTOOLS_SERVICE_NAME"] == "tugi"
    assert variables["POWERTOOLS_METRICS_NAMESPACE"] == "Tugi"
    assert variables["POWERTOOLS_LOG_LEVEL"] == "INFO"
    assert variables["TUGI_TABLE_NAME"] == {"Ref": logical_id_of(resources, "AWS::DynamoDB::Table", "DataTable")}
    assert variables["TUGI_RAW_MAIL_BUCKET"] == {"Ref": logical_id_of(resources, "AWS::S3::Bucket", "RawMail")}
    assert variables["TUGI_ATTACHMENTS_BUCKET"] == {"Ref": logical_id_of(resources, "AWS::S3::Bucket", "Attachments")}
    assert variables["TUGI_SUPPORT_ADDRESS"] == "support@tugi.example"
    assert variables["TUGI_MAIL_DOMAIN"] == "tugi.example"
    assert variables["TUGI_DEFAULT_PHONE_REGION"] == "EE"


def test_function_logs_are_kept_one_month(resources: Resources) -> None:
    retention = {
        logical_id: r["Properties"]["RetentionInDays"]
        for logical_id, r in of_type(resources, "AWS::Logs::LogGroup")
        if logical_id.startswith("Functions")
    }
    assert sorted(retention.values()) == [30, 30, 30]


@pytest.mark.parametrize("name", HANDLERS)
def test_function_role_has_no_managed_policies(resources: Resources, name: str) -> None:
    role = resources[logical_id_of(resources, "AWS::IAM::Role", f"Functions{name}Role")]["Properties"]
    assert "ManagedPolicyArns" not in role


@pytest.mark.parametrize("name", HANDLERS)
def test_function_reads_and_writes_the_table_and_its_two_indexes_but_cannot_scan(
    resources: Resources, name: str
) -> None:
    table = logical_id_of(resources, "AWS::DynamoDB::Table", "DataTable")
    (statement,) = [s for s in _statements(resources, name) if any(a.startswith("dynamodb:") for a in _actions(s))]
    assert {"dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem"} <= _actions(statement)
    assert "dynamodb:Scan" not in _actions(statement)
    assert statement["Resource"] == [
        {"Fn::GetAtt": [table, "Arn"]},
        {"Fn::Join": ["", [{"Fn::GetAtt": [table, "Arn"]}, "/index/gsi1"]]},
        {"Fn::Join": ["", [{"Fn::GetAtt": [table, "Arn"]}, "/index/gsi2"]]},
    ]


def test_each_function_touches_only_the_objects_it_needs(resources: Resources) -> None:
    raw = logical_id_of(resources, "AWS::S3::Bucket", "RawMail")
    attachments = logical_id_of(resources, "AWS::S3::Bucket", "Attachments")
    assert _object_grants(resources, "PublicApi") == {("s3:PutObject", raw, "/rejected/*")}
    assert _object_grants(resources, "AgentApi") == {("s3:GetObject", attachments, "/messages/*")}
    assert _object_grants(resources, "EmailIntake") == {
        ("s3:GetObject", raw, "/inbound/*"),
        ("s3:PutObject", attachments, "/messages/*"),
    }


def test_only_the_agent_api_may_send_mail_and_only_as_the_mail_domain(resources: Resources) -> None:
    senders = {
        name: [s for s in _statements(resources, name) if "ses:SendRawEmail" in _actions(s)] for name in HANDLERS
    }
    assert senders["PublicApi"] == senders["EmailIntake"] == []
    (statement,) = senders["AgentApi"]
    assert statement["Resource"] == "arn:aws:ses:eu-west-1:123456789012:identity/tugi.example"


def test_stack_without_built_lambda_code_says_how_to_build_it(tmp_path: Path) -> None:
    app = App(context={**cdk_json_context(), "lambda_asset_dir": str(tmp_path)})
    with pytest.raises(FileNotFoundError, match="make lambda-build"):
        TugiStack(app, "Tugi", config=TugiConfig.from_context(app.node))


def test_the_code_asset_ships_the_bytecode_the_build_compiled(stack: TugiStack, template: object) -> None:
    # /var/task is read-only: a .pyc left out of the asset is compiled again on every cold start.
    staged = [path for path in Path(stack.node.root.outdir).glob("asset.*") if (path / "functions").is_dir()]
    assert staged, "the Lambda code asset was not staged"
    assert all((path / "functions" / "__pycache__" / "__init__.cpython-313.pyc").is_file() for path in staged)


def test_every_handler_lives_in_an_entry_module_the_cold_start_bench_measures(resources: Resources) -> None:
    functions = of_type(resources, "AWS::Lambda::Function")
    handlers = {function["Properties"].get("Handler", "") for _, function in functions}
    ours = {handler.rsplit(".", 1)[0] for handler in handlers if handler.startswith("functions.")}
    assert ours == set(ENTRY_MODULES)
