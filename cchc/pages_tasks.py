"""The plan's activities on the quarter's tasks page (``<YYYYQn>/nhiem-vu.html``),
readable on a phone:

* one collapsible section (``<details>``) per area of the plan, its summary
  line counting done / in progress / not started / not reported (and overdue);
* without JavaScript, the same activities by status and by lead unit, each a
  collapsed list of links to the activity (one view per status, per unit);
  with JavaScript (``assets/tasks.js``) two filters narrow the areas at once;
* an activity whose timing names a date (``Quý II/2026``, ``Tháng 6/2026``,
  ``30/6/2026``, ``Năm 2026``) that has passed at the quarter's end and that is
  not done shows "Quá hạn";
* a recurring activity ("Thường xuyên") not reported this quarter shows its
  latest reported progress and the quarter of that report;
* the evidence (``MinhChung``) is a link only when it is an http(s) address
  that passes :func:`cchc.html.safe_href`; otherwise it is text.
"""
from __future__ import annotations

import calendar
import re
from datetime import date

import pandas as pd

from . import html as H
from .context import QuarterContext
from .labels import AREA_NAMES, STATUS_VI
from .periods import quarter_label_vi
from .pages_procedures import _jinja, fold

OVERDUE = "qua_han"
OVERDUE_VI = "Quá hạn"
RECURRING = "thường xuyên"

_Q = re.compile(r"qu[ýy]\s+(I{1,3}|IV|[1-4])\s*(?:/|năm)\s*(\d{4})", re.I)
_M = re.compile(r"th[áa]ng\s+(\d{1,2})\s*(?:/|năm)\s*(\d{4})", re.I)
_D = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
_Y = re.compile(r"\bnăm\s+(\d{4})\b", re.I)
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}


def deadline(timing) -> date | None:
    """The last day a timing text names, or None when it names no date
    ("Thường xuyên", "Khi có quy định …"). The latest date wins when several."""
    s = "" if timing is None or (not isinstance(timing, str) and pd.isna(timing)) else str(timing)
    found = []
    for d, m, y in _D.findall(s):
        try:
            found.append(date(int(y), int(m), int(d)))
        except ValueError:
            pass
    for q, y in _Q.findall(s):
        n = _ROMAN.get(q.upper(), None) or int(q)
        m = 3 * n
        found.append(date(int(y), m, calendar.monthrange(int(y), m)[1]))
    for m, y in _M.findall(s):
        if 1 <= int(m) <= 12:
            found.append(date(int(y), int(m), calendar.monthrange(int(y), int(m))[1]))
    if not found:
        for y in _Y.findall(s):
            found.append(date(int(y), 12, 31))
    return max(found) if found else None


def is_overdue(timing, status: str, as_of: date) -> bool:
    due = deadline(timing)
    return due is not None and due < as_of and status != "hoan_thanh"


def evidence(text) -> tuple[str | None, str]:
    """(href or None, text) of a MinhChung value: a link only for an http(s)
    address that the safe-link check keeps."""
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return None, ""
    s = str(text).strip()
    if re.match(r"^https?://\S+$", s, re.I):
        href = H.safe_href(s)
        if href not in ("", "#"):
            return href, s
    return None, s


def _clean(x) -> str:
    return "" if x is None or (not isinstance(x, str) and pd.isna(x)) else str(x).strip()


def _latest_reports(ctx: QuarterContext) -> dict[str, tuple[str, dict]]:
    """For each activity, the latest earlier quarter (this year's context
    carries the previous quarter's results) that reported it."""
    out: dict[str, tuple[str, dict]] = {}
    prev = ctx.previous
    if prev is not None:
        t = prev.breakdowns.get("tasks", pd.DataFrame())
        for r in t.to_dict("records"):
            if r.get("status") != "chua_bao_cao":
                out[str(r["id"])] = (str(prev.quarter), r)
    return out


