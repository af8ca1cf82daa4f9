"""What the report says: the template's values computed from a quarter's
context (the same :class:`cchc.context.QuarterContext` the site's pages get)
and the staff's commentary.

Every number is taken from ``QuarterResults`` (``indicators`` and
``breakdowns``) and formatted with :mod:`cchc.fmt` exactly as the site prints
it (percentages with one decimal, "—" for a missing value in a table), so the
report and the site cannot disagree. Text from the data is passed as plain
strings; the template escapes it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Mapping

import pandas as pd
import yaml

from .. import fmt
from ..indicators.explanations import MISSING_VI
from ..indicators.ontrack import MET, NEEDS_EXPLANATION, NO_DATA, ON_TRACK, SUPPRESSED, Judgement
from ..labels import AREA_NAMES, STATUS_VI
from ..periods import parse_quarter, quarter_label_vi
from .docx import clean_text
from .markdown import is_blank, to_paragraphs

ROMAN = ["I", "II", "III", "IV"]
MISSING = "—"
GOOD = (MET, ON_TRACK)  # III.1 Ưu điểm
BAD = NEEDS_EXPLANATION  # III.2 Tồn tại: not met, at risk, unreachable (with giai_trinh)


@lru_cache(maxsize=None)
def settings() -> dict:
    with resources.files("cchc.report").joinpath("report.yaml").open(encoding="utf-8") as f:
        return yaml.safe_load(f)


# --------------------------------------------------------------------------- periods and timings
def next_quarter(qid: str) -> str:
    y, q = parse_quarter(qid)
    return f"{y + 1}Q1" if q == 4 else f"{y}Q{q + 1}"


def _roman_or_int(s: str) -> int:
    s = s.upper()
    return ROMAN.index(s) + 1 if s in ROMAN else int(s)


def timing_kind(timing) -> tuple[str, int | None]:
    """(kind, number) of the plan's free-text timing by the rules of report.yaml."""
    text = clean_text(timing)
    for rule in settings()["timing_rules"]:
        m = re.search(rule["pattern"], text, flags=re.IGNORECASE)
        if m:
            n = m.groupdict().get("n")
            return rule["kind"], (_roman_or_int(n) if n else None)
    return "undated", None


def due_in(timing, qid: str) -> bool:
    """Whether an activity with this timing is due in quarter ``qid`` of its plan year."""
    kind, n = timing_kind(timing)
    q = parse_quarter(qid)[1]
    if kind == "recurring":
        return True
    if kind == "annual":
        return q == 4
    if kind == "quarter":
        return n == q
    if kind == "month":
        return n is not None and (n - 1) // 3 + 1 == q
    return False


# --------------------------------------------------------------------------- small helpers
def _rows(df: pd.DataFrame | None) -> list[dict]:
    return [] if df is None or not len(df) else df.to_dict("records")


def _bd(results, name: str, period: str | None = None) -> pd.DataFrame:
    df = results.breakdowns.get(name, pd.DataFrame())
    if period is not None and "period" in df.columns:
        df = df[df["period"] == period]
    return df.reset_index(drop=True)


def _int(x) -> int:
    return 0 if x is None or pd.isna(x) else int(x)


def target_text(target, direction) -> str:
    """``≥ 98%`` as on the site's tables."""
    return f"{fmt.direction_vi(str(direction))} {fmt.number(target, 0)}%"


def judgement_of(row: dict) -> Judgement:
    """The on-track judgement of a year-to-date indicators row."""
    code, required = row.get("judgement"), row.get("required")
    return Judgement(code=NO_DATA if code is None or pd.isna(code) else str(code),
                     required=None if required is None or pd.isna(required) else float(required),
                     direction=str(row.get("direction") or ">="))


def judgement_text(row: dict) -> str:
    """"Đang đạt", or "Cần cố gắng (cần đạt ≥ 98,5% trong thời gian còn lại của năm)"."""
    j = judgement_of(row)
    req = j.required_vi()
    return f"{j.label_vi} ({req})" if req else j.label_vi


