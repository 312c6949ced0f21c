from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Environment, Stage
from aws_cdk.assertions import Match, Template

from infra.config import TugiConfig, cdk_json_context
from infra.constructs import workflow
from infra.constructs.data import DATA_ACTIONS
from infra.constructs.workflow import WORKFLOW_FILE, substitution_names
from infra.stacks.tugi_stack import TugiStack
from tests.infra.cfn import Resources, assert_dead_letter_queue, logical_id_of, of_type, only
from tests.infra.conftest import ACCOUNT, REGION

SUPERVISORS = ("lead@tugi.example", "night-shift@tugi.example")
MAIL_IDENTITY = f"arn:aws:ses:{REGION}:{ACCOUNT}:identity/tugi.example"


def _function(resources: Resources, fragment: str) -> dict[str, Any]:
    properties: dict[str, Any] = resources[logical_id_of(resources, "AWS::Lambda::Function", fragment)]["Properties"]
    return properties


def _statements(resources: Resources, role_fragment: str) -> list[dict[str, Any]]:
    policy = resources[logical_id_of(resources, "AWS::IAM::Policy", f"{role_fragment}RoleDefaultPolicy")]
    statements: list[dict[str, Any]] = policy["Properties"]["PolicyDocument"]["Statement"]
    return statements


def _actions(statement: dict[str, Any]) -> set[str]:
    actions = statement["Action"]
    return {actions} if isinstance(actions, str) else set(actions)


def _granted(resources: Resources, role_fragment: str, prefix: str) -> list[tuple[set[str], Any]]:
    """(actions, resource) of each statement of the role that grants an action starting with `prefix`."""
    return [
        ({a for a in _actions(s) if a.startswith(prefix)}, s["Resource"])
        for s in _statements(resources, role_fragment)
        if any(a.startswith(prefix) for a in _actions(s))
    ]


def _state_machine(resources: Resources) -> tuple[str, dict[str, Any]]:
    logical_id, machine = only(resources, "AWS::StepFunctions::StateMachine")
    return logical_id, machine["Properties"]


def _ref(resources: Resources, resource_type: str, fragment: str) -> dict[str, str]:
    return {"Ref": logical_id_of(resources, resource_type, fragment)}


def _topic(resources: Resources) -> str:
    return logical_id_of(resources, "AWS::SNS::Topic", "WorkflowEscalations")


def _built_code(stack: TugiStack) -> dict[str, Any]:
    """Context for another stack that reuses the session stack's built code and layer."""
    names = ("lambda_asset_dir", "nlp_layer_dir")
    return {**cdk_json_context(), **{name: stack.node.try_get_context(name) for name in names}}


@pytest.fixture(scope="module")
def supervised_resources(stack: TugiStack) -> Resources:
    """A second stack, deployed with two supervisors (reuses the session stack's built code)."""
    app = App(context={**_built_code(stack), "supervisor_emails": ",".join(SUPERVISORS)})
    supervised = TugiStack(
        app, "Tugi", config=TugiConfig.from_context(app.node), env=Environment(account=ACCOUNT, region=REGION)
    )
    resources: Resources = Template.from_stack(supervised).to_json()["Resources"]
    return resources


def test_substitution_names_are_the_placeholders_a_definition_file_uses(tmp_path: Path) -> None:
    definition = tmp_path / "x.asl.json"
    definition.write_text('{"A": "${FunctionArn}", "B": "${FunctionArn}", "C": "${Queue_Url2}", "D": "$.x"}')
    assert substitution_names(definition) == {"FunctionArn", "Queue_Url2"}
    assert substitution_names(WORKFLOW_FILE) == {"WorkflowFunctionArn", "EscalationTopicArn", "DeadLetterQueueUrl"}


def test_state_machine_is_standard_traced_and_named_by_cloudformation(resources: Resources) -> None:
    _, machine = _state_machine(resources)
    assert machine["StateMachineType"] == "STANDARD"
    assert machine["TracingConfiguration"] == {"Enabled": True}
    assert "StateMachineName" not in machine


