"""The staff texts of the sample quarters (cchc/sample_texts.py): commentary and
explanations that match the sample numbers."""
from __future__ import annotations

import re
import warnings
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pytest

from cchc import fmt, sample, sample_texts
from cchc.commentary import SECTION_IDS, load_commentary
from cchc.indicators import compute_quarter
from cchc.loader import load_quarter
from cchc.plan import load_plan

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"


@lru_cache(maxsize=None)
def _results():
    plan = load_plan(DATA / "plan")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loaded = {q: load_quarter(DATA / q) for q in sample.QUARTERS}
    return {q: compute_quarter(q, {o: loaded[o] for o in sample.QUARTERS if o <= q}, plan)
            for q in sample.QUARTERS}


@pytest.mark.parametrize("qid", sample.QUARTERS)
def test_every_sample_quarter_has_all_commentary_sections(qid):
    c = load_commentary(DATA / qid)
    assert all(c.section(i) for i in SECTION_IDS)


@pytest.mark.parametrize("qid", sample.QUARTERS)
def test_sample_explanations_cover_the_targets_that_need_one(qid):
    res = _results()[qid]
    ytd = res.indicators[res.indicators["period"] == "ytd"]
    need = set(ytd.loc[ytd["judgement"].isin(["not_met", "at_risk", "unreachable"]), "id"])
    have = set(res.explanations["id"])
    assert have <= need
    assert need - have == ({sample_texts.UNEXPLAINED[qid]} if qid in sample_texts.UNEXPLAINED else set())
    assert res.explanations[["cause", "action", "unit"]].notna().all().all()
    missing = res.breakdowns["warnings"]
    assert set(missing.loc[missing["code"] == "missing_explanation", "key"]) == need - have


def test_sample_commentary_quotes_the_computed_figures():
    """Every percentage in the Q4 summary is one of the quarter's computed values."""
    res = _results()["2026Q4"]
    ind = res.indicators
    shown = {fmt.percent(v) for v in ind["value"].dropna()}
    shown |= {fmt.percent_vs_target(v, t, d) for v, t, d in zip(ind["value"], ind["target"], ind["direction"])}
    shown |= {fmt.number(t) + "%" for t in ind["target"]}
    shown |= {fmt.required_vi(r, d).split()[3] for r, d in zip(ind["required"], ind["direction"]) if not pd.isna(r)}
    summary = load_commentary(DATA / "2026Q4").section("tom_tat")
    figures = re.findall(r"\d+(?:,\d+)?%", summary)
    assert figures and set(figures) <= shown, set(figures) - shown
    on_time = ind[(ind["id"] == "on_time") & (ind["period"] == "ytd")].iloc[0]
    assert on_time["judgement"] == "at_risk"
    assert "từ 01/01/2026 đến 20/11/2026" in summary and "“cần cố gắng”" in summary
    assert fmt.required_vi(on_time["required"], ">=") in summary
    # the ytd on-time rate is not rounded onto its target
    assert fmt.percent_vs_target(on_time["value"], 98, ">=") + "," in summary
