"""How other processes (`tugi token`, tests, the console) reach a running `tugi dev`.

Kept apart from the platform so that reading it never imports moto.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
from pydantic import BaseModel

DEFAULT_RUNTIME_FILE = Path(__file__).resolve().parents[2] / "build" / "dev" / "runtime.json"
DEMO_PASSWORD = "Tugi-Demo-2026!"  # noqa: S105 - a password of the local demo pool only
DEMO_USERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "agent": ("agent@tugi.example", ("agent",)),
    "supervisor": ("supervisor@tugi.example", ("agent", "supervisor")),
}


class RuntimeInfo(BaseModel):
    api_url: str
    moto_endpoint: str
    region: str
    user_pool_id: str
    user_pool_client_id: str
    users: dict[str, str]  # role -> username; the password is DEMO_PASSWORD
    table_name: str = "tugi"  # for the outbox, read through the moto endpoint
    raw_mail_bucket: str = "tugi-raw-mail"  # where `tugi email ingest` puts mail, as SES does

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.model_dump_json(indent=2))

    @classmethod
    def read(cls, path: Path) -> RuntimeInfo:
        return cls.model_validate_json(path.read_text())

    def client(self, service: str) -> Any:
        """A client of the running platform's moto server."""
        return boto3.client(  # type: ignore[call-overload]
            service,
            region_name=self.region,
            endpoint_url=self.moto_endpoint,
            aws_access_key_id="local",
            aws_secret_access_key="local",  # noqa: S106 - moto accepts any key
        )

    def id_token(self, role: str) -> str:
        """Sign in as the demo user of `role` on the local Cognito, as the console will."""
        result = self.client("cognito-idp").initiate_auth(
            ClientId=self.user_pool_client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": self.users[role], "PASSWORD": DEMO_PASSWORD},
        )
        return str(result["AuthenticationResult"]["IdToken"])
