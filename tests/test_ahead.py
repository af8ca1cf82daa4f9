"""Issue 15: the figures computed while validation's workers check the
suites (cchc.build.ahead.ComputeAhead) are given back only for exactly the
quarters and bytes that then pass; otherwise the compute stage computes them
again (tests/test_pipeline.py builds both ways and compares the sites)."""
from __future__ import annotations


import pytest

from cchc.build import BuildOptions, Cache, ahead


@pytest.fixture
def computing(monkeypatch, tmp_path):
    calls = []

    def fake(opts, quarters, loaded, cache, plan, digests):
        calls.append((list(quarters), dict(digests)))
        if "boom" in quarters:
            raise ValueError("cannot compute")
        loaded["added by compute"] = True  # compute may read more quarters into its dict
        return ahead.Figures({q: f"results {q}" for q in quarters}, {}, None, plan)

    monkeypatch.setattr(ahead, "compute_figures", fake)
    monkeypatch.setattr("cchc.plan.load_plan", lambda plan_dir: "plan")
    opts = BuildOptions(data_dir=tmp_path / "data", site_dir=tmp_path / "site", cache_dir=tmp_path / "cache")
    return ahead.ComputeAhead(opts, Cache(opts.cache_dir)), calls


def test_the_same_quarters_and_bytes_get_the_figures_once(computing):
    compute, calls = computing
    loaded = {"2026Q1": "data"}
    compute(["2026Q1", "2026Q2"], loaded, {"2026Q1": "a", "2026Q2": "b"})
    assert loaded == {"2026Q1": "data"}  # the caller's data untouched
    got = compute.take(["2026Q1", "2026Q2"], {"2026Q1": "a", "2026Q2": "b", "2026Q3": "other"})
    assert got.results == {"2026Q1": "results 2026Q1", "2026Q2": "results 2026Q2"}
    assert compute.take(["2026Q1", "2026Q2"], {"2026Q1": "a", "2026Q2": "b"}) is None  # taken once
    assert len(calls) == 1


@pytest.mark.parametrize("quarters, digests", [
    (["2026Q2"], {"2026Q2": "b"}),  # 2026Q1 failed validation: held back
    (["2026Q1", "2026Q2"], {"2026Q1": "a", "2026Q2": "changed"}),  # other bytes
    (["2026Q2", "2026Q1"], {"2026Q1": "a", "2026Q2": "b"}),  # another order
])
def test_anything_else_gets_nothing(computing, quarters, digests):
    compute, _ = computing
    compute(["2026Q1", "2026Q2"], {}, {"2026Q1": "a", "2026Q2": "b"})
    assert compute.take(quarters, digests) is None


def test_an_error_while_computing_ahead_is_left_to_the_compute_stage(computing):
    compute, calls = computing
    compute(["boom"], {}, {"boom": "x"})
    assert calls and compute.take(["boom"], {"boom": "x"}) is None


def test_a_plan_changed_meanwhile_gets_nothing(computing, monkeypatch):
    compute, _ = computing
    monkeypatch.setattr(ahead, "dir_digest", lambda path: "plan as read")
    compute(["2026Q1"], {}, {"2026Q1": "a"})
    monkeypatch.setattr(ahead, "dir_digest", lambda path: "plan edited since")
    assert compute.take(["2026Q1"], {"2026Q1": "a"}) is None
