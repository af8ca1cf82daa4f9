"""The build's stages one by one: discovery, kernel, execution (failures kept),
front matter, lock, atomic publish and recovery."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest

from cchc import build as b


def test_discover_quarters(tmp_path):
    for name in ("2026Q3", "2026Q1", "2025Q4", "plan", "notes"):
        (tmp_path / name).mkdir()
    assert b.discover_quarters(tmp_path) == ["2025Q4", "2026Q1", "2026Q3"]
    assert b.discover_quarters(tmp_path, ["2026Q3", "2026Q1"]) == ["2026Q1", "2026Q3"]
    for bad in (["../../etc"], ["2026q1"], ["2026Q5"], ["/etc"]):
        with pytest.raises(b.InvalidInputError) as e:
            b.discover_quarters(tmp_path, bad)
        assert e.value.exit_code == 2 and "YYYYQn" in str(e.value)
    with pytest.raises(b.InvalidInputError, match="no data folder"):
        b.discover_quarters(tmp_path, ["2024Q1"])
    with pytest.raises(b.InvalidInputError, match="no quarter folders"):
        b.discover_quarters(tmp_path / "plan")
    (tmp_path / "2026Q5").mkdir()  # looks like a quarter, is none: an error, not skipped
    with pytest.raises(b.InvalidInputError, match="invalid quarter folder name") as e:
        b.discover_quarters(tmp_path)
    assert e.value.exit_code == 2 and "2026Q5" in str(e.value)


def test_plan_dir_is_the_committed_plan_unless_chosen(tmp_path):
    assert b.BuildOptions(data_dir=tmp_path).plan_dir == b.ROOT / "data" / "plan"
    (tmp_path / "plan").mkdir()
    # a data folder's own plan/ is never picked up silently (tests/test_provenance.py)
    assert b.BuildOptions(data_dir=tmp_path).plan_dir == b.ROOT / "data" / "plan"
    assert b.BuildOptions(data_dir=tmp_path, plan=tmp_path / "plan").plan_dir == tmp_path / "plan"


def test_kernel_points_at_this_interpreter():
    from jupyter_client.kernelspec import KernelSpecManager

    name = b.ensure_kernel()
    spec = KernelSpecManager().get_kernel_spec(name)
    assert Path(spec.argv[0]) == Path(sys.executable)


def _notebook(path: Path, code: list[str]) -> Path:
    nb = nbformat.v4.new_notebook()
    p = nbformat.v4.new_code_cell('x = 1')
    p.metadata["tags"] = ["parameters"]
    note = nbformat.v4.new_markdown_cell("analyst note")
    note.metadata["tags"] = ["remove-cell"]
    nb.cells = [nbformat.v4.new_raw_cell('---\ntitle: "t"\n---'), note, p] + [nbformat.v4.new_code_cell(c) for c in code]
    nb.metadata["kernelspec"] = {"name": "cchc", "display_name": "Python (cchc)", "language": "python"}
    nbformat.write(nb, path)
    return path


def test_failed_notebook_is_kept_with_outputs_up_to_the_failing_cell(tmp_path):
    nb = _notebook(tmp_path / "broken.ipynb", ['print("cell one ran")', 'raise ValueError("boom in cell two")',
                                               'print("never")'])
    opts = b.BuildOptions(data_dir=tmp_path, site_dir=tmp_path / "site", cache_dir=tmp_path / "cache", jobs=1)
    job = b.NotebookJob("2026Q1/broken", nb, {"x": 2}, "Broken", key="k1")
    with pytest.raises(b.NotebookFailed) as e:
        b.execute_notebooks(opts, [job], b.Cache(opts.cache_dir), b.BuildSummary(), progress=False)
    msg = str(e.value)
    assert "boom in cell two" in msg
    kept = opts.work_dir / "failed" / "2026Q1__broken.ipynb"
    assert str(kept) in msg and kept.exists()
    cells = nbformat.read(kept, as_version=4).cells
    texts = json.dumps([c.get("outputs", []) for c in cells])
    assert "cell one ran" in texts and "never" not in texts.replace("print(\\\"never\\\")", "")
    assert not b.Cache(opts.cache_dir).path("notebooks", "k1", ".ipynb").exists()


def test_executed_notebook_cached_and_titled(tmp_path):
    nb = _notebook(tmp_path / "ok.ipynb", ['print(x * 21)'])
    opts = b.BuildOptions(data_dir=tmp_path, site_dir=tmp_path / "site", cache_dir=tmp_path / "cache", jobs=1)
    job = b.NotebookJob("xu-huong", nb, {"x": 2}, "Xu hướng <b>", key="k2")
    summary = b.BuildSummary()
    done = b.execute_notebooks(opts, [job], b.Cache(opts.cache_dir), summary, progress=False)
    assert summary.executed == 1
    out = nbformat.read(done["xu-huong"], as_version=4)
    assert out.cells[0].cell_type == "raw" and "Xu hướng <b>" in out.cells[0].source
    assert "42" in json.dumps(out.cells[-1].outputs)
    assert not any("remove-cell" in c.metadata.get("tags", []) for c in out.cells)
    injected = [c for c in out.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and injected[0].source.startswith("#| include: false")
    assert "papermill" not in out.metadata
    again = b.BuildSummary()
    b.execute_notebooks(opts, [job], b.Cache(opts.cache_dir), again, progress=False)
    assert again.executed == 0 and again.cached == 1


def test_lock_is_exclusive(tmp_path):
    site = tmp_path / "site"
    with b.BuildLock(site):
        with pytest.raises(b.LockedError, match="another build is running"):
            with b.BuildLock(site):
                pass
    with b.BuildLock(site):  # released
        pass


def _tree(p: Path) -> dict:
    return {str(f.relative_to(p)): f.read_bytes() for f in p.rglob("*") if f.is_file()}


def test_publish_swaps_atomically_and_recovers(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("old")
    new = tmp_path / ".site.new-1"
    new.mkdir()
    (new / "index.html").write_text("new")
    b.publish(new, site)
    assert (site / "index.html").read_text() == "new" and not new.exists()

    # a crash between the two renames of the non-atomic fallback: site/ missing, old kept aside
    old = tmp_path / ".site.old-99"
    site.rename(old)
    (tmp_path / ".site.new-5").mkdir()
    b.recover_site(site)
    assert (site / "index.html").read_text() == "new"
    assert not old.exists() and not (tmp_path / ".site.new-5").exists()


def test_publish_into_empty_place(tmp_path):
    new = tmp_path / ".s.new-1"
    new.mkdir()
    (new / "a").write_text("x")
    b.publish(new, tmp_path / "s")
    assert _tree(tmp_path / "s") == {"a": b"x"}


def test_validation_verdict_is_not_reused_for_a_renamed_folder(tmp_path):
    """The same files under another quarter's name must be validated again
    (their quarter.yml no longer matches the folder)."""
    import shutil

    data = tmp_path / "data"
    shutil.copytree(b.ROOT / "tests" / "bad_inputs" / "_valid", data / "2026Q3")
    opts = b.BuildOptions(data_dir=data, site_dir=tmp_path / "site", cache_dir=tmp_path / "cache")
    cache = b.Cache(opts.cache_dir)
    verdicts, _ = b.validate_quarters(opts, ["2026Q3"], cache)
    assert verdicts["2026Q3"].ok
    (data / "2026Q3").rename(data / "2026Q2")
    verdicts, _ = b.validate_quarters(opts, ["2026Q2"], cache)
    assert not verdicts["2026Q2"].ok
    assert "quarter.yml" in verdicts["2026Q2"].report


def test_pipeline_without_arguments_is_a_default_build():
    import pipeline

    args = pipeline.parse_args([])
    assert args.command == "build"
    opts = pipeline.options(args)
    assert opts.data_dir == (b.ROOT / "data").resolve() and opts.site_dir == (b.ROOT / "site").resolve()
    args = pipeline.parse_args(["build", "--quarter", "2026Q1", "2026Q2", "--jobs", "1", "--keep-going"])
    opts = pipeline.options(args)
    assert opts.quarters == ["2026Q1", "2026Q2"] and opts.jobs == 1 and opts.keep_going


def test_serve_previews_the_site_on_localhost(tmp_path):
    import subprocess
    import urllib.request

    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<!doctype html><title>x</title>Trang chủ", encoding="utf-8")
    p = subprocess.Popen([sys.executable, str(b.ROOT / "pipeline.py"), "serve", "--site", str(site), "--port", "0"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = p.stdout.readline()
        url = line.split("http://", 1)[1].split()[0]
        assert url.startswith("127.0.0.1:")
        body = urllib.request.urlopen("http://" + url, timeout=10).read().decode("utf-8")
        assert "Trang chủ" in body
    finally:
        p.terminate()
        p.wait(timeout=10)


def test_serve_without_a_site_is_a_message(tmp_path, capsys):
    import pipeline

    assert pipeline.main(["serve", "--site", str(tmp_path / "none")]) == 1
    assert "no site built yet" in capsys.readouterr().err