# --------------------------------------------------------------------------- pieces
@dataclass
class Indicators:
    """The quarter's indicators table by (id, period), in the plan's order."""

    results: object
    plan: object
    by_key: dict = field(init=False)

    def __post_init__(self):
        ind = self.results.indicators
        self.by_key = {(r["id"], r["period"]): r for r in _rows(ind)}

    def targets(self, area: str | None = None) -> list[dict]:
        t = self.plan.targets
        if area is not None:
            t = t[t["area"].astype(str) == area]
        return [r for r in _rows(t) if (r["id"], "ytd") in self.by_key]

    def row(self, tid: str, period: str) -> dict:
        return self.by_key[(tid, period)]


def target_rows(ind: Indicators, area: str) -> list[dict]:
    out = []
    for t in ind.targets(area):
        q, y = ind.row(t["id"], "quarter"), ind.row(t["id"], "ytd")
        out.append({"name": t["name_vi"], "quarter": fmt.percent(q["value"], 1, MISSING),
                    "ytd": fmt.percent(y["value"], 1, MISSING), "target": target_text(t["target"], t["direction"]),
                    "judgement": judgement_text(y)})
    return out


def task_row(t: dict, no: int) -> dict:
    return {"no": str(no), "id": t["id"], "activity": t.get("activity"), "lead_unit": t.get("lead_unit"),
            "status": STATUS_VI.get(str(t.get("status")), str(t.get("status"))),
            "evidence": t.get("MinhChung"), "note": t.get("GhiChu"), "area": t.get("area"),
            "timing": t.get("timing")}


def area_block(results, ind: Indicators, area: str, heading: str) -> dict:
    tasks = _bd(results, "tasks")
    tasks = tasks[tasks["area"].astype(str) == area] if len(tasks) else tasks
    counts = _bd(results, "tasks_by_area")
    counts = counts[counts["area"].astype(str) == area] if len(counts) else counts
    c = counts.iloc[0].to_dict() if len(counts) else {}
    block = {"heading": heading, "area": area, "total": fmt.number(_int(c.get("total", len(tasks))))}
    for s in STATUS_VI:
        block[s] = fmt.number(_int(c.get(s)))
    block["tasks"] = [task_row(t, i + 1) for i, t in enumerate(_rows(tasks))]
    block["targets"] = target_rows(ind, area)
    return block


def assessment(results, ind: Indicators) -> tuple[list[str], list[dict]]:
    """(strengths, weaknesses) generated from the data: targets met vs missed
    with their explanations, activities completed vs not started."""
    strengths: list[str] = []
    weaknesses: list[dict] = []
    tasks = _bd(results, "tasks")
    counts = tasks["status"].value_counts() if len(tasks) else pd.Series(dtype=int)
    done, total = _int(counts.get("hoan_thanh", 0)), len(tasks)
    if done:
        strengths.append(f"Hoàn thành {fmt.number(done)}/{fmt.number(total)} hoạt động của Kế hoạch; "
                         f"{fmt.number(_int(counts.get('dang_thuc_hien', 0)))} hoạt động đang thực hiện.")
    explanations = explanations_by_id(results)
    no_data, suppressed = [], []
    for t in ind.targets():
        y = ind.row(t["id"], "ytd")
        code = judgement_of(y).code
        # a value next to its target is never rounded onto the other side of it (as on the scorecard)
        head = (f"{t['name_vi']}: lũy kế năm {fmt.percent_vs_target(y['value'], t['target'], t['direction'])}, "
                f"mục tiêu năm {target_text(t['target'], t['direction'])}")
        if code in GOOD:
            strengths.append(f"{head} — {judgement_text(y)}.")
        elif code in BAD:
            weaknesses.append({"text": f"{head} — {judgement_text(y)}.",
                               "explanations": explanations.get(t["id"]) or [f"{MISSING_VI}."]})
        elif code == NO_DATA:
            no_data.append(t["name_vi"])
        elif code == SUPPRESSED:
            suppressed.append(t["name_vi"])
    if not strengths:
        strengths.append("Chưa có chỉ tiêu nào đạt hoặc đang đạt mục tiêu năm.")
    if no_data:
        weaknesses.append({"text": f"Chưa có số liệu để đánh giá {len(no_data)} chỉ tiêu: " + "; ".join(no_data) + ".",
                           "explanations": []})
    if suppressed:
        # as on the site (cchc/suppression.py): a group under 5 responses is neither shown nor judged
        weaknesses.append({"text": f"Không công bố {len(suppressed)} chỉ tiêu vì có dưới 5 phiếu khảo sát, phản ánh, "
                                   "kiến nghị (để bảo vệ người trả lời): " + "; ".join(suppressed) + ".",
                           "explanations": []})
    late = _int(counts.get("chua_trien_khai", 0))
    unreported = _int(counts.get("chua_bao_cao", 0))
    if late or unreported:
        weaknesses.append({"text": f"{fmt.number(late)} hoạt động chưa triển khai, {fmt.number(unreported)} hoạt động "
                                   "chưa báo cáo tiến độ (danh sách tại mục IV).", "explanations": []})
    return strengths, weaknesses


