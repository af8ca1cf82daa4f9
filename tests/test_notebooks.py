"""Notebooks stay thin, declare the parameters the pipeline passes, and are
committed without outputs."""
import ast
import json
from pathlib import Path

import papermill
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
NB_DIR = ROOT / "notebooks"
PAGES = yaml.safe_load((NB_DIR / "pages.yml").read_text(encoding="utf-8"))
QUARTER_PARAMS = {"quarter", "data_dir", "plan_dir", "context_file"}
SITE_PARAMS = {"data_dir", "plan_dir", "context_file"}

ALL = [(p["notebook"], QUARTER_PARAMS) for p in PAGES["quarter_pages"]] + [
    (p["notebook"], SITE_PARAMS) for p in PAGES["site_pages"] + PAGES.get("page_sets", [])]


def test_every_notebook_is_listed_once():
    listed = sorted(nb for nb, _ in ALL)
    on_disk = sorted(p.name for p in NB_DIR.glob("*.ipynb"))
    assert listed == on_disk


@pytest.mark.parametrize("name,expected", ALL)
def test_parameters_declared(name, expected):
    params = papermill.inspect_notebook(str(NB_DIR / name))
    assert set(params) == expected
    for p in params.values():
        assert p["default"] not in (None, "None"), "every parameter has a working default"


@pytest.mark.parametrize("name", [nb for nb, _ in ALL])
def test_committed_without_outputs(name):
    nb = json.loads((NB_DIR / name).read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], f"{name}: a code cell has outputs (run nbstripout)"
            assert cell.get("execution_count") is None, f"{name}: execution count committed"


@pytest.mark.parametrize("name", [nb for nb, _ in ALL])
def test_notebooks_stay_thin(name):
    """Code cells only assign parameters, import, call the package and display."""
    nb = json.loads((NB_DIR / name).read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        tree = ast.parse("".join(cell["source"]))
        for node in tree.body:
            assert isinstance(node, (ast.Assign, ast.Import, ast.ImportFrom, ast.Expr)), (
                f"{name}: only assignments, imports and calls belong in a notebook, found {type(node).__name__}")
            for sub in ast.walk(node):
                assert not isinstance(sub, (ast.For, ast.While, ast.If, ast.FunctionDef, ast.Lambda,
                                            ast.ListComp, ast.DictComp)), f"{name}: logic belongs in the package"
