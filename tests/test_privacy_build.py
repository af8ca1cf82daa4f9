"""Issue 10 through `pipeline.py build`: personal data in free text is
masked and counted, stray file names and server paths stay off the site,
look-alike quarter folders and files changed after validation stop the
build, and a failure leaves nothing half-made beside the site.

The error cases of the bad-input corpus (tests/bad_inputs/cases.yaml) also
run through `pipeline.py build` in tests/test_pipeline.py
(test_bad_input_leaves_published_site_unchanged).
"""
from __future__ import annotations

import csv
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "bad_inputs"))
import corpus  # noqa: E402

PY = sys.executable
STRAY = "DS nguoi nop - Nguyen Van An.xlsx"


def run(*args, cache: Path, timeout=900):
    env = {**os.environ, "CCHC_CACHE_DIR": str(cache), "PYTHONWARNINGS": "ignore"}
    return subprocess.run([PY, str(ROOT / "pipeline.py"), *args], capture_output=True, text=True, env=env,
                          timeout=timeout, cwd=ROOT)


def tree_digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def site_text(site: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in sorted(site.rglob("*"))
                     if p.is_file() and p.suffix in (".html", ".csv", ".json", ".svg", ".txt", ".js"))


def leftovers(base: Path) -> list[str]:
    """Temporary folders a build must never leave behind."""
    return sorted(str(p.relative_to(base)) for p in base.rglob("*")
                  if p.is_dir() and (".new-" in p.name or p.name.startswith("snapshot-") or p.name == "executing"))


@pytest.fixture(scope="module")
def held_back(tmp_path_factory):
    """2026Q3: the corpus case pii_free_text plus a stray file named after a
    person; 2026Q4: a link to a folder outside the data folder (its error
    names a server path). Built with --keep-going."""
    base = tmp_path_factory.mktemp("privacy")
    data = base / "data"
    folder = corpus.build_case("pii_free_text", data)
    shutil.copyfile(folder / "ho_so.csv", folder / STRAY)
    outside = base / "secret-server-path" / "2026Q4"
    shutil.copytree(folder, outside)
    (data / "2026Q4").symlink_to(outside, target_is_directory=True)
    site = base / "site"
    r = run("build", "--data", str(data), "--site", str(site), "--keep-going", "--jobs", "2", cache=base / "cache")
    return {"base": base, "data": data, "site": site, "r": r, "outside": outside}


def test_build_with_personal_data_in_free_text_masks_it(held_back):
    r, site = held_back["r"], held_back["site"]
    assert r.returncode == 2, r.stdout + r.stderr  # --keep-going: published, but 2026Q4 was held back
    assert "NOT published: 2026Q4" in r.stderr
    text = site_text(site)
    for leaked in corpus.case("pii_free_text")["expect"]["absent"]:
        assert leaked not in text, f"{leaked!r} reached the site"
    tasks = (site / "2026Q3" / "nhiem-vu.html").read_text(encoding="utf-8")
    assert "Liên hệ ĐT[đã ẩn] (anh Bình)" in tasks
    assert "Gọi [đã ẩn] hoặc [đã ẩn]" in tasks
    # money and document numbers pass untouched
    assert "Quyết định số 123456789/QĐ-UBND, kinh phí 150.000.000 đồng" in tasks
    assert "150000000 đồng" in (site / "2026Q3" / "nhiem-vu.html").read_text(encoding="utf-8") + text
    # the search index was built from the masked text too
    from cchc.render.search import read_index

    index = read_index(site)
    assert any("Liên hệ ĐT[đã ẩn]" in r["content"] for r in index)
    assert all("0912" not in r["content"] + str(r["meta"]) for r in index)