def test_cdk_supplies_every_substitution_the_asl_file_uses(resources: Resources) -> None:
    _, machine = _state_machine(resources)
    substitutions = machine["DefinitionSubstitutions"]
    assert set(substitutions) == substitution_names(WORKFLOW_FILE)
    assert substitutions["WorkflowFunctionArn"] == {
        "Fn::GetAtt": [logical_id_of(resources, "AWS::Lambda::Function", "WorkflowTasksFunction"), "Arn"]
    }
    assert substitutions["EscalationTopicArn"] == {"Ref": _topic(resources)}
    assert substitutions["DeadLetterQueueUrl"] == _ref(resources, "AWS::SQS::Queue", "WorkflowDeadLetters")


def test_state_machine_definition_is_the_asl_file_unchanged(stack: TugiStack, resources: Resources) -> None:
    _, machine = _state_machine(resources)
    assert "DefinitionString" not in machine  # no second, rendered copy of the definition
    asset_key = machine["DefinitionS3Location"]["Key"]
    staged = Path(Stage.of(stack).synth().directory) / f"asset.{asset_key}"  # type: ignore[union-attr]
    assert staged.read_bytes() == WORKFLOW_FILE.read_bytes()


def test_construct_refuses_a_definition_whose_placeholders_it_does_not_supply(
    stack: TugiStack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    definition = tmp_path / "contact.asl.json"
    definition.write_text(WORKFLOW_FILE.read_text(encoding="utf-8").replace("${EscalationTopicArn}", "${PagerArn}"))
    monkeypatch.setattr(workflow, "WORKFLOW_FILE", definition)
    app = App(context=_built_code(stack))
    with pytest.raises(ValueError, match="PagerArn"):
        TugiStack(app, "Tugi", config=TugiConfig.from_context(app.node))


def test_state_machine_logs_errors_without_execution_data_for_a_month(resources: Resources) -> None:
    _, machine = _state_machine(resources)
    log_group = logical_id_of(resources, "AWS::Logs::LogGroup", "WorkflowStateMachineLogs")
    assert machine["LoggingConfiguration"] == {
        "Destinations": [{"CloudWatchLogsLogGroup": {"LogGroupArn": {"Fn::GetAtt": [log_group, "Arn"]}}}],
        "IncludeExecutionData": False,
        "Level": "ERROR",
    }
    assert resources[log_group]["Properties"]["RetentionInDays"] == 30


def test_tasks_function_gets_a_minute_more_memory_and_the_common_settings(resources: Resources) -> None:
    tasks = _function(resources, "WorkflowTasksFunction")
    public_api = _function(resources, "FunctionsPublicApiFunction")
    assert tasks["Handler"] == "functions.workflow.tasks.handler"
    assert tasks["Description"] == (
        "Tugi contact workflow tasks: triage, acknowledgement, auto-answer, routing, SLA watch"
    )
    assert (tasks["Timeout"], tasks["MemorySize"]) == (60, 1024)
    assert (tasks["Runtime"], tasks["Architectures"]) == ("python3.13", ["arm64"])
    assert tasks["Code"] == public_api["Code"]
    assert tasks["Environment"] == public_api["Environment"]
    assert "TUGI_CONTACT_WORKFLOW_ARN" not in tasks["Environment"]["Variables"]


def test_stream_function_knows_the_state_machine_and_the_common_settings(resources: Resources) -> None:
    stream = _function(resources, "WorkflowCaseStreamFunction")
    public_api = _function(resources, "FunctionsPublicApiFunction")
    machine, _ = _state_machine(resources)
    assert stream["Handler"] == "functions.workflow.case_stream.handler"
    assert stream["Code"] == public_api["Code"]
    common = {k: v for k, v in public_api["Environment"]["Variables"].items() if not k.startswith("TUGI_OPENSEARCH_")}
    assert stream["Environment"]["Variables"] == common | {"TUGI_CONTACT_WORKFLOW_ARN": {"Ref": machine}}


@pytest.mark.parametrize("fragment", ["FunctionsPublicApi", "FunctionsAgentApi", "FunctionsEmailIntake", "Workflow"])
def test_every_function_links_to_the_portal(resources: Resources, fragment: str) -> None:
    functions = [r for logical_id, r in of_type(resources, "AWS::Lambda::Function") if logical_id.startswith(fragment)]
    assert functions
    for function in functions:
        assert function["Properties"]["Environment"]["Variables"]["TUGI_PORTAL_URL"] == "https://support.tugi.example"


def test_case_stream_mapping_takes_case_items_only_and_dead_letters_what_fails(
    template: Template, resources: Resources
) -> None:
    table = logical_id_of(resources, "AWS::DynamoDB::Table", "DataTable")
    dead_letters = logical_id_of(resources, "AWS::SQS::Queue", "WorkflowStreamDeadLetters")
    template.has_resource_properties(
        "AWS::Lambda::EventSourceMapping",
        {
            "EventSourceArn": {"Fn::GetAtt": [table, "StreamArn"]},
            "FunctionName": _ref(resources, "AWS::Lambda::Function", "WorkflowCaseStreamFunction"),
            "FilterCriteria": {"Filters": [{"Pattern": '{"dynamodb":{"Keys":{"SK":{"S":["CASE"]}}}}'}]},
            "StartingPosition": "LATEST",
            "BatchSize": 25,
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "BisectBatchOnFunctionError": True,
            "MaximumRetryAttempts": 5,
            "MaximumRecordAgeInSeconds": 24 * 3600,
            "DestinationConfig": {"OnFailure": {"Destination": {"Fn::GetAtt": [dead_letters, "Arn"]}}},
        },
    )


@pytest.mark.parametrize("fragment", ["WorkflowDeadLetters", "WorkflowStreamDeadLetters"])
def test_dead_letter_queues_are_encrypted_tls_only_and_keep_messages_two_weeks(
    template: Template, resources: Resources, fragment: str
) -> None:
    assert_dead_letter_queue(template, resources, fragment)


ALARMS = {
    "workflow DLQ": ("AWS/SQS", "ApproximateNumberOfMessagesVisible", "AWS::SQS::Queue", "WorkflowDeadLetters"),
    "stream DLQ": ("AWS/SQS", "ApproximateNumberOfMessagesVisible", "AWS::SQS::Queue", "WorkflowStreamDeadLetters"),
    "failed executions": ("AWS/States", "ExecutionsFailed", "AWS::StepFunctions::StateMachine", "WorkflowState"),
    "timed-out executions": ("AWS/States", "ExecutionsTimedOut", "AWS::StepFunctions::StateMachine", "WorkflowState"),
    "task errors": ("AWS/Lambda", "Errors", "AWS::Lambda::Function", "WorkflowTasksFunction"),
}


@pytest.mark.parametrize(("namespace", "metric", "resource_type", "fragment"), ALARMS.values(), ids=list(ALARMS))
def test_alarm_tells_the_escalation_topic_at_the_first_occurrence(
    resources: Resources, namespace: str, metric: str, resource_type: str, fragment: str
) -> None:
    watched = logical_id_of(resources, resource_type, fragment)
    matches = [
        r["Properties"]
        for _, r in of_type(resources, "AWS::CloudWatch::Alarm")
        if (r["Properties"]["Namespace"], r["Properties"]["MetricName"]) == (namespace, metric)
        and watched in str(r["Properties"]["Dimensions"])
    ]
    assert len(matches) == 1, f"expected one {metric} alarm on {watched}"
    (alarm,) = matches
    assert alarm["AlarmActions"] == [{"Ref": _topic(resources)}]
    assert (alarm["ComparisonOperator"], alarm["Threshold"], alarm["EvaluationPeriods"]) == (
        "GreaterThanThreshold",
        0,
        1,
    )
    assert alarm["TreatMissingData"] == "notBreaching"


def test_escalation_topic_is_encrypted_with_a_rotated_key_cloudwatch_may_use(
    template: Template, resources: Resources
) -> None:
    topic = _topic(resources)
    key = logical_id_of(resources, "AWS::KMS::Key", "WorkflowEscalationsKey")
    assert resources[topic]["Properties"]["KmsMasterKeyId"] == {"Fn::GetAtt": [key, "Arn"]}
    assert resources[key]["Properties"]["EnableKeyRotation"] is True
    key_statements = resources[key]["Properties"]["KeyPolicy"]["Statement"]
    assert {"Service": "cloudwatch.amazonaws.com"} in [s["Principal"] for s in key_statements]
    template.has_resource_properties(
        "AWS::SNS::TopicPolicy",
        {
            "Topics": [{"Ref": topic}],
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Action": "sns:Publish",
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            }
                        ),
                        Match.object_like(
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                                "Action": "sns:Publish",
                                "Condition": {
                                    "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
                                    "ArnLike": {"aws:SourceArn": f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:*"},
                                },
                            }
                        ),
                    ]
                )
            },
        },
    )


