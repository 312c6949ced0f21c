from aws_cdk import Stack, Validations
from cdk_nag import AwsSolutionsChecks

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
