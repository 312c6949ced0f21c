from aws_cdk.assertions import Match, Template

from tests.infra.cfn import Resources, only


def test_agents_are_invited_not_self_registered_and_may_enrol_totp(resources: Resources) -> None:
    _, pool = only(resources, "AWS::Cognito::UserPool")
    properties = pool["Properties"]
    assert properties["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert properties["MfaConfiguration"] == "OPTIONAL"
    assert properties["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
    assert properties["UserPoolTier"] == "PLUS"
    assert properties["DeletionProtection"] == "ACTIVE"


def test_passwords_must_be_long_and_mixed(template: Template) -> None:
    template.has_resource_properties(
        "AWS::Cognito::UserPool",
        {
            "Policies": {
                "PasswordPolicy": Match.object_like(
                    {
                        "MinimumLength": 12,
                        "RequireLowercase": True,
                        "RequireUppercase": True,
                        "RequireNumbers": True,
                        "RequireSymbols": True,
                    }
                )
            }
        },
    )


def test_pool_has_agent_and_supervisor_groups(resources: Resources) -> None:
    groups = {r["Properties"]["GroupName"] for r in resources.values() if r["Type"] == "AWS::Cognito::UserPoolGroup"}
    assert groups == {"agent", "supervisor"}


def test_cli_client_has_no_secret_and_signs_in_with_srp_or_password(resources: Resources) -> None:
    _, client = only(resources, "AWS::Cognito::UserPoolClient")
    properties = client["Properties"]
    assert properties.get("GenerateSecret", False) is False
    assert set(properties["ExplicitAuthFlows"]) == {
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
    }
    assert properties["PreventUserExistenceErrors"] == "ENABLED"
