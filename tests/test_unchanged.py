"""Issue 15: a rebuild with nothing changed keeps the site without loading
pandas (cchc.build.unchanged). The stamp the last build left is trusted only
while every input, the release log, the published site and the files of the
work folder are exactly as that build left them."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from cchc.build import unchanged
from cchc.build.cache import _sha, dir_digest
from cchc.build.options import BuildOptions, FINGERPRINT_FILE

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def setup(tmp_path, monkeypatch):
    """A data folder, a plan, the project's site sources, a published site
    and a work folder, as a build leaves them."""
    data = tmp_path / "data"
    for q in ("2026Q1", "2026Q2"):
        (data / q).mkdir(parents=True)
        (data / q / "ho_so.csv").write_text(f"MaHoSo\n{q}-1\n", encoding="utf-8")
    (data / "lien_he.yml").write_text("address: Chơn Thành\n", encoding="utf-8")
    (data / "releases" / "2026-11-21").mkdir(parents=True)
    (data / "releases" / "2026-11-21" / "indicators.csv").write_text("id,value\non_time,98.5\n", encoding="utf-8")
    plan = tmp_path / "plan"
    shutil.copytree(ROOT / "data" / "plan", plan)
    project = tmp_path / "project"
    for rel in ("notebooks/pages.yml", "notebooks/index.ipynb", "pages/gioi-thieu.qmd", "assets/site.css"):
        (project / rel).parent.mkdir(parents=True, exist_ok=True)
        (project / rel).write_text(rel + "\n", encoding="utf-8")
    (project / "_quarto.yml").write_text("project:\n  type: website\n", encoding="utf-8")
    monkeypatch.setattr(unchanged, "ROOT", project)
    monkeypatch.setattr(unchanged, "NOTEBOOKS", project / "notebooks")
    opts = BuildOptions(data_dir=data, site_dir=tmp_path / "site", plan=plan, cache_dir=tmp_path / "cache",
                        renderer="fallback")
    opts.site_dir.mkdir()
    (opts.site_dir / FINGERPRINT_FILE).write_text("fp-1\n", encoding="utf-8")
    for rel in ("reports/validation.txt", "reports/bao-cao-cchc-2026Q2.docx", "context/2026Q2.pkl"):
        (opts.work_dir / rel).parent.mkdir(parents=True, exist_ok=True)
        (opts.work_dir / rel).write_bytes(b"x")
    digests = {"2026Q1": "d1", "2026Q2": "d2"}
    return opts, digests, project


def _inputs(opts, digests, commit="abc1234567", note="", package="package-1"):
    rules = _sha(package, dir_digest(opts.plan_dir))  # as look_up makes them
    return unchanged.inputs_digest(opts, digests, rules, commit, note)


def _remember(opts, digests):
    inputs = _inputs(opts, digests)
    unchanged.remember(opts, inputs, 28, ["2026Q2: thiếu ý kiến của đơn vị"])
    return inputs


def test_the_last_build_is_kept_while_nothing_changed(setup):
    opts, digests, _ = setup
    inputs = _remember(opts, digests)
    kept = unchanged.kept_build(opts, _inputs(opts, digests))
    assert kept == unchanged.Kept(28, ["2026Q2: thiếu ý kiến của đơn vị"])
    stamp = json.loads(unchanged.stamp_path(opts).read_text(encoding="utf-8"))
    assert stamp["inputs"] == inputs and stamp["site"] == "fp-1"
    assert sorted(stamp["outputs"]) == ["context/2026Q2.pkl", "reports/bao-cao-cchc-2026Q2.docx",
                                        "reports/validation.txt"]
    assert not [p for p in opts.work_dir.iterdir() if p.name.startswith(".")]  # written atomically, no leftover
    unchanged.forget(opts)
    assert unchanged.kept_build(opts, inputs) is None
    unchanged.forget(opts)  # nothing to forget: no error


def _edit(path: Path, text: str = "changed\n") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


INPUT_CHANGES = {
    "a quarter's files": lambda o, d, p: d.update({"2026Q2": "d2-new"}),
    "a quarter more": lambda o, d, p: d.update({"2026Q3": "d3"}),
    "the contact file": lambda o, d, p: _edit(o.data_dir / "lien_he.yml"),
    "a new file in the data folder": lambda o, d, p: _edit(o.data_dir / "ghi_chu.txt"),
    "the plan": lambda o, d, p: _edit(o.plan_dir / "targets.csv", (o.plan_dir / "targets.csv").read_text() + "\n"),
    "a notebook": lambda o, d, p: _edit(p / "notebooks" / "index.ipynb"),
    "pages.yml": lambda o, d, p: _edit(p / "notebooks" / "pages.yml"),
    "a page": lambda o, d, p: _edit(p / "pages" / "gioi-thieu.qmd"),
    "an asset": lambda o, d, p: _edit(p / "assets" / "site.css"),
    "_quarto.yml": lambda o, d, p: _edit(p / "_quarto.yml"),
    "the requested quarters": lambda o, d, p: setattr(o, "quarters", ["2026Q2"]),
    "--keep-going": lambda o, d, p: setattr(o, "keep_going", True),
    "the renderer": lambda o, d, p: setattr(o, "renderer", "quarto"),
}


@pytest.mark.parametrize("what", INPUT_CHANGES)
def test_any_changed_input_makes_a_full_build(setup, what):
    opts, digests, project = setup
    _remember(opts, digests)
    INPUT_CHANGES[what](opts, digests, project)
    assert unchanged.kept_build(opts, _inputs(opts, digests)) is None


def test_the_code_the_commit_and_the_plan_note_are_inputs(setup):
    opts, digests, _ = setup
    _remember(opts, digests)
    assert unchanged.kept_build(opts, _inputs(opts, digests, commit="abc1234567+")) is None
    assert unchanged.kept_build(opts, _inputs(opts, digests, note="Tính theo kế hoạch khác")) is None
    assert unchanged.kept_build(opts, _inputs(opts, digests, package="package-2")) is None


def _touch_later(path: Path) -> None:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))


AFTER_THE_BUILD = {
    "a release added": lambda o: _edit(o.data_dir / "releases" / "2026-12-01" / "indicators.csv"),
    "the release log removed": lambda o: shutil.rmtree(o.data_dir / "releases"),
    "another site published": lambda o: _edit(o.site_dir / FINGERPRINT_FILE, "fp-2\n"),
    "a site without its fingerprint": lambda o: (o.site_dir / FINGERPRINT_FILE).unlink(),
    "a report deleted": lambda o: (o.work_dir / "reports" / "bao-cao-cchc-2026Q2.docx").unlink(),
    "a report written again": lambda o: _touch_later(o.work_dir / "reports" / "validation.txt"),
    "a context rewritten": lambda o: (o.work_dir / "context" / "2026Q2.pkl").write_bytes(b"yy"),
    "a report more": lambda o: _edit(o.work_dir / "reports" / "bao-cao-cchc-2026Q1.docx"),
    "a corrupt stamp": lambda o: unchanged.stamp_path(o).write_text("{not json", encoding="utf-8"),
    "a stamp of another version": lambda o: unchanged.stamp_path(o).write_text(
        json.dumps({**json.loads(unchanged.stamp_path(o).read_text(encoding="utf-8")), "version": 0}),
        encoding="utf-8"),
}


@pytest.mark.parametrize("what", AFTER_THE_BUILD)
def test_anything_else_than_the_last_build_left_makes_a_full_build(setup, what):
    opts, digests, _ = setup
    inputs = _remember(opts, digests)
    AFTER_THE_BUILD[what](opts)
    assert unchanged.kept_build(opts, inputs) is None


def test_the_folders_paths_are_not_inputs(setup, tmp_path):
    """A copy of the data, site and work folders elsewhere (same bytes, same
    times) is the same build: the paths are private and printed nowhere."""
    opts, digests, _ = setup
    inputs = _remember(opts, digests)
    moved = tmp_path / "moved"
    for folder in (opts.data_dir, opts.site_dir, opts.work_dir):
        shutil.copytree(folder, moved / folder.name)
    other = BuildOptions(data_dir=moved / "data", site_dir=moved / "site", plan=opts.plan, renderer="fallback")
    assert other.work_dir == moved / opts.work_dir.name
    assert _inputs(other, digests) == inputs
    assert unchanged.kept_build(other, inputs) == unchanged.Kept(28, ["2026Q2: thiếu ý kiến của đơn vị"])


def test_another_library_version_makes_every_cache_key_and_the_stamp_new(tmp_path, monkeypatch):
    """The package digest (in every cache key and, through the validation
    lookup's rules, in the no-change stamp) names each installed library and
    its version: an upgrade rebuilds; the same set of libraries again gives
    the same digest."""
    import site

    from cchc.build import cache

    packages = tmp_path / "site-packages"
    for name in ("pandas-3.1.1.dist-info", "great_expectations-1.24.1.dist-info", "yaml"):
        (packages / name).mkdir(parents=True)
    monkeypatch.setattr(site, "getsitepackages", lambda: [str(packages), str(tmp_path / "missing")])
    monkeypatch.setattr(site, "ENABLE_USER_SITE", False)

    def digest():
        monkeypatch.setattr(cache, "_PKG_DIGEST", None)  # computed once per process
        return cache.environment_digest(), cache.package_digest()

    before = digest()
    (packages / "yaml").rename(packages / "yaml2")  # not a library's metadata: not named
    assert digest() == before
    (packages / "pandas-3.1.1.dist-info").rename(packages / "pandas-3.2.0.dist-info")
    upgraded = digest()
    assert upgraded[0] != before[0] and upgraded[1] != before[1]
    (packages / "pagefind_bin-1.5.2.dist-info").mkdir()  # a library added
    assert digest()[0] not in (before[0], upgraded[0])
    (packages / "pagefind_bin-1.5.2.dist-info").rmdir()
    (packages / "pandas-3.2.0.dist-info").rename(packages / "pandas-3.1.1.dist-info")
    assert digest() == before


def test_another_quarto_installation_makes_a_full_build(setup, tmp_path, monkeypatch):
    """With Quarto on PATH, the stamp names the installation (its launcher
    and share/version), so a Quarto upgraded in place is not trusted with
    the last build's site."""
    import shutil as sh

    opts, digests, _ = setup
    quarto = tmp_path / "quarto-1.7.34"
    (quarto / "bin").mkdir(parents=True)
    (quarto / "share").mkdir()
    launcher = quarto / "bin" / "quarto"
    launcher.write_text("#!/bin/sh\n", encoding="utf-8")
    launcher.chmod(0o755)
    (quarto / "share" / "version").write_text("1.7.34\n", encoding="utf-8")
    real_which = sh.which
    monkeypatch.setattr(sh, "which", lambda cmd, *a, **k: str(launcher) if cmd == "quarto" else real_which(cmd, *a, **k))
    opts.renderer = "auto"  # resolves to Quarto here
    inputs = _remember(opts, digests)
    assert unchanged.kept_build(opts, _inputs(opts, digests)) is not None
    (quarto / "share" / "version").write_text("1.8.0\n", encoding="utf-8")  # upgraded in place
    assert unchanged.kept_build(opts, _inputs(opts, digests)) is None
    (quarto / "share" / "version").write_text("1.7.34\n", encoding="utf-8")
    assert _inputs(opts, digests) == inputs
    launcher.write_text("#!/bin/sh\n# another build\n", encoding="utf-8")  # the launcher replaced
    assert unchanged.kept_build(opts, _inputs(opts, digests)) is None
    monkeypatch.setattr(sh, "which", lambda cmd, *a, **k: None)  # Quarto gone: the fallback renders
    assert unchanged.kept_build(opts, _inputs(opts, digests)) is None