def test_no_supervisors_configured_means_no_subscriptions(resources: Resources) -> None:
    assert list(of_type(resources, "AWS::SNS::Subscription")) == []


def test_topic_has_one_email_subscription_per_supervisor(supervised_resources: Resources) -> None:
    topic = _topic(supervised_resources)
    subscriptions = sorted(
        (r["Properties"]["Protocol"], r["Properties"]["Endpoint"], r["Properties"]["TopicArn"]["Ref"])
        for _, r in of_type(supervised_resources, "AWS::SNS::Subscription")
    )
    assert subscriptions == [("email", address, topic) for address in SUPERVISORS]


def test_stream_function_may_start_and_resume_executions_of_this_state_machine_only(resources: Resources) -> None:
    machine, _ = _state_machine(resources)
    assert _granted(resources, "WorkflowCaseStream", "states:") == [
        (
            {"states:StartExecution", "states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat"},
            {"Ref": machine},
        )
    ]


def test_stream_function_uses_the_table_and_reads_its_stream_but_cannot_scan(resources: Resources) -> None:
    table = logical_id_of(resources, "AWS::DynamoDB::Table", "DataTable")
    granted = _granted(resources, "WorkflowCaseStream", "dynamodb:")
    items = {a for actions, resource in granted if resource != "*" for a in actions}
    assert items == {
        *DATA_ACTIONS,
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
    }
    stream_read = [r for actions, r in granted if "dynamodb:GetRecords" in actions]
    assert stream_read == [{"Fn::GetAtt": [table, "StreamArn"]}]
    assert [actions for actions, resource in granted if resource == "*"] == [{"dynamodb:ListStreams"}]