def explanations_by_id(results) -> dict[str, list[str]]:
    """Sentences from ``giai_trinh`` (``QuarterResults.explanations``) per target id."""
    df = getattr(results, "explanations", None)
    out: dict[str, list[str]] = {}
    for r in _rows(df):
        parts = []
        for key, label in (("cause", "Nguyên nhân"), ("action", "Giải pháp"), ("unit", "Đơn vị thực hiện"),
                           ("deadline", "Thời hạn")):
            v = r.get(key)
            if key == "deadline" and v is not None and not pd.isna(v) and not isinstance(v, str):
                v = fmt.date(v)
            v = clean_text(v)
            if v:
                parts.append(f"{label}: {v.rstrip('.')}.")
        if parts:
            out.setdefault(str(r.get("id")), []).append(" ".join(parts))
    return out


def next_steps(results, qid: str) -> dict:
    """Section IV: unfinished activities, then the finished ones due again next quarter."""
    tasks = _rows(_bd(results, "tasks"))
    unfinished = [t for t in tasks if t.get("status") != "hoan_thanh"]
    nq = next_quarter(qid)
    same_year = parse_quarter(nq)[0] == parse_quarter(qid)[0]
    due = [t for t in tasks if t.get("status") == "hoan_thanh" and due_in(t.get("timing"), nq)] if same_year else []
    label = quarter_label_vi(nq)
    if unfinished:
        unfinished_intro = (f"Tiếp tục thực hiện {fmt.number(len(unfinished))} hoạt động của Kế hoạch chưa hoàn "
                            f"thành tính đến hết {quarter_label_vi(qid)}:")
    else:
        unfinished_intro = "Các hoạt động của Kế hoạch đều đã hoàn thành."
    if not same_year:
        due_intro = (f"{label} thuộc năm {parse_quarter(nq)[0]}, ngoài thời gian của Kế hoạch cải cách hành chính "
                     f"năm {parse_quarter(qid)[0]}.")
    elif due:
        due_intro = (f"Các hoạt động đã hoàn thành nhưng đến hạn thực hiện tiếp trong {label} (thường xuyên, định "
                     f"kỳ hoặc theo thời gian của Kế hoạch): {fmt.number(len(due))} hoạt động.")
    else:
        due_intro = f"Không có hoạt động đã hoàn thành nào đến hạn thực hiện tiếp trong {label}."
    return {"unfinished_intro": unfinished_intro, "due_intro": due_intro,
            "unfinished": [task_row(t, i + 1) for i, t in enumerate(unfinished)],
            "due_next": [task_row(t, i + 1) for i, t in enumerate(due)]}


def appendix_rows(ind: Indicators, qid: str) -> list[dict]:
    """Two rows per target in the plan's order: the quarter (with the
    number, name and target) and the year to date (with the judgement's
    label; the rate still required is in sections II and III)."""
    out = []
    labels = {"quarter": f"Quý {ROMAN[parse_quarter(qid)[1] - 1]}", "ytd": "Lũy kế"}
    for i, t in enumerate(ind.targets()):
        for period in ("quarter", "ytd"):
            r = ind.row(t["id"], period)
            first = period == "quarter"
            out.append({"no": str(i + 1) if first else "", "id": t["id"], "period_id": period,
                        "name": t["name_vi"] if first else "", "period": labels[period],
                        "numerator": fmt.number(r["numerator"], 0, MISSING),
                        "denominator": fmt.number(r["denominator"], 0, MISSING),
                        "value": fmt.percent(r["value"], 1, MISSING),
                        "target": target_text(r["target"], r["direction"]) if first else "",
                        "judgement": "" if first else judgement_of(r).label_vi})
    return out


