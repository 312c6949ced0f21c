"""PowertoolsOnce: run work once per payload, with Powertools idempotency on the shared table.

Used only where no natural key exists (the web form). A repeat within the window returns the
stored result; a repeat while the first is still running is a 409 the client may retry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyPersistenceLayerError,
)
from aws_lambda_powertools.utilities.idempotency.serialization.pydantic import PydanticSerializer
from pydantic import BaseModel

from shared.errors import Conflict, Unavailable

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

R = TypeVar("R", bound=BaseModel)


class PowertoolsOnce:
    def __init__(self, client: DynamoDBClient, table_name: str, *, window_seconds: int) -> None:
        self.client = client
        self.table_name = table_name
        self.config = IdempotencyConfig(expires_after_seconds=window_seconds, raise_on_no_idempotency_key=True)
        self._stores: dict[str, DynamoDBPersistenceLayer] = {}

    def register_lambda_context(self, context: Any) -> None:
        """So a record left in progress by a crashed invocation expires when that invocation would have."""
        self.config.register_lambda_context(context)

    def _store(self, scope: str) -> DynamoDBPersistenceLayer:
        """One layer per scope for the life of the process: each new one hooks itself into the shared
        client's events for good, and every later request would run all of those hooks."""
        store = self._stores.get(scope)
        if store is None:
            store = self._stores[scope] = DynamoDBPersistenceLayer(
                table_name=self.table_name,
                key_attr="PK",
                sort_key_attr="SK",
                static_pk_value=f"idempotency#{scope}",
                expiry_attr="ttl",
                boto3_client=self.client,
            )
        return store

    def run(self, scope: str, payload: BaseModel, work: Callable[[], R], result_type: type[R]) -> R:
        store = self._store(scope)

        @idempotent_function(  # type: ignore[untyped-decorator]
            data_keyword_argument="payload",
            persistence_store=store,
            config=self.config,
            output_serializer=PydanticSerializer(result_type),
        )
        def once(payload: BaseModel) -> R:
            return work()

        try:
            result: Any = once(payload=payload)
        except IdempotencyAlreadyInProgressError as exc:
            raise Conflict("the same request is being processed; retry shortly", code="request_in_progress") from exc
        except IdempotencyPersistenceLayerError as exc:
            raise Unavailable("could not record the request") from exc
        return result_type.model_validate(result)
