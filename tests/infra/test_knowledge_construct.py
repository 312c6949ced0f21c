import json
from typing import Any

import pytest
from aws_cdk import App, Environment, Validations
from aws_cdk.assertions import Template
from cdk_nag import AwsSolutionsChecks

from infra.config import TugiConfig, cdk_json_context
from infra.constructs.knowledge import ENGINE_VERSION, SearchDomainSettings
from infra.stacks.tugi_stack import TugiStack
from infra.stream_consumers import KB_INDEXER
from tests.infra.cfn import Resources, assert_dead_letter_queue, logical_id_of, of_type, only
from tests.infra.conftest import ACCOUNT, REGION

READ = {"es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPost"}
WRITE = READ | {"es:ESHttpPut", "es:ESHttpDelete"}
# Function (logical id fragment) → the HTTP actions its role has on the domain.
SEARCHERS = {
    "FunctionsPublicApi": READ,  # self-service search
    "FunctionsAgentApi": WRITE,  # POST /v1/kb/reindex, agents' search
    "WorkflowTasks": READ,  # triage answers from the knowledge base
    "KnowledgeIndexer": WRITE,  # the table's stream into the index
}
DOMAIN_PATHS = f"arn:aws:es:{REGION}:{ACCOUNT}:domain/tugi-kb/*"


def _joined(value: Any) -> str:
    """A string property with its references written as `Id.Attribute` / `Id`."""
    if isinstance(value, str):
        return value
    if "Fn::Join" in value:
        delimiter, parts = value["Fn::Join"]
        return str(delimiter).join(_joined(part) for part in parts)
    if "Fn::GetAtt" in value:
        return ".".join(value["Fn::GetAtt"])
    return str(value["Ref"])


def _acknowledged(stack: TugiStack) -> set[str]:
    """The cdk-nag rules acknowledged anywhere in `stack` (bare ids, e.g. `AwsSolutions-OS1`)."""
    return {
        rule.removeprefix("Annotation::")
        for construct in stack.node.find_all()
        for entry in construct.node.metadata
        if entry.type == Validations.ACKNOWLEDGED_RULES_METADATA_KEY
        for rule in entry.data
    }


def _domain(resources: Resources) -> tuple[str, dict[str, Any]]:
    return only(resources, "AWS::OpenSearchService::Domain")


def _role(resources: Resources, fragment: str) -> str:
    return logical_id_of(resources, "AWS::IAM::Role", f"{fragment}Role")


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _access_policy_grants(resources: Resources) -> dict[str, set[str]]:
    """Role logical id → the actions the domain's access policy allows it."""
    _, domain = _domain(resources)
    grants: dict[str, set[str]] = {}
    for statement in domain["Properties"]["AccessPolicies"]["Statement"]:
        assert statement["Effect"] == "Allow"
        assert statement["Resource"] == DOMAIN_PATHS
        assert "Condition" not in statement
        for principal in _list(statement["Principal"]["AWS"]):
            role, attribute = principal["Fn::GetAtt"]
            assert attribute == "Arn"
            grants.setdefault(role, set()).update(_list(statement["Action"]))
    return grants


def _identity_grants(resources: Resources) -> dict[str, list[tuple[set[str], Any]]]:
    """Role logical id → (es: actions, resource) of each statement of its policies that grants any."""
    grants: dict[str, list[tuple[set[str], Any]]] = {}
    for _, policy in of_type(resources, "AWS::IAM::Policy"):
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = {a for a in _list(statement["Action"]) if a.startswith("es:")}
            if actions:
                for role in policy["Properties"]["Roles"]:
                    grants.setdefault(role["Ref"], []).append((actions, statement["Resource"]))
    return grants


@pytest.fixture(scope="module")
def zone_aware_stack(stack: TugiStack) -> TugiStack:
    """A second stack with two search nodes, a destroyable domain of another name (reuses the built code)."""
    built = {name: stack.node.try_get_context(name) for name in ("lambda_asset_dir", "nlp_layer_dir")}
    context = {
        **cdk_json_context(),
        **built,
        "search_domain_name": "shop-kb",
        "search_instance_count": "2",
        "search_instance_type": "m7g.large.search",
        "search_volume_gib": "50",
        "search_removal_policy": "destroy",
    }
    app = App(context=context)
    return TugiStack(
        app, "Tugi", config=TugiConfig.from_context(app.node), env=Environment(account=ACCOUNT, region=REGION)
    )


