"""IdentityConstruct: the Cognito user pool agents sign in to, its groups and the CLI's client."""

from __future__ import annotations

from aws_cdk import CfnOutput, Duration, RemovalPolicy
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from infra.nag import acknowledge

AGENT_GROUPS = {
    "agent": "Agents: work cases and customers through the agent API.",
    "supervisor": "Supervisors: what agents do, plus what the agent API reserves for supervisors.",
}


class IdentityConstruct(Construct):
    """Agents and supervisors: invited by an administrator, never self-registered."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.user_pool = cognito.UserPool(
            self,
            "AgentPool",
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(email=True),
            sign_in_case_sensitive=False,
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            mfa=cognito.Mfa.OPTIONAL,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            password_policy=cognito.PasswordPolicy(
                min_length=12,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
                temp_password_validity=Duration.days(3),
            ),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            # Plus tier: compromised-credential checks and adaptive authentication (risky sign-ins
            # must pass MFA). A few cents per agent a month.
            feature_plan=cognito.FeaturePlan.PLUS,
            standard_threat_protection_mode=cognito.StandardThreatProtectionMode.FULL_FUNCTION,
            deletion_protection=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        acknowledge(
            self.user_pool,
            "COG2",
            "MFA is optional by decision: agents enrol TOTP from the console, and Plus-tier adaptive "
            "authentication demands MFA on risky sign-ins.",
        )
        for group_name, description in AGENT_GROUPS.items():
            cognito.UserPoolGroup(
                self,
                f"{group_name.title()}Group",
                user_pool=self.user_pool,
                group_name=group_name,
                description=description,
            )
        self.cli_client = self.user_pool.add_client(
            "CliClient",
            generate_secret=False,  # a CLI cannot keep a secret
            auth_flows=cognito.AuthFlow(user_srp=True, user_password=True),
            disable_o_auth=True,
            prevent_user_existence_errors=True,
            enable_token_revocation=True,
            access_token_validity=Duration.hours(1),
            id_token_validity=Duration.hours(1),
            refresh_token_validity=Duration.days(30),
        )
        CfnOutput(self, "UserPoolId", value=self.user_pool.user_pool_id)
        CfnOutput(self, "CliClientId", value=self.cli_client.user_pool_client_id)