def domain_rows(results) -> list[dict]:
    """Dossiers by domain in the quarter, as on the site's dossier page."""
    bd = _bd(results, "by_domain", "quarter")
    bd = bd[bd["in_scope"] > 0] if len(bd) else bd
    return [{"no": str(i + 1), "name": r["TenLinhVuc"], "received": fmt.number(r["received"], 0, MISSING),
             "online": fmt.percent(r["online_value"], 1, MISSING), "in_scope": fmt.number(r["in_scope"], 0, MISSING),
             "late": fmt.number(r["late"], 0, MISSING), "on_time": fmt.percent(r["on_time_value"], 1, MISSING)}
            for i, r in enumerate(_rows(bd))]


# --------------------------------------------------------------------------- staff text
def staff_paragraphs(qid: str, staff: Mapping[str, str | None], style_ids: Mapping[str, str],
                     source: str) -> tuple[dict, list[str]]:
    """{section id: paragraphs} for the template, and a warning for every
    section left to the placeholder."""
    cfg = settings()
    out, warnings = {}, []
    text_style = style_ids.get("Staff Text", "Normal")
    list_style = style_ids.get("Staff List", text_style)
    placeholder_style = style_ids.get("Placeholder", text_style)
    for sid, label in cfg["staff_sections"].items():
        md = staff.get(sid)
        if is_blank(md):
            out[sid] = to_paragraphs(cfg["placeholder"], placeholder_style, placeholder_style)
            warnings.append(f"{qid}: báo cáo — chưa có mục “{sid}” ({label}) trong {source}; đã ghi "
                            f"“{cfg['placeholder']}” / report: section '{sid}' missing in {source}")
        else:
            out[sid] = to_paragraphs(md, text_style, list_style)
    return out, warnings


# --------------------------------------------------------------------------- the whole context
def report_context(ctx, staff: Mapping[str, str | None], style_ids: Mapping[str, str],
                   staff_source: str = "nhan_xet.md") -> tuple[dict, list[str]]:
    """(template values, warnings) for the report of ``ctx.quarter``."""
    qid = ctx.quarter
    year, q = parse_quarter(qid)
    results, plan, m = ctx.results, ctx.plan, ctx.manifest
    ind = Indicators(results, plan)
    lead = settings()["leadership_area"]
    areas = [a for a in AREA_NAMES if a != lead]
    strengths, weaknesses = assessment(results, ind)
    staff_pars, warnings = staff_paragraphs(qid, staff, style_ids, staff_source)
    period_title = f"Quý {ROMAN[q - 1]} năm {year}"
    period_text = f"quý {ROMAN[q - 1]} năm {year}"
    out = {
        "quarter": qid, "year": str(year), "period_title": period_title, "period_text": period_text,
        "sample": bool(m.sample),
        "sample_notice": "DỮ LIỆU MẪU — KHÔNG PHẢI SỐ LIỆU CHÍNH THỨC",
        "provisional_notice": (f"Số liệu tạm tính đến hết ngày {fmt.date(m.cutoff)} ({quarter_label_vi(qid)} chưa "
                               "kết thúc)." if m.cutoff else ""),
        # the same words as every page's provenance line when the build used another plan (cchc/provenance.py)
        "plan_notice": f"{ctx.plan_note}." if getattr(ctx, "plan_note", "") else "",
        "leadership": area_block(results, ind, lead, f"{lead}. {AREA_NAMES[lead]}"),
        "areas": [area_block(results, ind, a, f"{i + 1}. {AREA_NAMES[a]}") for i, a in enumerate(areas)],
        "strengths": strengths, "weaknesses": weaknesses,
        **next_steps(results, qid),
        "staff": staff_pars,
        "appendix_note": (f"Mỗi chỉ tiêu có hai dòng: số liệu riêng {quarter_label_vi(qid)} và số liệu lũy kế từ đầu "
                          "năm. Tỷ lệ (%) làm tròn đến một chữ số thập phân, như trên Trang minh bạch cải cách hành "
                          "chính của phường; cột “Đánh giá” đánh giá chỉ tiêu năm theo số liệu lũy kế (mức cần đạt trong thời "
                          "gian còn lại của năm: xem mục II và III)."),
        "indicator_rows": appendix_rows(ind, qid),
        "domains": domain_rows(results),
    }
    return out, warnings
