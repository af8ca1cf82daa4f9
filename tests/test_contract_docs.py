"""data/README.md is generated from the contract and must stay in step with it."""
from __future__ import annotations


from cchc import contract
from cchc.contract import docs


def test_committed_readme_equals_regeneration():
    committed = docs.README.read_text(encoding="utf-8")
    assert committed == docs.render(), (
        "data/README.md is out of date with cchc/contract/inputs.yaml: "
        "run `.venv/bin/python -m cchc.contract.docs`")


def test_every_contract_column_and_alias_is_documented():
    text = docs.render()
    for name, spec in contract.inputs().items():
        assert f"### `{name}`" in text
        for col, cspec in spec["columns"].items():
            assert f"| `{col}` | {docs.cell(cspec['label_vi'])} |" in text
            for alias in cspec.get("aliases", []):
                assert f"“{docs.cell(alias)}”" in text
    for col in contract.personal_data()["columns"]:
        assert f"`{col}`" in text
    assert ".venv/bin/python pipeline.py validate --quarter 2026Q4" in text
    assert ".venv/bin/python pipeline.py build" in text
    assert "## English summary" in text


def test_cells_escape_pipes_and_newlines():
    assert docs.cell("a|b\nc") == "a\\|b c"
    table = docs._table(["x", "y"], [["1|2", "3"]])
    assert table.splitlines()[2] == "| 1\\|2 | 3 |"


def test_check_mode(tmp_path, capsys):
    out = tmp_path / "README.md"
    assert docs.main(["--check", "--output", str(out)]) == 1
    assert docs.main(["--output", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == docs.render()
    assert docs.main(["--check", "--output", str(out)]) == 0