@pytest.fixture(scope="module")
def zone_aware_resources(zone_aware_stack: TugiStack) -> Resources:
    resources: Resources = Template.from_stack(zone_aware_stack).to_json()["Resources"]
    return resources


def test_search_backend_is_a_managed_opensearch_2_domain_on_one_small_node_by_default(resources: Resources) -> None:
    _, domain = _domain(resources)
    properties = domain["Properties"]
    assert properties["DomainName"] == "tugi-kb"
    assert properties["EngineVersion"] == ENGINE_VERSION.version
    assert properties["EngineVersion"].startswith("OpenSearch_2.")
    assert properties["ClusterConfig"] == {
        "DedicatedMasterEnabled": False,
        "InstanceCount": 1,
        "InstanceType": "t3.small.search",
        "MultiAZWithStandbyEnabled": False,
        "ZoneAwarenessEnabled": False,
    }
    assert properties["EBSOptions"] == {"EBSEnabled": True, "VolumeSize": 10, "VolumeType": "gp3"}
    assert list(of_type(resources, "AWS::OpenSearchServerless::Collection")) == []


def test_search_domain_encrypts_at_rest_and_between_nodes_and_takes_only_https_with_tls_1_2(
    resources: Resources,
) -> None:
    _, domain = _domain(resources)
    properties = domain["Properties"]
    assert properties["EncryptionAtRestOptions"] == {"Enabled": True}
    assert properties["NodeToNodeEncryptionOptions"] == {"Enabled": True}
    assert properties["DomainEndpointOptions"] == {
        "EnforceHTTPS": True,
        "TLSSecurityPolicy": "Policy-Min-TLS-1-2-PFS-2023-10",
    }


def test_search_domain_is_iam_only_outside_a_vpc_without_custom_resources(resources: Resources) -> None:
    _, domain = _domain(resources)
    assert "AdvancedSecurityOptions" not in domain["Properties"]  # no fine-grained access control
    assert "VPCOptions" not in domain["Properties"]
    # The access and log policies are plain properties and resources, not CDK's AwsCustomResource calls.
    custom = {r["Type"] for r in resources.values() if r["Type"].startswith("Custom::")}
    assert "Custom::AWS" not in custom
    assert [lid for lid, r in resources.items() if lid.startswith("Knowledge") and r["Type"] in custom] == []


def test_search_domain_is_retained_by_default_and_upgrades_its_engine_in_place(resources: Resources) -> None:
    _, domain = _domain(resources)
    assert (domain["DeletionPolicy"], domain["UpdateReplacePolicy"]) == ("Retain", "Retain")
    assert domain["UpdatePolicy"] == {"EnableVersionUpgrade": True}
    assert domain["Properties"]["SoftwareUpdateOptions"] == {"AutoSoftwareUpdateEnabled": True}
    assert domain["Properties"]["OffPeakWindowOptions"]["Enabled"] is True


def test_access_policy_names_only_the_searching_functions_roles(resources: Resources) -> None:
    grants = _access_policy_grants(resources)
    assert grants == {_role(resources, fragment): actions for fragment, actions in SEARCHERS.items()}
    _, domain = _domain(resources)
    principals = [s["Principal"] for s in domain["Properties"]["AccessPolicies"]["Statement"]]
    assert "*" not in json.dumps(principals)


def test_each_searching_role_may_call_the_domain_paths_with_its_own_actions_only(resources: Resources) -> None:
    assert _identity_grants(resources) == {
        _role(resources, fragment): [(actions, DOMAIN_PATHS)] for fragment, actions in SEARCHERS.items()
    }


