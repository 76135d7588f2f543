"""The build hook: a built package carries the browser files the explorer and the docs serve.

Everything else about the package is in pyproject.toml. `build_py` copies exactly the npm files
api/assets/manifest.py names into the built api/assets/vendor/, running `npm ci` against the
committed lock first when node_modules/ lacks one of them. Without npm the build stops with an
error saying so; TODO_API_ASSETS=skip builds without the files (the explorer and the docs then
answer 503 with how to install them). Editable installs read node_modules/ in place instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from importlib.util import module_from_spec, spec_from_file_location
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.errors import ExecError

ASSETS = Path(__file__).resolve().parent / "api" / "assets"
NODE_MODULES = ASSETS / "node_modules"
SKIP_VARIABLE = "TODO_API_ASSETS"


def served_files() -> dict[str, str]:
    """The manifest's served name -> path under node_modules (read by path: not installed yet)."""
    spec = spec_from_file_location("manifest", ASSETS / "manifest.py")
    assert spec is not None and spec.loader is not None
    manifest = module_from_spec(spec)
    spec.loader.exec_module(manifest)
    return dict(manifest.VENDORED)


def npm_ci() -> None:
    """Install the locked packages (api/assets/.npmrc turns install scripts off)."""
    npm = shutil.which("npm")
    if npm is None:
        raise ExecError(
            "npm is needed to build todo-api: the package carries GraphiQL's and Swagger UI's "
            f"files from npm (api/assets/package-lock.json). Install Node 20.19+ with npm, or set "
            f"{SKIP_VARIABLE}=skip to build without them (/graphql and /docs then answer 503)."
        )
    print(f"running npm ci in {ASSETS}")
    if subprocess.run([npm, "ci"], cwd=ASSETS).returncode != 0:
        raise ExecError(f"npm ci failed in {ASSETS} (its output is above)")


class BuildPyWithAssets(build_py):
    """build_py, then the served npm files into the built package's api/assets/vendor/."""

    def run(self) -> None:
        super().run()
        if self.editable_mode or os.environ.get(SKIP_VARIABLE) == "skip":
            return
        files = served_files()
        if not all((NODE_MODULES / relative).is_file() for relative in files.values()):
            npm_ci()
        vendor = Path(self.build_lib) / "api" / "assets" / "vendor"
        shutil.rmtree(vendor, ignore_errors=True)
        vendor.mkdir(parents=True)
        for name, relative in files.items():
            source = NODE_MODULES / relative
            if not source.is_file():
                raise ExecError(f"{source} is missing after npm ci: is the lock up to date?")
            shutil.copyfile(source, vendor / name)


setup(cmdclass={"build_py": BuildPyWithAssets})
