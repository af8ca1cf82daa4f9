"""Suite outcomes kept in the build cache (cchc.validation.outcomes.use_result_store):
a later process runs Great Expectations only on the files that changed, and
the verdict is the same as a full run's."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cchc.build.cache import Cache
from cchc.validation import core, outcomes, validate_quarter

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "data" / "plan"
VALID = ROOT / "tests" / "bad_inputs" / "_valid"


@pytest.fixture
def quarter(tmp_path):
    folder = tmp_path / "data" / "2026Q3"
    shutil.copytree(VALID, folder)
    return folder


@pytest.fixture
def ge_runs(monkeypatch):
    """Files that went through Great Expectations, in a fresh process's state
    (empty in-process memo, store turned off at the end)."""
    seen: list[str] = []
    real = core.suite_outcome

    def counting(table, file, *args, **kwargs):
        seen.append(file)
        return real(table, file, *args, **kwargs)

    monkeypatch.setattr(core, "suite_outcome", counting)
    monkeypatch.setattr(outcomes, "_MEMO", type(outcomes._MEMO)())
    yield seen
    outcomes.use_result_store(None)


def _fresh_process():
    outcomes._MEMO.clear()


def _outcome(qv):
    return (qv.ok, qv.checks_evaluated, [(f.check, f.file, f.column, f.failed_count) for f in qv.failures])


def test_only_the_changed_file_is_checked_again(quarter, tmp_path, ge_runs):
    outcomes.use_result_store(Cache(tmp_path / "cache"), "salt")
    first = validate_quarter(quarter, PLAN)
    assert first.ok and len(ge_runs) >= 6, ge_runs

    survey = quarter / "khao_sat.csv"
    lines = survey.read_text(encoding="utf-8").splitlines(keepends=True)
    survey.write_text("".join(lines[:-1]), encoding="utf-8")  # one response fewer
    ge_runs.clear()
    _fresh_process()
    second = validate_quarter(quarter, PLAN)
    assert ge_runs == ["khao_sat.csv"]
    assert second.ok

    # the same verdict as a run without any stored outcome
    ge_runs.clear()
    _fresh_process()
    outcomes.use_result_store(None)
    full = validate_quarter(quarter, PLAN)
    assert len(ge_runs) == len(set(ge_runs)) >= 6
    assert _outcome(full) == _outcome(second)


def test_stored_failures_are_replayed_and_a_new_salt_checks_again(quarter, tmp_path, ge_runs):
    survey = quarter / "khao_sat.csv"
    text = survey.read_text(encoding="utf-8").splitlines(keepends=True)
    header = text[0].rstrip("\r\n").split(",")
    row = text[1].rstrip("\r\n").split(",")
    row[header.index("HaiLongChung")] = "9"  # outside the 1-5 scale
    survey.write_text("".join(text[:1] + [",".join(row) + "\n"] + text[2:]), encoding="utf-8")

    cache = Cache(tmp_path / "cache")
    outcomes.use_result_store(cache, "code-1")
    bad = validate_quarter(quarter, PLAN)
    assert not bad.ok
    _fresh_process()
    ge_runs.clear()
    again = validate_quarter(quarter, PLAN)
    assert ge_runs == [] and _outcome(again) == _outcome(bad)

    _fresh_process()
    outcomes.use_result_store(cache, "code-2")  # other code or plan: nothing reused
    validate_quarter(quarter, PLAN)
    assert "khao_sat.csv" in ge_runs and len(ge_runs) >= 6