def test_only_the_indexer_and_the_agent_api_may_write_to_the_index(resources: Resources) -> None:
    writes = {"es:ESHttpPut", "es:ESHttpDelete", "es:ESHttpPatch", "es:*", "es:ESHttp*"}
    writers = {_role(resources, "KnowledgeIndexer"), _role(resources, "FunctionsAgentApi")}
    by_access_policy = {role for role, actions in _access_policy_grants(resources).items() if actions & writes}
    by_identity = {
        role for role, grants in _identity_grants(resources).items() for actions, _ in grants if actions & writes
    }
    assert by_access_policy == by_identity == writers


def test_exactly_the_four_searching_functions_know_the_endpoint(resources: Resources) -> None:
    domain, _ = _domain(resources)
    endpoint = {"Fn::Join": ["", ["https://", {"Fn::GetAtt": [domain, "DomainEndpoint"]}]]}
    searchers = {logical_id_of(resources, "AWS::Lambda::Function", f"{f}Function") for f in SEARCHERS}
    informed = set()
    for logical_id, function in of_type(resources, "AWS::Lambda::Function"):
        variables = function["Properties"].get("Environment", {}).get("Variables", {})
        if "TUGI_OPENSEARCH_URL" in variables or "TUGI_OPENSEARCH_SERVICE" in variables:
            informed.add(logical_id)
            assert variables["TUGI_OPENSEARCH_URL"] == endpoint
            assert variables["TUGI_OPENSEARCH_SERVICE"] == "es"
    assert informed == searchers


def test_indexer_is_a_tugi_function_with_the_common_settings(resources: Resources) -> None:
    indexer = resources[logical_id_of(resources, "AWS::Lambda::Function", "KnowledgeIndexerFunction")]["Properties"]
    public_api = resources[logical_id_of(resources, "AWS::Lambda::Function", "FunctionsPublicApiFunction")]
    assert indexer["Handler"] == KB_INDEXER.handler == "functions.knowledge.indexer.handler"
    assert (indexer["Runtime"], indexer["Architectures"]) == ("python3.13", ["arm64"])
    assert indexer["TracingConfig"] == {"Mode": "Active"}
    assert indexer["Role"] == {"Fn::GetAtt": [_role(resources, "KnowledgeIndexer"), "Arn"]}
    assert indexer["Code"] == public_api["Properties"]["Code"]
    assert indexer["Environment"] == public_api["Properties"]["Environment"]


def test_indexer_mapping_takes_article_and_learned_word_items_only_and_dead_letters_what_fails(
    resources: Resources,
) -> None:
    table = logical_id_of(resources, "AWS::DynamoDB::Table", "DataTable")
    indexer = logical_id_of(resources, "AWS::Lambda::Function", "KnowledgeIndexerFunction")
    dead_letters = logical_id_of(resources, "AWS::SQS::Queue", "KnowledgeIndexerDeadLetters")
    (mapping,) = [
        r["Properties"]
        for _, r in of_type(resources, "AWS::Lambda::EventSourceMapping")
        if r["Properties"]["FunctionName"] == {"Ref": indexer}
    ]
    patterns = [json.loads(f["Pattern"]) for f in mapping.pop("FilterCriteria")["Filters"]]
    assert patterns == KB_INDEXER.filter_patterns()
    assert patterns == [
        {"dynamodb": {"Keys": {"PK": {"S": [{"prefix": "ARTICLE#"}]}}}},
        {
            "dynamodb": {
                "Keys": {"PK": {"S": [{"prefix": "LEARNED#"}]}},
                "NewImage": {"vetted_at": {"S": [{"exists": True}]}},
            }
        },
    ]
    word, vetted = {"PK": {"S": "LEARNED#en#card"}}, {"vetted_at": {"S": "2026-12-03T10:00:00Z"}}
    records = [{"Keys": {"PK": {"S": "ARTICLE#a"}}}, {"Keys": word}, {"Keys": word, "NewImage": vetted}]
    assert [KB_INDEXER.accepts(r) for r in [*records, {"Keys": {"PK": {"S": "CASE#c"}}}]] == [True, False, True, False]
    assert mapping == {
        "EventSourceArn": {"Fn::GetAtt": [table, "StreamArn"]},
        "FunctionName": {"Ref": indexer},
        "StartingPosition": "LATEST",
        "BatchSize": KB_INDEXER.batch_size,
        "FunctionResponseTypes": ["ReportBatchItemFailures"],
        "BisectBatchOnFunctionError": True,
        "MaximumRetryAttempts": 5,
        "MaximumRecordAgeInSeconds": 24 * 3600,
        "DestinationConfig": {"OnFailure": {"Destination": {"Fn::GetAtt": [dead_letters, "Arn"]}}},
    }


