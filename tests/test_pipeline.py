"""End to end: pipeline.py over a small fixture dataset.

One module-scoped build is shared by the tests (cache, determinism, atomic
publish, lock, exit codes); every build uses its own cache folder so the
results cannot come from another test's cache.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
QUARTERS = ["2026Q1", "2026Q2"]


def tree_digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def run(*args, cache: Path, timeout=600, **kw):
    env = {**os.environ, "CCHC_CACHE_DIR": str(cache), "PYTHONWARNINGS": "ignore"}
    return subprocess.run([PY, str(ROOT / "pipeline.py"), *args], capture_output=True, text=True, env=env,
                          timeout=timeout, cwd=ROOT, **kw)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    from cchc import sample

    base = tmp_path_factory.mktemp("pipeline")
    data = base / "data"
    sample.generate(data, seed=7, quarters=QUARTERS, dossiers_per_quarter=250, xlsx_quarter="2026Q2")
    return base


@pytest.fixture(scope="module")
def built(workspace):
    site, cache = workspace / "site", workspace / "cache"
    r = run("build", "--data", str(workspace / "data"), "--site", str(site), "--jobs", "2", cache=cache)
    assert r.returncode == 0, r.stdout + r.stderr
    return {"site": site, "cache": cache, "log": r.stdout + r.stderr, "data": workspace / "data"}


def test_end_to_end_build(built):
    site = built["site"]
    assert (site / "index.html").is_file()
    for q in QUARTERS:
        for slug in ("index", "ho-so", "nhiem-vu", "hai-long", "chat-luong"):
            assert (site / q / f"{slug}.html").is_file(), f"{q}/{slug}.html"
        assert (site / "data" / q / "indicators.csv").is_file()
        assert (site / "data" / q / "indicators.json").is_file()
        # the quarter's report, linked from its overview page (cchc.report)
        assert (site / q / f"bao-cao-cchc-{q}.docx").is_file()
        assert f'href="bao-cao-cchc-{q}.docx"' in (site / q / "index.html").read_text(encoding="utf-8")
    for page in ("xu-huong", "xu-huong-chi-tiet", "phuong-phap", "du-lieu-mo", "gioi-thieu", "tim-kiem"):
        assert (site / f"{page}.html").is_file(), page
    assert (site / "data" / "datapackage.json").is_file()
    assert "renderer" in built["log"]
    # the papermill parameters cell and code never show on a page
    html = (site / "2026Q1" / "index.html").read_text(encoding="utf-8")
    assert "context_file" not in html and "pages.quarter_context" not in html


def test_rebuild_with_nothing_changed_executes_nothing(built):
    from cchc.build import BuildOptions

    before = tree_digest(built["site"])
    kernel_log = BuildOptions(data_dir=built["data"], site_dir=built["site"]).work_dir / "logs" / "kernels.log"
    kernels_before = kernel_log.read_bytes()
    t = time.perf_counter()
    r = run("build", "--data", str(built["data"]), "--site", str(built["site"]), cache=built["cache"])
    assert r.returncode == 0, r.stderr
    assert "executed: 0" in r.stdout
    assert "nothing changed" in r.stdout
    assert "time per stage: unchanged " in r.stdout  # kept at once (cchc.build.unchanged): no stage ran
    assert tree_digest(built["site"]) == before
    assert kernel_log.read_bytes() == kernels_before  # no kernel was started (they start on a validation miss)
    print(f"no-change rebuild: {time.perf_counter() - t:.1f}s")


def test_nothing_changed_is_decided_without_pandas_and_checks_what_the_build_wrote(built, tmp_path):
    """The rebuild keeps the site without importing pandas; a file the last
    build wrote that is no longer as it left it (a quarterly report deleted)
    makes the build go through its stages, which write it again (issue 15)."""
    from cchc.build import BuildOptions

    copy = {}
    for name in ("data", "site", "cache"):
        copy[name] = tmp_path / name
        shutil.copytree(built[name], copy[name])
    work = BuildOptions(data_dir=built["data"], site_dir=built["site"]).work_dir
    shutil.copytree(work, tmp_path / work.name)  # the work folder beside the site, where the stamp is
    script = ("import sys; from cchc import build as b; "
              f"s = b.build(b.BuildOptions(data_dir={str(copy['data'])!r}, site_dir={str(copy['site'])!r}, "
              f"cache_dir={str(copy['cache'])!r}, progress=False)); "
              "print(s.unchanged, list(s.stage_seconds), 'pandas' in sys.modules)")
    r = subprocess.run([PY, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split("\n")[-2] == "True ['unchanged'] False"

    site_before = tree_digest(copy["site"])
    report = tmp_path / work.name / "reports" / f"bao-cao-cchc-{QUARTERS[-1]}.docx"
    kept_report = report.read_bytes()
    report.unlink()
    r = run("build", "--data", str(copy["data"]), "--site", str(copy["site"]), cache=copy["cache"])
    assert r.returncode == 0, r.stderr
    assert "nothing changed" in r.stdout and "time per stage: validate " in r.stdout
    assert report.read_bytes() == kept_report and tree_digest(copy["site"]) == site_before
    r = run("build", "--data", str(copy["data"]), "--site", str(copy["site"]), cache=copy["cache"])
    assert "time per stage: unchanged " in r.stdout  # that build left a stamp again


def test_change_to_one_quarter_reexecutes_only_that_quarter(built, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(built["data"], data)
    site = tmp_path / "site"
    shutil.copytree(built["site"], site)
    cache = tmp_path / "cache"
    shutil.copytree(built["cache"], cache)
    survey = data / "2026Q2" / "khao_sat.csv"
    lines = survey.read_text(encoding="utf-8-sig").splitlines()
    survey.write_text("\ufeff" + "\n".join(lines[:-1]) + "\n", encoding="utf-8")  # one response fewer
    r = run("build", "--data", str(data), "--site", str(site), "--jobs", "2", cache=cache)
    assert r.returncode == 0, r.stderr
    log = r.stdout + r.stderr
    assert "figures computed while the checks ran" in log
    assert "executed 2026Q2/index" in log
    assert "executed 2026Q1/" not in log, "the unchanged quarter must come from the cache"
    assert "executed xu-huong" in log, "the trend page reads every quarter"
    # every page of 2026Q2, every site page and every page set (they read every quarter), but the procedure
    # pages: they read only the procedures tables, which a survey file does not change (cchc.build.reuse)
    reused = [line for line in log.splitlines() if "the data the page reads did not change" in line]
    assert len(reused) == 1 and reused[0].endswith(": tra-cuu-thu-tuc, page-set:thu-tuc"), reused
    assert "executed tra-cuu-thu-tuc" not in log and "executed page-set:thu-tuc" not in log
    pages = yaml.safe_load((ROOT / "notebooks" / "pages.yml").read_text(encoding="utf-8"))
    n = len(pages["quarter_pages"]) + len(pages["site_pages"]) + len(pages.get("page_sets", []))
    assert f"executed: {n - 2}" in r.stdout
    # everything the rebuild took from the cache (loaded quarters, chart drawings, downloads and pages
    # already checked, the unchanged quarter's downloads, the page set's pages, pages already finished)
    # gives exactly the site a build from nothing gives for the same data
    assert list((cache / "charts").rglob("*.svg")) and list((cache / "loaded").glob("*.pkl"))
    assert len(list((cache / "quarter-downloads").glob("*.pkl"))) == 3  # 2026Q1, 2026Q2 before and after
    assert len(list((cache / "page-set-pages").glob("*.pkl"))) == 1  # the page set was reused
    assert list((cache / "pages").rglob("*.finished.html"))
    fresh = tmp_path / "fresh-site"
    r = run("build", "--data", str(data), "--site", str(fresh), "--jobs", "2", cache=tmp_path / "fresh-cache")
    assert r.returncode == 0, r.stderr
    assert tree_digest(site) == tree_digest(fresh)


def test_output_is_deterministic(built, tmp_path):
    """A fresh build (new cache, new work folder) gives byte-identical pages;
    with --jobs 1 (validation in the build's process, the figures computed
    after it, one kernel) as with --jobs 2 (validation workers, the figures
    computed while they check the suites, two kernels)."""
    assert "figures computed while the checks ran" in built["log"]
    site = tmp_path / "site"
    r = run("build", "--data", str(built["data"]), "--site", str(site), "--jobs", "1", cache=tmp_path / "cache")
    assert r.returncode == 0, r.stderr
    assert "figures computed while the checks ran" not in r.stdout + r.stderr
    assert tree_digest(site) == tree_digest(built["site"])


def test_lock_stops_a_second_build(built, tmp_path):
    from cchc.build import BuildLock

    site = tmp_path / "site"
    with BuildLock(site):
        r = run("build", "--data", str(built["data"]), "--site", str(site), cache=built["cache"])
    assert r.returncode == 1
    assert "another build is running" in r.stderr
    assert "Traceback" not in r.stderr


def test_invalid_quarter_id_exit_2(built, tmp_path):
    r = run("build", "--data", str(built["data"]), "--site", str(tmp_path / "s"), "--quarter", "../../etc",
            cache=built["cache"])
    assert r.returncode == 2
    assert "invalid quarter id" in r.stderr and "Mã quý không hợp lệ" in r.stderr
    assert not (tmp_path / "s").exists()


def test_invalid_input_exit_2_and_site_unchanged(built, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(built["data"], data)
    site = tmp_path / "site"
    shutil.copytree(built["site"], site)
    before = tree_digest(site)
    ho_so = data / "2026Q1" / "ho_so.csv"
    text = ho_so.read_text(encoding="utf-8-sig").splitlines()
    header = text[0].split(",")
    col = header.index("TrangThaiHoSo")
    row = text[5].split(",")
    row[col] = "11"
    text[5] = ",".join(row)
    ho_so.write_text("\ufeff" + "\n".join(text) + "\n", encoding="utf-8")
    r = run("build", "--data", str(data), "--site", str(site), cache=tmp_path / "cache")
    assert r.returncode == 2, r.stdout + r.stderr
    assert "TrangThaiHoSo" in r.stderr and "ho_so.csv" in r.stderr
    assert "6" in r.stderr  # spreadsheet row of the sixth line
    assert tree_digest(site) == before

    # --keep-going publishes the valid quarter and still reports the failure; with a new cache the
    # figures computed while the checks ran (both quarters) are not used: 2026Q1 failed its suite
    r = run("build", "--data", str(data), "--site", str(site), "--keep-going", "--jobs", "2",
            cache=tmp_path / "new-cache")
    assert r.returncode == 2
    assert "NOT published: 2026Q1" in r.stderr
    assert "figures computed while the checks ran" not in r.stdout + r.stderr
    assert (site / "2026Q2" / "index.html").exists()
    assert not (site / "2026Q1").exists()


def test_killed_build_leaves_old_site_whole(built, tmp_path):
    """Kill the build at several moments (validating, executing, rendering);
    the previously published site must stay byte-for-byte whole."""
    site = tmp_path / "site"
    shutil.copytree(built["site"], site)
    before = tree_digest(site)
    data = tmp_path / "data"
    shutil.copytree(built["data"], data)
    (data / "2026Q2" / "khao_sat.csv").write_bytes((data / "2026Q2" / "khao_sat.csv").read_bytes() + b"\n")
    env = {**os.environ, "CCHC_CACHE_DIR": str(tmp_path / "cache")}
    executing = tmp_path / "_build-site" / "executing"

    def validating():
        return True  # killed 2 s in: GE is still starting or checking

    def notebooks_running():
        return executing.is_dir() and any(executing.iterdir())

    def rendering():
        return bool(list(tmp_path.glob(".site.new-*")))

    for name, moment, delay in (("validating", validating, 2.0), ("executing notebooks", notebooks_running, 0.5),
                                ("rendering", rendering, 0.0)):
        shutil.rmtree(executing, ignore_errors=True)
        p = subprocess.Popen([PY, str(ROOT / "pipeline.py"), "build", "--data", str(data), "--site", str(site),
                              "--jobs", "2"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            deadline = time.time() + 300
            while time.time() < deadline and p.poll() is None and not moment():
                time.sleep(0.02)
            assert p.poll() is None, f"the build ended before the moment to kill it ({name})"
            time.sleep(delay)
        finally:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
            p.wait()
        assert tree_digest(site) == before, f"site changed after a kill while {name}"
    # the next build recovers and publishes a complete site
    r = run("build", "--data", str(data), "--site", str(site), "--jobs", "2", cache=tmp_path / "cache")
    assert r.returncode == 0, r.stderr
    assert (site / "index.html").exists()
    assert not list(tmp_path.glob(".site.new-*"))


# --------------------------------------------------------------------------- the bad-input corpus, through pipeline.py
sys.path.insert(0, str(ROOT / "tests" / "bad_inputs"))
import corpus  # noqa: E402

ERROR_CASES = [c["id"] for c in corpus.cases() if c["expect"]["exit_code"] == 2]


@pytest.mark.parametrize("case_id", ERROR_CASES)
def test_bad_input_leaves_published_site_unchanged(case_id, built, tmp_path, capsys):
    """Every bad file of the corpus: `pipeline.py build` exits 2 with the
    bilingual message, and the previously published site is byte-for-byte
    unchanged."""
    import pipeline

    spec = corpus.case(case_id)
    data = tmp_path / "data"
    folder = corpus.build_case(case_id, data)
    before = tree_digest(built["site"])
    args = ["build", "--data", str(data), "--site", str(built["site"])]
    from cchc.periods import is_quarter_id

    if not is_quarter_id(str(spec.get("folder") or folder.name)):
        # a hostile or malformed folder name can only reach the pipeline as a --quarter argument
        args += ["--quarter", str(spec.get("folder"))]
        expected = ["Mã quý không hợp lệ", "invalid quarter id"]
    else:
        expected = spec["expect"]["messages"]
    code = pipeline.main(args)
    err = capsys.readouterr().err
    assert code == 2, err
    for message in expected:
        assert message in err, f"{case_id}: {message!r} missing from:\n{err}"
    assert "Traceback" not in err
    assert tree_digest(built["site"]) == before, f"{case_id}: the published site changed"


def test_validate_render_clean_commands(built, tmp_path):
    r = run("validate", "--data", str(built["data"]), cache=built["cache"])
    assert r.returncode == 0, r.stderr
    assert "all inputs valid" in r.stdout

    site = tmp_path / "site"
    shutil.copytree(built["site"], site)
    work = tmp_path / "_build-site"
    shutil.copytree(built["site"].parent / "_build-site", work)
    before = tree_digest(site)
    r = run("render", "--site", str(site), "--renderer", "fallback", cache=built["cache"])
    assert r.returncode == 0, r.stderr
    assert "fallback" in r.stdout
    after = tree_digest(site)
    before.pop(".build-fingerprint")
    assert after == before, "re-rendering the same executed notebooks gives the same pages"

    cache = tmp_path / "cache"
    cache.mkdir()
    r = run("clean", "--site", str(site), cache=cache)
    assert r.returncode == 0, r.stderr
    assert not site.exists() and not work.exists() and not cache.exists()
    r = run("render", "--site", str(site), cache=cache)
    assert r.returncode == 1 and "run `pipeline.py build` first" in r.stderr
