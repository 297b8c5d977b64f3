"""The layers ("Layers"; the import-linter contract in pyproject.toml):
core ← clusters ← pledges ← campaigns ← awards. A module imports nothing from a
higher layer, at module level or inside a function — a function-level import
only hides the cycle; the higher app registers a provider at start-up instead."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["core", "clusters", "pledges", "campaigns", "awards"]
ABOVE_ALL = {"demo", "bench"}


def _imported_packages(tree, module_package):
    """(line, top-level package) of every import in `tree`, wherever it is."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: stays inside its own package
                yield node.lineno, module_package
            elif node.module:
                yield node.lineno, node.module.split(".")[0]


def layer_violations(package):
    """ "path:line imports <higher package>" for every import of a higher layer
    (or of demo and bench) in the modules of `package`, migrations included."""
    rank = LAYERS.index(package)
    higher = set(LAYERS[rank + 1 :]) | ABOVE_ALL
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, imported in _imported_packages(tree, package):
            if imported in higher:
                found.append(f"{path.relative_to(ROOT)}:{line} imports {imported}")
    return found


@pytest.mark.parametrize("package", LAYERS)
def test_no_module_imports_a_higher_layer(package):
    assert layer_violations(package) == []


def test_the_check_finds_a_function_level_import(tmp_path, monkeypatch):
    package = tmp_path / "clusters"
    package.mkdir()
    (package / "rotation.py").write_text(
        "def elected(term):\n    from awards.selectors import outcome\n"
        "    return outcome(term)\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    assert layer_violations("clusters") == ["clusters/rotation.py:2 imports awards"]