def test_tasks_function_has_no_step_functions_permissions(resources: Resources) -> None:
    assert _granted(resources, "WorkflowTasks", "states:") == []


def test_public_api_may_only_answer_waiting_tasks(resources: Resources) -> None:
    machine, _ = _state_machine(resources)
    assert _granted(resources, "FunctionsPublicApi", "states:") == [
        ({"states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat"}, {"Ref": machine})
    ]
    assert _granted(resources, "FunctionsAgentApi", "states:") == []
    assert _granted(resources, "FunctionsEmailIntake", "states:") == []


@pytest.mark.parametrize("fragment", ["WorkflowTasks", "WorkflowCaseStream"])
def test_workflow_functions_send_mail_only_as_the_mail_domain(resources: Resources, fragment: str) -> None:
    assert _granted(resources, fragment, "ses:") == [({"ses:SendRawEmail"}, MAIL_IDENTITY)]


def test_state_machine_may_invoke_only_the_tasks_function(resources: Resources) -> None:
    tasks = logical_id_of(resources, "AWS::Lambda::Function", "WorkflowTasksFunction")
    assert _granted(resources, "WorkflowStateMachine", "lambda:") == [
        ({"lambda:InvokeFunction"}, {"Fn::GetAtt": [tasks, "Arn"]})
    ]


