"""Issue 15: quarter.yml is parsed once per process for the same bytes; a
changed or broken file is read again, and a caller's changes to the result
never reach the next caller."""
from __future__ import annotations

import pytest
import yaml

from cchc import loader


def test_same_bytes_parsed_once_changed_bytes_again(tmp_path, monkeypatch):
    folder = tmp_path / "2026Q3"
    folder.mkdir()
    path = folder / "quarter.yml"
    path.write_text("quarter: 2026Q3\nexported_at: 2026-10-05 08:00\n", encoding="utf-8")
    parses = []
    real = yaml.parse
    monkeypatch.setattr(yaml, "parse", lambda *a, **k: parses.append(1) or real(*a, **k))
    loader._MANIFEST_DOCS.clear()
    first = loader.read_manifest_doc(path)
    first["quarter"] = "changed by a caller"
    second = loader.read_manifest_doc(path)
    assert second["quarter"] == "2026Q3" and len(parses) == 1
    assert loader.read_manifest(path).quarter == "2026Q3" and len(parses) == 1
    path.write_text("quarter: 2026Q3\nexported_at: 2026-10-06 08:00\n", encoding="utf-8")
    assert str(loader.read_manifest_doc(path)["exported_at"]).startswith("2026-10-06") and len(parses) == 2
    path.write_text("quarter: &a 2026Q3\nnote: *a\n", encoding="utf-8")
    for _ in range(2):  # refused every time, never remembered
        with pytest.raises(loader.LoadError):
            loader.read_manifest_doc(path)
    assert len(parses) == 4


def test_contract_reads_the_same_with_libyaml():
    from importlib import resources

    from cchc import contract

    text = resources.files("cchc.contract").joinpath("inputs.yaml").read_text(encoding="utf-8")
    assert contract.contract() == yaml.safe_load(text)
    assert contract.SAFE_LOADER is getattr(yaml, "CSafeLoader", yaml.SafeLoader)
