"""The lock files: the runtime lock pins every runtime dependency and no test tool; the
test tools are pinned apart, in requirements-dev.lock."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).parent.parent
TEST_TOOLS = {"pytest", "pytest-xdist", "hypothesis", "ruff"}


def pins(name: str) -> dict[str, str]:
    lines = (ROOT / name).read_text(encoding="utf-8").splitlines()
    found = {}
    for line in lines:
        if line.strip() and not line.startswith("#"):
            package, version = line.split("==")
            found[package.lower().replace("_", "-")] = version
    return found


def declared(group: str | None) -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = project["dependencies"] if group is None else project["optional-dependencies"][group]
    return {re.split(r"[<>=\[ ]", spec)[0].lower() for spec in specs}


def test_the_runtime_lock_pins_every_runtime_dependency_and_no_test_tool():
    runtime = pins("requirements.lock")
    assert declared(None) <= set(runtime)
    assert not TEST_TOOLS & set(runtime)


def test_the_test_tools_are_pinned_in_the_dev_lock_only():
    dev = pins("requirements-dev.lock")
    assert declared("dev") == TEST_TOOLS
    assert set(dev) >= TEST_TOOLS
    assert not set(dev) & set(pins("requirements.lock"))
