"""The built package carries the browser files. A wheel built from a clean copy of the sources
(no node_modules/: the build hook runs `npm ci` against the lock) holds exactly the npm files
api/assets/manifest.py names, and the app installed from it serves /graphql and /docs with them.
Without npm the build stops and says why, unless TODO_API_ASSETS=skip (then the pages say 503).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from api.assets import store
from api.assets.manifest import GRAPHIQL, SWAGGER_UI, VENDORED
from tests.support import installed_app
from tests.support.ci import require

pytestmark = [pytest.mark.slow, pytest.mark.node]

GUARD_SECONDS = 300  # against a hung npm or pip; not a measurement
VENDOR = "api/assets/vendor/"


def clean_copy(repo_root: Path, destination: Path) -> Path:
    """The sources as a fresh clone has them: tracked and new files, nothing git ignores."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=repo_root,
        capture_output=True,
        check=True,
    )
    for name in filter(None, listed.stdout.decode().split("\0")):
        source = repo_root / name
        if source.is_file():  # a file deleted in the work tree is still listed
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    assert not (destination / "api" / "assets" / "node_modules").exists()
    return destination


def build_wheel(source: Path, dist: Path, **environment: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", str(source), "-w", str(dist)]
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        env={**os.environ, **environment},
        timeout=GUARD_SECONDS,
    )


def build_py(source: Path, build_lib: Path, **environment: str) -> subprocess.CompletedProcess[str]:
    """Only setup.py's build_py (the hook), with this environment's setuptools: quicker than a
    wheel, and `build_lib` holds what the wheel would."""
    return subprocess.run(
        [sys.executable, "setup.py", "--quiet", "build_py", "--build-lib", str(build_lib)],
        cwd=source,
        capture_output=True,
        text=True,
        env={**os.environ, **environment},
        timeout=GUARD_SECONDS,
    )


def run_installed(site: Path, directory: Path) -> dict[str, Any]:
    """Ask the app installed in `site` for the pages and the files they load."""
    result = subprocess.run(
        [sys.executable, installed_app.__file__],
        capture_output=True,
        text=True,
        cwd=directory,  # not the checkout: `api` must come from the wheel
        env={**os.environ, "PYTHONPATH": str(site)},
        timeout=GUARD_SECONDS,
    )
    assert result.returncode == 0, result.stderr
    seen: dict[str, Any] = json.loads(result.stdout)
    assert Path(seen["api"]).is_relative_to(site), seen["api"]
    return seen


@pytest.fixture(scope="module")
def wheel(repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    require(shutil.which("git") is not None, "git is not installed")
    require(shutil.which("npm") is not None, "npm is not installed")
    source = clean_copy(repo_root, tmp_path_factory.mktemp("source"))
    dist = tmp_path_factory.mktemp("dist")
    built = build_wheel(source, dist)
    assert built.returncode == 0, built.stdout + built.stderr
    [path] = dist.glob("todo_api-*.whl")
    return path


def test_the_wheel_holds_exactly_the_served_npm_files(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert sorted(n.removeprefix(VENDOR) for n in names if n.startswith(VENDOR)) == sorted(VENDORED)
    assert [name for name in names if "node_modules" in name] == []
    with zipfile.ZipFile(wheel) as archive:
        for name, relative in VENDORED.items():
            installed = store.vendored_path(name, relative).read_bytes()
            assert archive.read(VENDOR + name) == installed, name  # the same lock, the same file


def test_the_installed_package_serves_the_explorer_and_the_docs(
    wheel: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)  # a pure-Python wheel's install
    seen = run_installed(site, tmp_path)
    assert seen["vendor"] == str(site / VENDOR.rstrip("/"))
    statuses = {url.split("?")[0]: status for url, (status, _) in seen["answers"].items()}
    assert statuses["/graphql"] == statuses["/docs"] == 200
    expected = {f"/graphql/assets/{name}" for name in GRAPHIQL}
    expected |= {f"/docs/assets/{name}" for name in SWAGGER_UI}
    assert expected <= statuses.keys()
    assert all(status == 200 for status in statuses.values()), statuses
    with zipfile.ZipFile(wheel) as archive:
        for url, (_, digest) in seen["answers"].items():
            name = url.split("?")[0].rsplit("/", 1)[1]
            if name in VENDORED:
                assert digest == hashlib.sha256(archive.read(VENDOR + name)).hexdigest(), url


def test_without_npm_the_build_says_why_or_leaves_the_files_out_when_told(
    repo_root: Path, tmp_path: Path
) -> None:
    require(shutil.which("git") is not None, "git is not installed")
    source = clean_copy(repo_root, tmp_path / "source")
    no_npm = {"PATH": str(tmp_path / "empty")}  # neither npm nor anything else

    refused = build_py(source, tmp_path / "refused", **no_npm)
    assert refused.returncode != 0
    assert "error: npm is needed to build todo-api" in refused.stderr
    assert "TODO_API_ASSETS=skip" in refused.stderr

    site = tmp_path / "site"
    skipped = build_py(source, site, **no_npm, TODO_API_ASSETS="skip")
    assert skipped.returncode == 0, skipped.stderr
    assert not (site / VENDOR).exists()
    answers = run_installed(site, tmp_path)["answers"]
    assert (answers["/graphql"][0], answers["/docs"][0]) == (503, 503)