def test_state_machine_may_publish_escalations_and_dead_letter_cases_only(resources: Resources) -> None:
    key = logical_id_of(resources, "AWS::KMS::Key", "WorkflowEscalationsKey")
    dead_letters = logical_id_of(resources, "AWS::SQS::Queue", "WorkflowDeadLetters")
    assert _granted(resources, "WorkflowStateMachine", "sns:") == [({"sns:Publish"}, {"Ref": _topic(resources)})]
    assert _granted(resources, "WorkflowStateMachine", "kms:") == [
        ({"kms:GenerateDataKey", "kms:Decrypt"}, {"Fn::GetAtt": [key, "Arn"]})
    ]
    assert _granted(resources, "WorkflowStateMachine", "sqs:") == [
        ({"sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"}, {"Fn::GetAtt": [dead_letters, "Arn"]})
    ]


def test_outputs_name_the_state_machine_and_the_escalation_topic(template: Template, resources: Resources) -> None:
    machine, _ = _state_machine(resources)
    outputs = template.to_json()["Outputs"]
    values = {o["Value"]["Ref"] for o in outputs.values() if isinstance(o["Value"], dict) and "Ref" in o["Value"]}
    assert {machine, _topic(resources)} <= values
    (workflow_arn,) = [o for o in outputs.values() if o.get("Description") == "TUGI_CONTACT_WORKFLOW_ARN"]
    assert workflow_arn["Value"] == {"Ref": machine}


def test_only_the_tasks_function_carries_the_language_models_layer(resources: Resources) -> None:
    # The other layer is the AWS CLI of CDK's bucket-deployment handler (infra/constructs/web.py).
    layer_id = logical_id_of(resources, "AWS::Lambda::LayerVersion", "NlpLayer")
    layer = resources[layer_id]
    assert layer["Properties"]["CompatibleRuntimes"] == ["python3.13"]
    assert layer["Properties"]["CompatibleArchitectures"] == ["arm64"]
    with_layers = {
        logical_id: function["Properties"]["Layers"]
        for logical_id, function in resources.items()
        if function["Type"] == "AWS::Lambda::Function" and {"Ref": layer_id} in function["Properties"].get("Layers", [])
    }
    tasks = logical_id_of(resources, "AWS::Lambda::Function", "WorkflowTasks")
    assert with_layers == {tasks: [{"Ref": layer_id}]}


def test_stack_without_the_built_layer_says_how_to_build_it(stack: TugiStack, tmp_path: Path) -> None:
    app = App(context={**_built_code(stack), "nlp_layer_dir": str(tmp_path)})
    with pytest.raises(FileNotFoundError, match="make lambda-build"):
        TugiStack(app, "Tugi", config=TugiConfig.from_context(app.node))


def test_a_schedule_runs_the_sweep_which_may_only_start_this_workflow(resources: Resources) -> None:
    sweep = logical_id_of(resources, "AWS::Lambda::Function", "WorkflowSweep")
    (rule,) = [r for r in resources.values() if r["Type"] == "AWS::Events::Rule"]
    assert rule["Properties"]["ScheduleExpression"] == "rate(5 minutes)"
    assert [t["Arn"] for t in rule["Properties"]["Targets"]] == [{"Fn::GetAtt": [sweep, "Arn"]}]
    machine, _ = _state_machine(resources)
    assert _granted(resources, "WorkflowSweep", "states:") == [({"states:StartExecution"}, {"Ref": machine})]


def test_cases_the_sweep_finds_stuck_raise_an_alarm(resources: Resources) -> None:
    (alarm,) = [
        r["Properties"]
        for _, r in of_type(resources, "AWS::CloudWatch::Alarm")
        if r["Properties"].get("MetricName") == "CasesStuckNew"
    ]
    assert (alarm["Namespace"], alarm["Dimensions"]) == ("Tugi", [{"Name": "service", "Value": "tugi"}])
    assert alarm["AlarmActions"] == [{"Ref": _topic(resources)}]
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanThreshold", 0)
