"""Run as a script with an installed (unpacked) wheel first on PYTHONPATH: the app it holds
answers /graphql and /docs, and every file those pages load; prints what it saw as JSON.

Its working directory is a scratch one: the development secret and the SQLite path go there.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import httpx

import api
from api.app import create_app
from api.assets import store
from api.settings import Settings

PAGES = ["/graphql", "/docs"]


async def visit() -> dict[str, Any]:
    here = Path.cwd()
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=f"sqlite:///{here / 'never-opened.db'}",
        dev_secret_file=str(here / "dev-secret"),
    )
    transport = httpx.ASGITransport(app=create_app(settings))
    seen: dict[str, Any] = {"api": api.__file__, "vendor": str(store.VENDOR), "answers": {}}
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        for path in PAGES:
            page = await http.get(path, headers={"Accept": "text/html"})
            seen["answers"][path] = [page.status_code, ""]
            for url in re.findall(r'(?:src|href)="(/[^"]+)"', page.text):
                asset = await http.get(url.replace("&amp;", "&"))
                digest = hashlib.sha256(asset.content).hexdigest()
                seen["answers"][url] = [asset.status_code, digest]
    return seen


if __name__ == "__main__":
    print(json.dumps(asyncio.run(visit())))
