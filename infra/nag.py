"""cdk-nag acknowledgements, each with its reason, scoped to the construct it is about.

cdk-nag 3 reads CDK's own `Validations.of(scope).acknowledge(...)`. Ids are given bare
(`AwsSolutions-L1`, not the `AwsSolutions::AwsSolutions-L1` the CLI suggests): cdk-nag itself only
matches the bare form, and only what it filters stays out of `validate_scope` in the infra tests.

An IAM wildcard finding is named by the flattened resource
(`AwsSolutions-IAM5[Resource::<Bucket1234.Arn>/inbound/*]`), so `acknowledge_wildcard_resource`
computes that name from the ARN it is given instead of hard-coding logical ids.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import Acknowledgment, Stack, Validations
from constructs import IConstruct

PACK = "AwsSolutions"


def acknowledge(scope: IConstruct, rule: str, reason: str) -> None:
    """Acknowledge `AwsSolutions-<rule>` on `scope` and everything under it."""
    Validations.of(scope).acknowledge(Acknowledgment(id=f"{PACK}-{rule}", reason=reason))


def acknowledge_wildcard_resource(scope: IConstruct, resource_arn: str, reason: str) -> None:
    """Acknowledge the IAM5 finding a policy statement on `resource_arn` (with a `*`) raises."""
    flat = flatten_cfn_reference(Stack.of(scope).resolve(resource_arn))
    acknowledge(scope, f"IAM5[Resource::{flat}]", reason)


def flatten_cfn_reference(node: Any) -> str:
    """The string cdk-nag names a resource by: `Fn::GetAtt` as `<Id.Attr>`, `Ref` as `<Id>`, `${X}` as `<X>`."""
    if isinstance(node, str):
        return node.replace("${", "<").replace("}", ">")
    if isinstance(node, dict):
        if "Fn::Join" in node:
            delimiter, items = node["Fn::Join"]
            return str(delimiter).join(flatten_cfn_reference(item) for item in items)
        if "Fn::Sub" in node and isinstance(node["Fn::Sub"], str):
            return flatten_cfn_reference(node["Fn::Sub"])
        if "Fn::GetAtt" in node:
            resource, attribute = node["Fn::GetAtt"]
            return f"<{flatten_cfn_reference(resource)}.{flatten_cfn_reference(attribute)}>"
        if "Ref" in node:
            return f"<{flatten_cfn_reference(node['Ref'])}>"
    raise ValueError(f"cannot name {node!r} the way cdk-nag does")
