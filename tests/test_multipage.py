"""Page sets (cchc/multipage.py): one executed notebook split into one small
notebook per emitted page, titles set, unsafe paths refused."""
from __future__ import annotations

import nbformat
import pytest

from cchc import multipage
from cchc.build import apply_front_matter


def _executed(tmp_path, pages):
    outputs = [nbformat.v4.new_output("display_data", data={"text/markdown": f"```{{=html}}\n<p>{t}</p>\n```\n"},
                                      metadata={multipage.KEY: {"path": p, "title": t}}) for p, t in pages]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("emit()", outputs=outputs)])
    path = tmp_path / "set.ipynb"
    nbformat.write(nb, path)
    return path


def test_split_writes_one_notebook_per_page(tmp_path):
    src = _executed(tmp_path, [("thu-tuc/1.001193", "Đăng ký khai sinh"), ("thu-tuc/2.000815", "Chứng thực")])
    staging = tmp_path / "staging"
    written = multipage.split(src, staging, apply_front_matter)
    assert written == ["thu-tuc/1.001193", "thu-tuc/2.000815"]
    nb = nbformat.read(staging / "thu-tuc" / "1.001193.ipynb", as_version=4)
    assert nb.cells[0].cell_type == "raw" and "Đăng ký khai sinh" in nb.cells[0].source
    [out] = nb.cells[1].outputs
    assert "<p>Đăng ký khai sinh</p>" in out["data"]["text/markdown"] and multipage.KEY not in out["metadata"]
    assert "text/html" not in out["data"]


def test_unsafe_paths_are_refused(tmp_path):
    src = _executed(tmp_path, [("../escape", "x")])
    with pytest.raises(ValueError, match="safe relative path"):
        multipage.split(src, tmp_path / "staging", apply_front_matter)
    with pytest.raises(ValueError, match="relative path"):
        multipage.emit([("/abs/x", "t", "<p>x</p>")])
