"""One Node version everywhere it is stated: the Makefile's check, both npm packages' `engines`,
and the wheel build's message (the README states it too)."""

from __future__ import annotations

import json
import re
from pathlib import Path


def test_every_statement_of_the_node_version_agrees(repo_root: Path) -> None:
    makefile = (repo_root / "Makefile").read_text()
    minimum = re.search(r"^NODE_MINIMUM := (\S+)$", makefile, re.MULTILINE)
    assert minimum is not None
    for package in ("api/assets/package.json", "tests/typed-client/package.json"):
        engines = json.loads((repo_root / package).read_text())["engines"]
        assert engines == {"node": f">={minimum[1]}"}, package
    for stated in ("Makefile", "setup.py"):
        versions = set(re.findall(r"Node (\d[\d.]*)\+", (repo_root / stated).read_text()))
        assert versions <= {minimum[1], "$(NODE_MINIMUM)"}, stated
