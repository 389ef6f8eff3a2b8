"""Print the API's OpenAPI document as JSON, as the server would serve it.

The dashboard's TypeScript types are generated from it (scripts/gen-api.mjs). The
settings are the defaults whatever the environment says, so the output depends only on
the code.
"""

from __future__ import annotations

import json
import os
import sys

for name in [n for n in os.environ if n.startswith("EQUEUE_")]:
    del os.environ[name]

from equeue import Queue  # noqa: E402  (after the environment is cleared)
from equeue.api import create_app  # noqa: E402

# No connection is made: the document is built from the routes alone.
app = create_app(Queue("postgresql://localhost/unused"))
json.dump(app.openapi(), sys.stdout, indent=1)
sys.stdout.write("\n")
