"""What API Gateway's Cognito authorizer does, for the local runtime: verify the ID token, pass its claims."""

from __future__ import annotations

import json
from typing import Any

import jwt
from moto.utilities.utils import load_resource

from shared.errors import Unauthorized


class CognitoAuthorizer:
    """Verifies tokens signed by moto's Cognito (its published key), like the REST API authorizer would."""

    def __init__(self, *, issuer: str, client_id: str) -> None:
        self.issuer = issuer
        self.client_id = client_id
        self.keys = jwt.PyJWKSet.from_json(json.dumps(load_resource("cognitoidp/resources/jwks-public.json")))

    def claims(self, authorization: str | None) -> dict[str, str]:
        """The claims as the authorizer hands them to Lambda: strings, groups comma-separated."""
        if not authorization:
            raise Unauthorized("missing bearer token")
        token = authorization.removeprefix("Bearer ").strip()
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            key = next(k for k in self.keys.keys if k.key_id == kid)
            payload: dict[str, Any] = jwt.decode(
                token, key=key, algorithms=["RS256"], audience=self.client_id, issuer=self.issuer
            )
        except (jwt.PyJWTError, StopIteration) as exc:
            raise Unauthorized("the token is not valid") from exc
        if payload.get("token_use") != "id":
            raise Unauthorized("send the ID token")
        return {k: ",".join(v) if isinstance(v, list) else str(v) for k, v in payload.items()}
