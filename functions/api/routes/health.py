"""GET /v1/health: the API is up (the local runtime is ready when this answers 200)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router

router = Router()  # type: ignore[no-untyped-call]


@router.get("/v1/health", summary="Answers 200 while the API is up", tags=["operations"])
def health() -> dict[str, str]:
    return {"status": "ok"}
