"""Quiet jsii's Node version banner before anything imports aws_cdk."""

from __future__ import annotations

import os

_EOL_VARIABLE = "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"
# jsii stays silent only when the variable lists the running major version ("1" does not count).
_KNOWN_EOL_MAJORS = ("20",)


def silence_node_end_of_life_warning() -> None:
    """Add the end-of-life Node majors we run on to jsii's comma-separated silence list."""
    listed = [item.strip() for item in os.environ.get(_EOL_VARIABLE, "").split(",") if item.strip()]
    os.environ[_EOL_VARIABLE] = ",".join(dict.fromkeys([*listed, *_KNOWN_EOL_MAJORS]))
