"""The layers contract (pyproject.toml [tool.importlinter], STYLE.md 14): `lint-imports` passes
on the tree, and fails on a copy of the tree with one deliberately wrong import."""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _root_packages() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return config["tool"]["importlinter"]["root_packages"]


def _layers() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    (contract,) = config["tool"]["importlinter"]["contracts"]
    return [layer.strip("()") for layer in contract["layers"]]


def _lint_imports(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", "--config", str(tree / "pyproject.toml")],
        cwd=tree,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tree)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _not_python(folder: str, names: list[str]) -> list[str]:
    return [
        name
        for name in names
        if name == "__pycache__"
        or (not name.endswith(".py") and not (Path(folder) / name).is_dir())
    ]


def _copy_of_the_tree(destination: Path) -> Path:
    """The apps' Python files and the contract, in `destination` (templates and static left)."""
    shutil.copy(ROOT / "pyproject.toml", destination / "pyproject.toml")
    for package in _root_packages():
        shutil.copytree(ROOT / package, destination / package, ignore=_not_python)
    return destination


def test_every_app_is_in_the_contract():
    """An app left out of root_packages would not be checked at all: each package of the tree
    with an AppConfig is analysed and has its layer."""
    apps = {path.parent.name for path in ROOT.glob("*/apps.py")}
    assert apps <= set(_root_packages()), sorted(apps - set(_root_packages()))
    assert set(_root_packages()) <= set(_layers())


def test_the_tree_keeps_the_layers():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 1 kept, 0 broken." in result.stdout


def test_a_wrong_import_breaks_the_contract(tmp_path):
    tree = _copy_of_the_tree(tmp_path)
    before = _lint_imports(tree)
    assert "ptsp.layer_breach" not in before.stdout

    # The bottom layer reaching for the top one: the infrastructure importing a domain app.
    (tree / "ptsp" / "layer_breach.py").write_text("from operations.models import FailedTask\n")
    after = _lint_imports(tree)

    assert after.returncode != 0, after.stdout
    assert "BROKEN" in after.stdout
    assert "ptsp is not allowed to import operations" in after.stdout
    assert "ptsp.layer_breach -> operations.models (l.1)" in after.stdout


def test_a_wrong_import_inside_a_function_breaks_it_too(tmp_path):
    """Hiding an upward import in a function body does not get it past the check."""
    tree = _copy_of_the_tree(tmp_path)
    (tree / "accounts" / "layer_breach.py").write_text(
        "def reviews():\n    from applications.models import Application\n\n"
        "    return Application.objects.all()\n"
    )
    result = _lint_imports(tree)

    assert result.returncode != 0, result.stdout
    assert "accounts is not allowed to import applications" in result.stdout
    assert "accounts.layer_breach -> applications.models (l.2)" in result.stdout
