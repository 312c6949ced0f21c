"""`python -m functions.api > docs/openapi.json` writes the OpenAPI document (`make openapi`)."""

import json
import sys

from functions.api.openapi import openapi_document

sys.stdout.write(json.dumps(json.loads(openapi_document()), indent=2, sort_keys=True) + "\n")