def test_masking_is_counted_per_file_and_column_and_rows_stay_private(held_back):
    site, base = held_back["site"], held_back["base"]
    quality = (site / "2026Q3" / "chat-luong.html").read_text(encoding="utf-8")
    assert "tien_do.csv, cột GhiChu: Ô văn bản có số điện thoại" in quality
    assert "bao_cao.csv, cột MinhChung" in quality and "phan_anh.csv, cột LinhVuc" in quality
    with open(site / "data" / "2026Q3" / "data_quality_warnings.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    masked = {(w["file"], w["column"], w["count"]) for w in rows if w["check"] == "personal_data_masked"}
    assert masked == {("tien_do.csv", "GhiChu", "2"), ("bao_cao.csv", "MinhChung", "1"),
                      ("phan_anh.csv", "LinhVuc", "1")}
    public = (site / "data" / "2026Q3" / "validation.json").read_text(encoding="utf-8")
    assert "example_rows" not in public and "rows: 2, 3" not in public
    report = (base / "_build-site" / "reports" / "validation.txt").read_text(encoding="utf-8")
    assert "⚠ 2026Q3/tien_do.csv — cột GhiChu" in report and "2 dòng / rows: 2, 3" in report


def test_stray_file_name_is_private_and_only_counted(held_back):
    site, base = held_back["site"], held_back["base"]
    text = site_text(site)
    assert "Nguyen Van An" not in text and "DS nguoi nop" not in text
    quality = (site / "2026Q3" / "chat-luong.html").read_text(encoding="utf-8")
    assert "2026Q3: Tệp không thuộc danh mục dữ liệu đầu vào, đã bỏ qua (1)" in quality
    report = (base / "_build-site" / "reports" / "validation.txt").read_text(encoding="utf-8")
    assert STRAY in report


def test_held_back_quarter_is_named_in_words_without_paths(held_back):
    site, base = held_back["site"], held_back["base"]
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "Quý IV/2026 chưa được công bố vì dữ liệu chưa đạt kiểm tra: Tên thư mục quý không hợp lệ" in home
    text = site_text(site)
    assert str(base) not in text and "secret-server-path" not in text
    assert str(held_back["outside"].parent) not in text
    # the terminal (private) still says where
    assert "2026Q4" in held_back["r"].stderr
    assert leftovers(base) == []


def test_lookalike_quarter_folder_stops_the_build(tmp_path):
    data = tmp_path / "data"
    folder = corpus.build_case("valid_template", data)
    shutil.copytree(folder, data / "202\uff16Q3")
    site = tmp_path / "site"
    r = run("build", "--data", str(data), "--site", str(site), cache=tmp_path / "cache")
    assert r.returncode == 2, r.stdout + r.stderr
    assert "202\uff16Q3" in r.stderr and "'202\\uff16Q3'" in r.stderr
    assert "Tên thư mục quý không hợp lệ" in r.stderr and "invalid quarter folder name" in r.stderr
    assert "Traceback" not in r.stderr
    assert not site.exists() and leftovers(tmp_path) == []


def test_compute_uses_exactly_the_validated_bytes(tmp_path):
    """Validation comes from the cache; a file replaced before compute reads
    it is refused (exit 2), never computed."""
    from cchc import build as b
    from cchc.plan import load_plan

    data = tmp_path / "data"
    corpus.build_case("valid_template", data)
    opts = b.BuildOptions(data_dir=data, site_dir=tmp_path / "site", cache_dir=tmp_path / "cache")
    cache = b.Cache(opts.cache_dir)
    verdicts, loaded = b.validate_quarters(opts, ["2026Q3"], cache)
    assert verdicts["2026Q3"].ok and "2026Q3" in loaded
    verdicts, loaded = b.validate_quarters(opts, ["2026Q3"], cache)  # from the cache: nothing loaded
    assert loaded == {} and verdicts["2026Q3"].digest
    digests = {"2026Q3": verdicts["2026Q3"].digest}
    plan = load_plan(opts.plan_dir)
    # unchanged: read from a snapshot of the validated bytes
    results, _ = b.compute_results(opts, ["2026Q3"], {}, cache, plan, digests=digests)
    assert "2026Q3" in results
    # replaced after validation: TrangThaiHoSo 11 would never have passed
    ho_so = data / "2026Q3" / "ho_so.csv"
    ho_so.write_text(ho_so.read_text(encoding="utf-8").replace(",10,0,0,1,1,0", ",11,0,0,1,1,0"), encoding="utf-8")
    with pytest.raises(b.InvalidInputError) as e:
        b.compute_results(opts, ["2026Q3"], {}, b.Cache(tmp_path / "other-cache"), plan, digests=digests)
    assert e.value.exit_code == 2 and "changed after they were validated" in str(e.value)
    assert "2026Q3" in str(e.value)
    assert leftovers(tmp_path) == []


def test_failed_render_leaves_nothing_beside_the_site(tmp_path, monkeypatch):
    from cchc import build as b

    staging = tmp_path / "staging"
    staging.mkdir()
    opts = b.BuildOptions(data_dir=tmp_path, site_dir=tmp_path / "site", cache_dir=tmp_path / "cache")

    def render_then_fail(staging, out_dir, renderer, cache=None, beside_index=None):  # never calls it
        (out_dir / "index.html").parent.mkdir(parents=True, exist_ok=True)
        (out_dir / "index.html").write_text("<p>ĐT 0912 345 678</p>", encoding="utf-8")
        return type("R", (), {"renderer": "fallback"})()

    monkeypatch.setattr("cchc.build.stage.render_site", render_then_fail)
    with pytest.raises(b.BuildError, match="personal data"):
        b.render_unpublished(opts, staging)
    assert leftovers(tmp_path) == [] and not (tmp_path / "site").exists()


def test_a_failed_check_beside_the_render_leaves_nothing_beside_the_site(tmp_path, monkeypatch):
    """Issue 15: the downloads' Frictionless check runs while the site renders;
    when it fails, the rendered folder is removed and nothing is published."""
    from concurrent.futures import Future

    from cchc import build as b

    staging = tmp_path / "staging"
    staging.mkdir()
    opts = b.BuildOptions(data_dir=tmp_path, site_dir=tmp_path / "site", cache_dir=tmp_path / "cache")

    def render_clean(staging, out_dir, renderer, cache=None, beside_index=None):
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "index.html").write_text("<p>Tỷ lệ 98,5%</p>", encoding="utf-8")
        return type("R", (), {"renderer": "fallback"})()

    failed = Future()
    failed.set_exception(ValueError("datapackage.json is not valid:\n2026q4-indicators | 3 | value | type-error"))
    monkeypatch.setattr("cchc.build.stage.render_site", render_clean)
    with pytest.raises(ValueError, match="datapackage.json is not valid"):
        b.render_unpublished(opts, staging, checks=[failed])
    assert leftovers(tmp_path) == [] and not (tmp_path / "site").exists()


def test_notebook_cells_have_a_time_limit(tmp_path):
    import nbformat

    from cchc import build as b

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import time\ntime.sleep(60)")]
    nb.metadata["kernelspec"] = {"name": "cchc", "display_name": "Python (cchc)", "language": "python"}
    path = tmp_path / "slow.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(Exception) as e:
        b._execute_one(str(path), str(tmp_path / "out.ipynb"), {}, b.ensure_kernel(), "Slow", timeout=3)
    assert "timed out" in str(e.value).lower() or "timeout" in type(e.value).__name__.lower()
    assert b.BuildOptions().cell_timeout > 0
