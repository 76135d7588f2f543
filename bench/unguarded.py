"""`todo-api serve` without its server limits: plain uvicorn httptools, no connection cap.

`python -m bench run --reference unguarded` runs it against ours: what api/server.py costs.
"""

from __future__ import annotations

from typing import Any

import api.server
from api.settings import Settings


def _no_limits(settings: Settings) -> dict[str, Any]:
    return {}


if __name__ == "__main__":
    api.server.uvicorn_options = _no_limits  # before api.cli imports it
    from api.cli import app

    app()