def test_indexer_reads_the_table_and_its_stream_and_writes_nothing_to_it(resources: Resources) -> None:
    table = logical_id_of(resources, "AWS::DynamoDB::Table", "DataTable")
    policy = resources[logical_id_of(resources, "AWS::IAM::Policy", "KnowledgeIndexerRoleDefaultPolicy")]
    granted = [
        ({a for a in _list(s["Action"]) if a.startswith("dynamodb:")}, s["Resource"])
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
    ]
    assert sorted((sorted(actions), str(resource)) for actions, resource in granted if actions) == sorted(
        [
            (["dynamodb:ListStreams"], "*"),
            (
                ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"],
                str({"Fn::GetAtt": [table, "StreamArn"]}),
            ),
            (["dynamodb:GetItem", "dynamodb:Query"], str({"Fn::GetAtt": [table, "Arn"]})),
        ]
    )


def test_indexer_dead_letter_queue_is_encrypted_tls_only_and_keeps_messages_two_weeks(
    template: Template, resources: Resources
) -> None:
    assert_dead_letter_queue(template, resources, "KnowledgeIndexerDeadLetters")


ALARMS = {
    "indexer DLQ": ("AWS/SQS", "ApproximateNumberOfMessagesVisible", "AWS::SQS::Queue", "KnowledgeIndexerDeadLetters"),
    "domain red": ("AWS/ES", "ClusterStatus.red", "AWS::OpenSearchService::Domain", "KnowledgeSearchDomain"),
    "writes blocked": (
        "AWS/ES",
        "ClusterIndexWritesBlocked",
        "AWS::OpenSearchService::Domain",
        "KnowledgeSearchDomain",
    ),
}


@pytest.mark.parametrize(("namespace", "metric", "resource_type", "fragment"), ALARMS.values(), ids=list(ALARMS))
def test_alarm_tells_the_escalation_topic_at_the_first_occurrence(
    resources: Resources, namespace: str, metric: str, resource_type: str, fragment: str
) -> None:
    watched = logical_id_of(resources, resource_type, fragment)
    (alarm,) = [
        r["Properties"]
        for _, r in of_type(resources, "AWS::CloudWatch::Alarm")
        if (r["Properties"]["Namespace"], r["Properties"]["MetricName"]) == (namespace, metric)
        and watched in str(r["Properties"]["Dimensions"])
    ]
    topic = logical_id_of(resources, "AWS::SNS::Topic", "WorkflowEscalations")
    assert alarm["AlarmActions"] == [{"Ref": topic}]
    assert (alarm["ComparisonOperator"], alarm["Threshold"], alarm["EvaluationPeriods"]) == (
        "GreaterThanThreshold",
        0,
        1,
    )
    assert (alarm["Statistic"], alarm["Period"], alarm["TreatMissingData"]) == ("Maximum", 300, "notBreaching")


def test_search_domain_publishes_slow_and_error_logs_to_log_groups_only_it_may_write(resources: Resources) -> None:
    domain_id, domain = _domain(resources)
    published = domain["Properties"]["LogPublishingOptions"]
    assert set(published) == {"SEARCH_SLOW_LOGS", "INDEX_SLOW_LOGS", "ES_APPLICATION_LOGS"}
    groups = []
    for option in published.values():
        assert option["Enabled"] is True
        group, attribute = option["CloudWatchLogsLogGroupArn"]["Fn::GetAtt"]
        assert attribute == "Arn"
        assert resources[group]["Properties"]["RetentionInDays"] == 30
        groups.append(group)
    policy_id, policy = only(resources, "AWS::Logs::ResourcePolicy")
    assert domain["DependsOn"] == [policy_id]  # the domain checks it may write its logs when created
    (statement,) = json.loads(_joined(policy["Properties"]["PolicyDocument"]))["Statement"]
    assert statement == {
        "Effect": "Allow",
        "Principal": {"Service": "es.amazonaws.com"},
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": [f"{group}.Arn" for group in groups],
        "Condition": {
            "StringEquals": {"aws:SourceAccount": ACCOUNT},
            "ArnLike": {"aws:SourceArn": f"arn:aws:es:{REGION}:{ACCOUNT}:domain/tugi-kb"},
        },
    }
    assert domain_id not in json.dumps(policy)  # named by its ARN: no reference back to the domain


