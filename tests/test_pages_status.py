"""Page sections of issue 11 (cchc.pages_status) on the sample quarters."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from cchc import pages_status as S
from cchc.commentary import load_commentary
from cchc.loader import LoadError
from cchc.plan import load_plan

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from test_sample_texts import _results  # noqa: E402


@pytest.fixture(scope="module")
def q4():
    return _results()["2026Q4"], _results()["2026Q3"]


def _headline():
    t = load_plan(ROOT / "data" / "plan").targets
    return t[t["headline"].astype(int) == 1]


def test_spans_and_partial_quarter(q4):
    res, prev = q4
    assert S.ytd_span(res) == "từ 01/01/2026 đến 20/11/2026"
    assert S.quarter_phrase(res) == "Quý IV/2026 (đến 20/11)"
    assert S.quarter_phrase(prev) == "Quý III/2026"


def test_cards_show_judgements_required_rate_and_explanations(q4):
    res, prev = q4
    html = str(S.status_cards(res, prev, _headline(), {}))
    on_time = html[html.index('data-indicator="on_time"'):].split("</li>")[0]
    assert "97,99%" in on_time and "Cần cố gắng" in on_time and "c-card--at_risk" in html
    assert "Cần đạt ≥ 98,1% trong thời gian còn lại của năm." in on_time
    assert "Tính từ 01/01/2026 đến 20/11/2026, trên 18.262 trường hợp." in on_time
    assert "Riêng Quý IV/2026 (đến 20/11): 98,6%, tăng 0,4 điểm phần trăm so với quý trước." in on_time
    assert "Nguyên nhân" in on_time and "Trung tâm Phục vụ hành chính công" in on_time and "31/12/2026" in on_time
    assert "Không còn khả năng đạt" in html
    assert not re.search(r"c-card--(met|not_met)\b", html)


def test_missing_explanation_is_said_on_the_card_and_the_quality_page():
    res = _results()["2026Q2"]
    t = load_plan(ROOT / "data" / "plan").targets
    html = str(S.status_cards(res, None, t[t["id"] == "mobile_services"], {}))
    assert "Chưa có giải trình." in html and "Vì sao" not in html
    q = str(S.missing_explanations(res))
    assert "Chỉ tiêu chưa có giải trình" in q and "mobile_services" in q
    assert S.missing_explanations(_results()["2026Q4"]) is None


def test_judgement_summary(q4):
    res, _ = q4
    s = S.judgement_summary(res, _headline())
    assert s.startswith("Tính từ 01/01/2026 đến 20/11/2026, trong 9 chỉ tiêu chính: ")
    assert "cần cố gắng" in s and "chưa phải kết quả cuối cùng" in S.open_year_note(res)


def test_commentary_summary_and_method(q4):
    res, _ = q4
    html = str(S.commentary_summary(load_commentary(ROOT / "data" / "2026Q4"), "2026Q4"))
    assert "Nhận xét của UBND phường về Quý IV/2026" in html and "97,99%" in html
    assert "Chưa có nhận xét" in str(S.commentary_summary(None, "2026Q4"))
    from cchc.pages import methodology_text

    m = str(S.on_track_method(res, methodology_text()["on_track"]))
    assert "X = (mục tiêu × (D + D còn lại) − N) ÷ D còn lại" in m
    assert "N = 17.895, D = 18.262" in m and "đã qua 324 ngày, còn 41 ngày" in m and "≈ 98,08%" in m


def test_contact_block(tmp_path):
    assert S.load_contact(tmp_path) is None and S.contact_block(None) is None
    c = S.load_contact(ROOT / "data")
    html = str(S.contact_block(c))
    assert c["sample"] and "Thông tin mẫu" in html and 'id="lien-he"' in html
    (tmp_path / S.CONTACT_FILE).write_text("address: x\nhours: y\nsample: false\n", encoding="utf-8")
    with pytest.raises(LoadError, match="hotline, feedback"):
        S.load_contact(tmp_path)
    (tmp_path / S.CONTACT_FILE).write_text("address: '<b>x</b>'\nhours: y\nhotline: z\nfeedback: w\n", encoding="utf-8")
    out = str(S.contact_block(S.load_contact(tmp_path)))
    assert "&lt;b&gt;x&lt;/b&gt;" in out and "Thông tin mẫu" not in out
