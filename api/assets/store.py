"""A page's files read once and served by name, and the headers its HTML answers carry.

Each npm file is read from vendor/ when the package was built with them (setup.py copies them
there), else from node_modules/ (a checkout after `make install`); only named files are served.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from string import Template

from fastapi import HTTPException, Request, Response, status
from fastapi.responses import HTMLResponse

HERE = Path(__file__).parent
NODE_MODULES = HERE / "node_modules"
VENDOR = HERE / "vendor"  # filled by the build, absent in a checkout

MEDIA_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
# Asset URLs carry a digest of their content (?v=...): a new version is a new URL.
ASSET_CACHE = "public, max-age=31536000, immutable"

# Every page of ours refuses what it does not name, and cannot be framed, nor post a form.
BASELINE_POLICY = ["default-src 'none'", "base-uri 'none'", "form-action 'none'"]


def security_headers(*sources: str) -> dict[str, str]:
    """A page's headers: a CSP of the baseline plus the page's own `sources` directives."""
    policy = [*BASELINE_POLICY, *sources, "frame-ancestors 'none'"]  # no clickjacking
    return {
        "Content-Security-Policy": "; ".join(policy),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }


def vendored_path(name: str, relative: str) -> Path:
    """The packaged copy of an npm file, else the one npm installed in this checkout."""
    packaged = VENDOR / name
    return packaged if packaged.is_file() else NODE_MODULES / relative


@dataclass(frozen=True)
class Asset:
    body: bytes
    media_type: str
    digest: str

    @classmethod
    def read(cls, path: Path) -> Asset:
        body = path.read_bytes()
        digest = hashlib.sha256(body).hexdigest()[:16]
        return cls(body, MEDIA_TYPES[path.suffix], digest)


@dataclass(frozen=True)
class AssetStore:
    """A page's files; `missing` names the npm files neither packaged nor installed."""

    files: dict[str, Asset]
    missing: list[str]

    @classmethod
    def load(cls, vendored: Mapping[str, str], own: Mapping[str, Path]) -> AssetStore:
        """`vendored`: served name -> path under node_modules; `own`: name -> our file."""
        files: dict[str, Asset] = {}
        missing: list[str] = []
        for name, relative in vendored.items():
            path = vendored_path(name, relative)
            if path.is_file():
                files[name] = Asset.read(path)
            else:
                missing.append(str(path))
        files |= {name: Asset.read(path) for name, path in own.items()}
        return cls(files, missing)

    def urls(self, request: Request, route_name: str) -> dict[str, str]:
        """Each file's HTML-escaped URL, versioned by its content, keyed for a page template
        (`graphiql.min.js` as `$graphiql_min_js`)."""
        urls = {}
        for name, asset in self.files.items():
            path = request.url_for(route_name, name=name).path
            key = name.replace(".", "_").replace("-", "_")
            urls[key] = html.escape(f"{path}?v={asset.digest}")
        return urls

    def response(self, name: str) -> Response:
        """One of the files, cacheable for a year (its URL changes with its content)."""
        asset = self.files.get(name)
        if asset is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "No such asset")
        headers = {"Cache-Control": ASSET_CACHE, "X-Content-Type-Options": "nosniff"}
        return Response(asset.body, media_type=asset.media_type, headers=headers)

    def missing_page(self, page: str, without_them: str, headers: dict[str, str]) -> HTMLResponse:
        """503: which files are missing and how to install them."""
        template = Template((HERE / "missing.html").read_text(encoding="utf-8"))
        body = template.substitute(
            page=html.escape(page),
            missing="\n".join(html.escape(path) for path in self.missing),
            without_them=html.escape(without_them),
        )
        return HTMLResponse(body, status.HTTP_503_SERVICE_UNAVAILABLE, headers)