def test_outputs_name_the_search_endpoint(template: Template, resources: Resources) -> None:
    domain, _ = _domain(resources)
    (output,) = [o for o in template.to_json()["Outputs"].values() if o.get("Description") == "TUGI_OPENSEARCH_URL"]
    assert output["Value"] == {"Fn::Join": ["", ["https://", {"Fn::GetAtt": [domain, "DomainEndpoint"]}]]}


def test_two_nodes_spread_over_two_zones_of_a_domain_config_names_and_sizes(zone_aware_resources: Resources) -> None:
    _, domain = _domain(zone_aware_resources)
    properties = domain["Properties"]
    assert properties["DomainName"] == "shop-kb"
    assert properties["ClusterConfig"] == {
        "DedicatedMasterEnabled": False,
        "InstanceCount": 2,
        "InstanceType": "m7g.large.search",
        "MultiAZWithStandbyEnabled": False,
        "ZoneAwarenessEnabled": True,
        "ZoneAwarenessConfig": {"AvailabilityZoneCount": 2},
    }
    assert properties["EBSOptions"]["VolumeSize"] == 50
    assert (domain["DeletionPolicy"], domain["UpdateReplacePolicy"]) == ("Delete", "Delete")
    statements = properties["AccessPolicies"]["Statement"]
    assert {s["Resource"] for s in statements} == {f"arn:aws:es:{REGION}:{ACCOUNT}:domain/shop-kb/*"}


def test_zone_aware_domain_is_nag_clean_without_acknowledging_zone_awareness(zone_aware_stack: TugiStack) -> None:
    report = AwsSolutionsChecks().validate_scope(zone_aware_stack)
    assert [v.rule_name for v in report.violations] == []
    acknowledged = _acknowledged(zone_aware_stack)
    assert "AwsSolutions-OS7" not in acknowledged
    assert {"AwsSolutions-OS1", "AwsSolutions-OS3", "AwsSolutions-OS4"} <= acknowledged


def test_default_domain_acknowledges_only_the_documented_opensearch_findings(stack: TugiStack) -> None:
    acknowledged = {rule for rule in _acknowledged(stack) if rule.startswith("AwsSolutions-OS")}
    # OS2 (node-to-node), OS5 (signed access), OS8 (at rest) and OS9 (slow logs) are met, not acknowledged.
    assert acknowledged == {"AwsSolutions-OS1", "AwsSolutions-OS3", "AwsSolutions-OS4", "AwsSolutions-OS7"}


@pytest.mark.parametrize(("count", "zones"), [(1, 1), (2, 2), (3, 3), (4, 2), (6, 3)])
def test_data_nodes_spread_evenly_over_as_many_zones_as_they_can(count: int, zones: int) -> None:
    settings = SearchDomainSettings("tugi-kb", "t3.small.search", count, 10, "retain")
    assert settings.zone_count == zones


@pytest.mark.parametrize(
    ("name", "count", "removal", "error"),
    [
        ("tugi-kb", 5, "retain", "search_instance_count"),
        ("tugi-kb", 0, "retain", "search_instance_count"),
        ("Tugi_KB", 1, "retain", "search_domain_name"),
        ("kb", 1, "retain", "search_domain_name"),
        ("tugi-kb", 1, "snapshot", "search_removal_policy"),
    ],
)
def test_search_settings_refuse_what_opensearch_or_cloudformation_would(
    name: str, count: int, removal: str, error: str
) -> None:
    with pytest.raises(ValueError, match=error):
        SearchDomainSettings(name, "t3.small.search", count, 10, removal)
