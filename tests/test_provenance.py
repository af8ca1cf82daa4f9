"""Issue 10, item 1: the plan a build computes with is the committed plan,
verified on every build; another plan only through ``--plan``, and then every
page says so; the "+" of the provenance covers every input of the build."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cchc import build as b
from cchc import plan as plan_mod
from cchc import provenance

ROOT = Path(__file__).resolve().parent.parent
PLAN = ROOT / "data" / "plan"
PLAN_NOTE = "Tính theo kế hoạch khác với Kế hoạch CCHC đã ban hành"


def _plan_copy(tmp_path: Path, on_time: str | None = None) -> Path:
    dest = tmp_path / "plan"
    shutil.copytree(PLAN, dest)
    if on_time is not None:
        path = dest / "targets.csv"
        lines = path.read_text(encoding="utf-8").split("\n")
        i = next(i for i, line in enumerate(lines) if line.startswith("on_time,"))
        cells = lines[i].split(",")
        assert cells[3] == "98"
        cells[3] = on_time
        lines[i] = ",".join(cells)
        path.write_text("\n".join(lines), encoding="utf-8")
    return dest


def test_committed_plan_matches_its_source():
    plan_mod.verify_plan(PLAN)


def test_edited_targets_csv_is_refused_naming_the_target(tmp_path):
    edited = _plan_copy(tmp_path, on_time="50")
    with pytest.raises(plan_mod.PlanError) as e:
        plan_mod.verify_plan(edited)
    msg = str(e.value)
    assert "targets.csv" in msg and "on_time: target = 50 (nguồn / source: 98)" in msg
    assert "python -m cchc.plan" in msg


def test_edited_tasks_csv_is_refused(tmp_path):
    edited = _plan_copy(tmp_path)
    path = edited / "tasks.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("I.01,", "I.99,", 1), encoding="utf-8")
    with pytest.raises(plan_mod.PlanError, match=r"tasks\.csv.*I\.99: thừa / unexpected"):
        plan_mod.verify_plan(edited)


def test_build_check_refuses_an_edited_committed_plan(tmp_path, monkeypatch):
    edited = _plan_copy(tmp_path, on_time="50")
    monkeypatch.setattr(provenance, "COMMITTED_PLAN_DIR", edited)
    opts = b.BuildOptions(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache")
    assert opts.plan_dir == edited
    with pytest.raises(b.InvalidInputError) as e:
        b.check_plan(opts, b.Cache(opts.cache_dir))
    assert e.value.exit_code == 2 and "on_time" in str(e.value)


def test_committed_plan_needs_no_note_and_another_plan_gets_one(tmp_path):
    cache = b.Cache(tmp_path / "cache")
    assert b.check_plan(b.BuildOptions(data_dir=ROOT / "data", cache_dir=tmp_path / "cache"), cache) == ""
    same = _plan_copy(tmp_path / "same")
    assert b.check_plan(b.BuildOptions(data_dir=tmp_path, plan=same), cache) == ""
    other = _plan_copy(tmp_path / "other", on_time="50")
    note = b.check_plan(b.BuildOptions(data_dir=tmp_path, plan=other), cache)
    assert note.startswith(PLAN_NOTE) and str(tmp_path) not in note


def test_data_folder_with_its_own_plan_is_refused(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    _plan_copy(data)
    with pytest.raises(b.InvalidInputError) as e:
        b.check_plan(b.BuildOptions(data_dir=data), b.Cache(tmp_path / "cache"))
    assert e.value.exit_code == 2 and "--plan" in str(e.value)


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t.invalid", *args], cwd=repo, check=True,
                   capture_output=True)


def test_uncommitted_mark_covers_every_input(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    for rel in ("cchc/a.py", "notebooks/n.ipynb", "pages/p.qmd", "assets/s.css", "data/plan/targets.csv",
                "data/2026Q1/ho_so.csv"):
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text("x\n", encoding="utf-8")
    (repo / ".gitignore").write_text("/bench/\n", encoding="utf-8")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "init")
    monkeypatch.setattr(provenance, "ROOT", repo)
    data, plan = repo / "data", repo / "data" / "plan"
    clean = provenance.source_state(data, plan)
    assert clean != provenance.UNKNOWN and not clean.endswith("+")
    for rel in ("cchc/a.py", "notebooks/n.ipynb", "pages/p.qmd", "assets/s.css", "data/plan/targets.csv",
                "data/2026Q1/ho_so.csv"):
        (repo / rel).write_text("y\n", encoding="utf-8")
        assert provenance.source_state(data, plan) == clean + "+", rel
        (repo / rel).write_text("x\n", encoding="utf-8")
        assert provenance.source_state(data, plan) == clean, rel
    (data / "2026Q2").mkdir()
    (data / "2026Q2" / "ho_so.csv").write_text("new\n", encoding="utf-8")  # untracked data
    assert provenance.source_state(data, plan).endswith("+")
    shutil.rmtree(data / "2026Q2")
    (repo / "bench" / "2026Q1").mkdir(parents=True)  # ignored by git: never committed
    assert provenance.source_state(repo / "bench", plan).endswith("+")
    assert provenance.source_state(tmp_path / "elsewhere", plan).endswith("+")  # outside the repository


def _pipeline(*args, cache: Path):
    env = {**os.environ, "CCHC_CACHE_DIR": str(cache), "PYTHONWARNINGS": "ignore"}
    return subprocess.run([sys.executable, str(ROOT / "pipeline.py"), *args], capture_output=True, text=True,
                          env=env, timeout=900, cwd=ROOT)


def test_pipeline_own_plan_refused_explicit_plan_said_on_every_page(tmp_path):
    from cchc import sample

    data = tmp_path / "data"
    sample.generate(data, seed=3, quarters=["2026Q1"], dossiers_per_quarter=120, xlsx_quarter=None)
    _plan_copy(data, on_time="50")
    site, cache = tmp_path / "site", tmp_path / "cache"
    r = _pipeline("build", "--data", str(data), "--site", str(site), "--jobs", "2", cache=cache)
    assert r.returncode == 2, r.stdout + r.stderr
    assert "--plan" in r.stderr and not site.exists()

    r = _pipeline("build", "--data", str(data), "--site", str(site), "--jobs", "2", "--plan", str(data / "plan"),
                  cache=cache)
    assert r.returncode == 0, r.stdout + r.stderr
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 8
    for page in pages:
        if page.name == "404.html":
            continue
        assert PLAN_NOTE in page.read_text(encoding="utf-8"), page
    assert str(data) not in (site / "index.html").read_text(encoding="utf-8")
