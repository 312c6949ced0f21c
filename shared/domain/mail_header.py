"""Text that may end up in a mail header: one line, printable, bounded.

A customer writes a subject or a name; an agent's reply puts it in `Subject:` or a display name.
A line break there would start a header of the customer's choosing (`Bcc:`), and the standard
library refuses it, so such text is folded here, once, wherever it is stored and again where a mail
is built.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

from shared.domain.text import LONE_SURROGATE

# Line breaks of every kind (CR, LF, NEL, U+2028/2029, VT, FF, ...), every other control character
# (NUL, ESC, DEL, C1) and runs of white space become one space.
_UNSAFE = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_ELLIPSIS = "…"


def one_line(text: str, limit: int | None = None) -> str:
    """`text` folded onto one printable line, cut to `limit` characters (ending in …)."""
    folded = _UNSAFE.sub(" ", LONE_SURROGATE.sub("\ufffd", text)).strip()
    if limit is not None and len(folded) > limit:
        folded = folded[: limit - 1].rstrip() + _ELLIPSIS
    return folded


# A stored subject: what an agent sees, and what a reply's `Subject:` is built from.
OneLine = Annotated[str, AfterValidator(one_line)]
