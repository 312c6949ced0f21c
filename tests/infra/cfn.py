"""Queries over a synthesised template, for what `Template`'s matchers cannot say directly."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from aws_cdk.assertions import Match, Template

Resources = dict[str, dict[str, Any]]


def of_type(resources: Resources, resource_type: str) -> Iterator[tuple[str, dict[str, Any]]]:
    return ((logical_id, r) for logical_id, r in resources.items() if r["Type"] == resource_type)


def only(resources: Resources, resource_type: str) -> tuple[str, dict[str, Any]]:
    matches = list(of_type(resources, resource_type))
    assert len(matches) == 1, f"expected one {resource_type}, found {len(matches)}"
    return matches[0]


def logical_id_of(resources: Resources, resource_type: str, id_fragment: str) -> str:
    """The logical id of the one resource of `resource_type` whose id contains `id_fragment`."""
    matches = [logical_id for logical_id, _ in of_type(resources, resource_type) if id_fragment in logical_id]
    assert len(matches) == 1, f"expected one {resource_type} like {id_fragment}, found {matches}"
    return matches[0]


def api_routes(resources: Resources) -> dict[tuple[str, str], dict[str, Any]]:
    """(HTTP method, path) → the method's properties, e.g. ("POST", "/v1/contacts")."""
    parts = {
        logical_id: (r["Properties"]["PathPart"], r["Properties"]["ParentId"])
        for logical_id, r in of_type(resources, "AWS::ApiGateway::Resource")
    }

    def path_of(resource_id: Any) -> str:
        if isinstance(resource_id, dict) and "Ref" in resource_id and resource_id["Ref"] in parts:
            part, parent = parts[resource_id["Ref"]]
            return f"{path_of(parent)}/{part}"
        return ""  # the root resource (Fn::GetAtt RestApi.RootResourceId)

    return {
        (r["Properties"]["HttpMethod"], path_of(r["Properties"]["ResourceId"])): r["Properties"]
        for _, r in of_type(resources, "AWS::ApiGateway::Method")
    }


def assert_dead_letter_queue(template: Template, resources: Resources, id_fragment: str) -> None:
    """Encrypted, reachable over TLS only, and keeping messages two weeks (time to look at them)."""
    queue = logical_id_of(resources, "AWS::SQS::Queue", id_fragment)
    properties = resources[queue]["Properties"]
    assert properties["SqsManagedSseEnabled"] is True
    assert properties["MessageRetentionPeriod"] == 14 * 24 * 3600
    template.has_resource_properties(
        "AWS::SQS::QueuePolicy",
        {
            "Queues": [{"Ref": queue}],
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [Match.object_like({"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})]
                )
            },
        },
    )
