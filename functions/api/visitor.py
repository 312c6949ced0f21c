"""The portal's per-browser visitor id, sent on searches and contacts: deflection joins the two."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Header

Visitor = Annotated[
    str | None,
    Header(
        alias="x-tugi-visitor",
        pattern=r"^[A-Za-z0-9_-]{8,64}$",
        description="The portal's random per-browser id: searches followed by no contact count as deflected",
    ),
]