def activities(ctx: QuarterContext) -> list[dict]:
    tasks = ctx.results.breakdowns.get("tasks", pd.DataFrame())
    as_of = ctx.results.periods["quarter"].last_day if ctx.results.periods else date.max
    earlier = _latest_reports(ctx)
    out = []
    for r in tasks.to_dict("records"):
        status = str(r.get("status") or "chua_bao_cao")
        timing = _clean(r.get("timing"))
        recurring = timing.lower().startswith(RECURRING)
        note, proof, reported_in = _clean(r.get("GhiChu")), r.get("MinhChung"), ctx.quarter
        shown_status = status
        if recurring and status == "chua_bao_cao" and str(r["id"]) in earlier:
            reported_in, last = earlier[str(r["id"])]
            shown_status, note, proof = str(last.get("status")), _clean(last.get("GhiChu")), last.get("MinhChung")
        href, proof_text = evidence(proof)
        overdue = is_overdue(timing, status, as_of)
        unit = _clean(r.get("lead_unit_group")) or _clean(r.get("lead_unit"))
        out.append({
            "id": str(r["id"]), "anchor": "nv-" + H.slugify(str(r["id"])), "area": str(r.get("area") or ""),
            "activity": _clean(r.get("activity")), "lead_unit": _clean(r.get("lead_unit")), "unit": unit,
            "unit_key": H.slugify(unit), "timing": timing, "status": status,
            "status_vi": STATUS_VI.get(shown_status, shown_status), "shown_status": shown_status,
            "overdue": overdue, "recurring": recurring,
            # never "Chưa báo cáo (báo cáo Quý …)": a recurring activity nobody reported has no latest report
            "reported_in": (quarter_label_vi(reported_in)
                            if shown_status != "chua_bao_cao" and (recurring or reported_in != ctx.quarter) else ""),
            "note": note, "proof_href": href, "proof_text": proof_text,
        })
    return out


def _summary_line(items: list[dict]) -> str:
    n = {s: sum(1 for a in items if a["status"] == s) for s in STATUS_VI}
    parts = [f"{n['hoan_thanh']} hoàn thành", f"{n['dang_thuc_hien']} đang thực hiện",
             f"{n['chua_trien_khai']} chưa triển khai", f"{n['chua_bao_cao']} chưa báo cáo"]
    late = sum(1 for a in items if a["overdue"])
    if late:
        parts.append(f"{late} quá hạn")
    return f"{len(items)} hoạt động: " + ", ".join(parts)


def tasks_activities(ctx: QuarterContext) -> H.Html:
    items = activities(ctx)
    areas = []
    for area in dict.fromkeys(a["area"] for a in items):
        sub = [a for a in items if a["area"] == area]
        areas.append({"id": f"linh-vuc-{H.slugify(area)}", "title": f"{area}. {AREA_NAMES.get(area, '')}".strip(),
                      "summary": _summary_line(sub), "acts": sub})
    statuses = [(s, label) for s, label in STATUS_VI.items()] + [(OVERDUE, OVERDUE_VI)]
    by_status = []
    for s, label in statuses:
        sub = [a for a in items if (a["overdue"] if s == OVERDUE else a["status"] == s)]
        by_status.append({"key": s, "label": label, "acts": sub})
    units = sorted({a["unit"] for a in items if a["unit"]}, key=fold)
    by_unit = [{"key": H.slugify(u), "label": u, "acts": [a for a in items if a["unit"] == u]} for u in units]
    html = _jinja().get_template("tasks.html.j2").render(
        areas=areas, by_status=by_status, by_unit=by_unit, statuses=statuses, total=len(items),
        script_src="../assets/tasks.js", overdue_vi=OVERDUE_VI)
    return H.section(H.heading("Từng hoạt động và văn bản minh chứng", 2, id="tung-hoat-dong"), H.Html(html))


def collapsed(summary: str, content, id: str | None = None) -> H.Html:
    """A page section folded into a ``<details>`` with a one-line summary, so
    that the tasks page stays a few screens tall on a phone."""
    ident = f' id="{H.slugify(id)}"' if id else ""
    return H.Html(f'<details class="c-fold"{ident}><summary>{H.text(summary)}</summary>{H.text(content)}</details>')
