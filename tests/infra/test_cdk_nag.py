from aws_cdk import Stack, Validations
from cdk_nag import AwsSolutionsChecks

from infra.nag import flatten_cfn_reference

MINIMUM_REASON_LENGTH = 30


def test_stack_has_no_unacknowledged_aws_solutions_findings(stack: Stack) -> None:
    report = AwsSolutionsChecks().validate_scope(stack)
    findings = [
        f"{violation.severity} {violation.rule_name}: {resource.construct_path}"
        for violation in report.violations
        for resource in violation.violating_resources
    ]
    assert findings == []


def test_every_acknowledged_finding_says_why_and_is_scoped_below_the_stack(stack: Stack) -> None:
    acknowledgements = [
        (construct.node.path, rule, reason)
        for construct in stack.node.find_all()
        for entry in construct.node.metadata
        if entry.type == Validations.ACKNOWLEDGED_RULES_METADATA_KEY
        for rule, reason in entry.data.items()
    ]
    assert acknowledgements, "expected the documented acknowledgements"
    for path, rule, reason in acknowledgements:
        assert len(reason.strip()) >= MINIMUM_REASON_LENGTH, (path, rule)
        assert path != stack.node.path, f"{rule} is acknowledged stack-wide"


def test_acknowledged_resources_are_named_as_cdk_nag_names_them() -> None:
    # An account-agnostic synth (`make synth` without credentials) names CDK's asset bucket with Fn::Sub.
    asset_objects = {
        "Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::", {"Fn::Sub": "cdk-${AWS::AccountId}"}, "/*"]]
    }
    assert flatten_cfn_reference(asset_objects) == "arn:<AWS::Partition>:s3:::cdk-<AWS::AccountId>/*"
    assert flatten_cfn_reference({"Fn::GetAtt": ["Bucket1234", "Arn"]}) == "<Bucket1234.Arn>"
