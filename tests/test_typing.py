"""Type checks: mypy in `make lint` covers `core/` and every
services and selectors module, each under the strict per-module settings
(`[tool.mypy]` in pyproject.toml), so a new module cannot slip out of it."""

import fnmatch
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("clusters", "pledges", "campaigns", "awards")


def _mypy_config():
    with (ROOT / "pyproject.toml").open("rb") as file:
        return tomllib.load(file)["tool"]["mypy"]


def _module(path):
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _matches(module, pattern):
    """mypy's module patterns: "a.b.*" is `a.b` and everything under it."""
    if pattern.endswith(".*") and module == pattern[:-2]:
        return True
    return fnmatch.fnmatchcase(module, pattern)


def _must_be_checked():
    """core/*.py and every module named services* or selectors* (or inside a
    package of that name) of the domain apps."""
    found = set(ROOT.glob("core/*.py"))
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            names = path.relative_to(ROOT / app).with_suffix("").parts
            if any(n.startswith(("services", "selectors")) for n in names):
                found.add(path)
    return found


def test_mypy_checks_core_and_every_services_and_selectors_module():
    config = _mypy_config()
    checked = {path for pattern in config["files"] for path in ROOT.glob(pattern)}
    missing = sorted(str(p.relative_to(ROOT)) for p in _must_be_checked() - checked)
    assert missing == []


def test_every_checked_module_must_annotate_its_signatures():
    strict = [
        set(override["module"])
        for override in _mypy_config()["overrides"]
        if override.get("disallow_untyped_defs")
        and override.get("disallow_incomplete_defs")
    ]
    patterns = set().union(*strict)
    loose = sorted(
        _module(path)
        for path in _must_be_checked()
        if not any(_matches(_module(path), pattern) for pattern in patterns)
    )
    assert loose == []
