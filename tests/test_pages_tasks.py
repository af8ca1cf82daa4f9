"""Rules of the tasks page (cchc/pages_tasks.py): dated deadlines, overdue,
evidence links through the safe-link check, and the rendered activities of a
quarter (grouped by area, escaped text, views by status and unit)."""
from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pandas as pd

from cchc import pages_tasks as T
from cchc.periods import quarter_period


def test_deadline_from_timing_text():
    assert T.deadline("Quý II/2026") == date(2026, 6, 30)
    assert T.deadline("Quý IV năm 2026") == date(2026, 12, 31)
    assert T.deadline("Tháng 6/2026") == date(2026, 6, 30)
    assert T.deadline("Trước ngày 15/9/2026") == date(2026, 9, 15)
    assert T.deadline("Năm 2026") == date(2026, 12, 31)
    assert T.deadline("Thường xuyên") is None
    assert T.deadline("Khi có quy định, hướng dẫn của Bộ ngành Trung ương; tỉnh") is None
    assert T.deadline(None) is None


def test_overdue_only_when_dated_passed_and_not_done():
    end_q3 = date(2026, 9, 30)
    assert T.is_overdue("Quý II/2026", "dang_thuc_hien", end_q3)
    assert T.is_overdue("Quý II/2026", "chua_bao_cao", end_q3)
    assert not T.is_overdue("Quý II/2026", "hoan_thanh", end_q3)
    assert not T.is_overdue("Quý III/2026", "dang_thuc_hien", end_q3)   # due on the last day: not yet
    assert not T.is_overdue("Thường xuyên", "chua_trien_khai", end_q3)


def test_evidence_is_a_link_only_when_safe():
    assert T.evidence("https://chonthanh.dongnai.gov.vn/vb/123") == ("https://chonthanh.dongnai.gov.vn/vb/123",
                                                                    "https://chonthanh.dongnai.gov.vn/vb/123")
    assert T.evidence("javascript:alert(1)") == (None, "javascript:alert(1)")
    assert T.evidence("Kế hoạch số 92/KH-UBND ngày 22/05/2026") == (None, "Kế hoạch số 92/KH-UBND ngày 22/05/2026")
    assert T.evidence("http://x y") == (None, "http://x y")
    assert T.evidence(pd.NA) == (None, "")


def _ctx(rows, prev_rows=None):
    def res(q, rs):
        return SimpleNamespace(quarter=q, breakdowns={"tasks": pd.DataFrame(rs)},
                               periods={"quarter": quarter_period(q)})
    return SimpleNamespace(quarter="2026Q3", results=res("2026Q3", rows),
                           previous=res("2026Q2", prev_rows) if prev_rows is not None else None)


def _row(i, area, status, timing="Thường xuyên", note=None, proof=None, unit="Phòng Kinh tế"):
    return {"id": i, "area": area, "activity": f"Hoạt động {i}", "lead_unit": unit, "lead_unit_group": unit,
            "timing": timing, "status": status, "GhiChu": note, "MinhChung": proof}


def test_activities_page_groups_and_escapes():
    rows = [_row("I.01", "I", "hoan_thanh", proof="https://example.gov.vn/a"),
            _row("I.02", "I", "dang_thuc_hien", timing="Quý II/2026", note="<script>alert('x')</script>"),
            _row("II.01", "II", "chua_bao_cao", unit="Văn phòng"),
            _row("II.02", "II", "chua_trien_khai", proof="javascript:alert(1)")]
    prev = [_row("II.01", "II", "dang_thuc_hien", note="Đã họp", unit="Văn phòng")]
    html = str(T.tasks_activities(_ctx(rows, prev)))
    assert html.count('<details class="c-area"') == 2
    assert "2 hoạt động: 1 hoàn thành, 1 đang thực hiện, 0 chưa triển khai, 0 chưa báo cáo, 1 quá hạn" in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html and "<script>alert" not in html
    assert '<a href="https://example.gov.vn/a" rel="noopener noreferrer">' in html
    assert 'href="javascript:' not in html and "javascript:alert(1)" in html
    assert "Đang thực hiện (báo cáo Quý II/2026)" in html          # recurring, latest report earlier
    assert 'id="trang-thai-qua_han"' in html and 'href="#nv-i-02"' in html
    assert 'id="don-vi-van-phong"' in html


def test_recurring_activity_never_reported_has_no_latest_report():
    html = str(T.tasks_activities(_ctx([_row("I.01", "I", "chua_bao_cao")])))
    assert "Chưa báo cáo" in html
    assert "(báo cáo Quý" not in html and "Tiến độ mới nhất" not in html
    html = str(T.tasks_activities(_ctx([_row("I.01", "I", "dang_thuc_hien")])))
    assert "Đang thực hiện (báo cáo Quý III/2026)" in html
