"""What counts as text everywhere: the API's guard refuses it, a mail header replaces it."""

from __future__ import annotations

import re

# Half of a UTF-16 pair on its own (JSON's `\ud800` decodes to one): no store, index or mail can take it.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
