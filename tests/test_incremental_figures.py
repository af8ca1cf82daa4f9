"""A changed file of a later quarter computes again only what it reaches:
an earlier quarter's figures when the file corrects that quarter's records
(cchc.indicators.later_inputs_digest), the row changes of that input only
(cchc.revisions.detect_changes with a memo). Outputs stay those of a
computation from nothing."""
from __future__ import annotations

import copy
from pathlib import Path

import pandas as pd
import pytest

from cchc import indicators, loader, revisions
from cchc.build import BuildOptions, Cache
from cchc.build.compute import compute_results
from cchc.build.integrity import detect_revisions
from cchc.plan import load_plan

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
QUARTERS = ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]


@pytest.fixture(scope="module")
def bundled():
    return {q: loader.load_quarter(DATA / q) for q in QUARTERS}


@pytest.fixture(scope="module")
def plan():
    return load_plan(DATA / "plan")


def with_table(data: dict, q: str, name: str, edit) -> dict:
    """``data`` with ``edit(df)`` (returning the new rows) applied to quarter ``q``'s input ``name``."""
    out = dict(data)
    qd = copy.copy(data[q])
    qd.tables = dict(qd.tables)
    t = copy.copy(qd.tables[name])
    t.df = edit(t.df.copy()).reset_index(drop=True)
    t.row_numbers = t.row_numbers[: len(t.df)]
    qd.tables[name] = t
    out[q] = qd
    return out


def same_results(a, b) -> bool:
    return (a.indicators.equals(b.indicators) and a.breakdowns.keys() == b.breakdowns.keys()
            and all(a.breakdowns[k].equals(b.breakdowns[k]) for k in a.breakdowns))


def new_survey_form(df: pd.DataFrame) -> pd.DataFrame:
    extra = df.iloc[[-1]].copy()
    extra["MaPhieu"] = "PKS-MOI-0001"  # a form no earlier quarter had
    return pd.concat([df, extra])


def test_a_later_form_no_earlier_file_had_leaves_earlier_quarters_alone(bundled, plan):
    changed = with_table(bundled, "2026Q4", "khao_sat", new_survey_form)
    for q in QUARTERS[:-1]:
        assert indicators.later_inputs_digest(q, changed) == indicators.later_inputs_digest(q, bundled)
        assert same_results(indicators.compute_quarter(q, changed, plan), indicators.compute_quarter(q, bundled, plan))
    assert not same_results(indicators.compute_quarter("2026Q4", changed, plan),
                            indicators.compute_quarter("2026Q4", bundled, plan))


def test_a_later_row_correcting_an_earlier_record_reaches_it(bundled):
    q1 = set(bundled["2026Q1"].df("ho_so")["MaHoSo"].dropna())
    later = bundled["2026Q2"].df("ho_so")
    carried = later.index[later["MaHoSo"].isin(q1)]
    assert len(carried), "the bundled 2026Q2 carries over dossiers of 2026Q1"

    def finish_later(df):
        df.loc[carried[0], "NgayTra"] = df.loc[carried[0], "NgayTra"] + pd.Timedelta(days=1) \
            if pd.notna(df.loc[carried[0], "NgayTra"]) else pd.Timestamp("2026-04-02 10:00")
        return df

    changed = with_table(bundled, "2026Q2", "ho_so", finish_later)
    assert indicators.later_inputs_digest("2026Q1", changed) != indicators.later_inputs_digest("2026Q1", bundled)
    # supplement requests of a later quarter are taken whole
    changed = with_table(bundled, "2026Q4", "bo_sung", lambda df: df.iloc[:-1])
    assert indicators.later_inputs_digest("2026Q1", changed) != indicators.later_inputs_digest("2026Q1", bundled)
    # a later table's columns count too (how the later files are put together)
    changed = with_table(bundled, "2026Q4", "khao_sat", lambda df: df.drop(columns=["HaiLongChung"]))
    assert indicators.later_inputs_digest("2026Q1", changed) != indicators.later_inputs_digest("2026Q1", bundled)


def test_compute_results_computes_only_the_changed_quarter(bundled, plan, tmp_path, monkeypatch):
    opts = BuildOptions(data_dir=DATA, cache_dir=tmp_path / "cache")
    cache = Cache(opts.cache_dir)
    digests = {q: f"digest-{q}" for q in QUARTERS}
    before, _ = compute_results(opts, QUARTERS, dict(bundled), cache, plan, digests=digests)
    calls = []
    real = indicators.compute_quarter
    monkeypatch.setattr(indicators, "compute_quarter", lambda q, data, p: calls.append(q) or real(q, data, p))
    changed = with_table(bundled, "2026Q4", "khao_sat", new_survey_form)
    after, _ = compute_results(opts, QUARTERS, dict(changed), cache, plan, digests={**digests, "2026Q4": "new"})
    assert calls == ["2026Q4"]
    for q in QUARTERS:
        fresh = real(q, changed, plan)
        assert same_results(after[q], fresh), q
    assert not same_results(after["2026Q4"], before["2026Q4"])
    # the latest quarter's figures from its own files are the same computation: kept once
    calls.clear()
    compute_results(opts, QUARTERS, dict(changed), cache, plan, digests={**digests, "2026Q4": "new"},
                    own_files=True)
    assert "2026Q4" not in calls


def test_row_changes_of_unchanged_inputs_are_kept(bundled, tmp_path, monkeypatch):
    opts = BuildOptions(data_dir=DATA, cache_dir=tmp_path / "cache")
    cache = Cache(opts.cache_dir)
    digests = {q: f"digest-{q}" for q in QUARTERS}
    detect_revisions(opts, QUARTERS, dict(bundled), cache, digests)
    compared = []
    real = revisions._row_changes
    monkeypatch.setattr(revisions, "_row_changes",
                        lambda quarters, order, ends, name: compared.append(name) or real(quarters, order, ends, name))
    monkeypatch.setattr(revisions, "_supplement_changes", lambda *a: pytest.fail("bo_sung did not change"))
    changed = with_table(bundled, "2026Q4", "khao_sat", new_survey_form)
    got = detect_revisions(opts, QUARTERS, dict(changed), cache, {**digests, "2026Q4": "new"})
    assert compared == ["khao_sat"]
    monkeypatch.undo()
    fresh = revisions.detect_changes(changed)
    assert got.rows.equals(fresh.rows) and got.mistakes == fresh.mistakes
