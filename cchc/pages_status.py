"""Honest status on the pages (issue 11): on-track judgements of the annual
targets with the exact year-to-date span, partial periods marked, the
explanation of every missed or at-risk target, the staff commentary and the
"Liên hệ" block.

Page sections return :class:`cchc.html.Html`; the cards are a Jinja2
template (``cchc/templates/status_cards.html.j2``, autoescaped).
"""
from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

import jinja2
import pandas as pd
import yaml

from . import fmt
from . import html as H
from .indicators.ontrack import NEEDS_EXPLANATION
from .periods import quarter_label_vi, quarter_last_day

CONTACT_FILE = "lien_he.yml"
CONTACT_KEYS = ("address", "hours", "hotline", "feedback")


@lru_cache(maxsize=None)
def _env() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.PackageLoader("cchc", "templates"), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


# --------------------------------------------------------------------------- periods in words
def ytd_span(results) -> str:
    """"từ 01/01/2026 đến 20/11/2026"."""
    p = results.periods["ytd"]
    return f"từ {fmt.date(p.first_day)} đến {fmt.date(p.last_day)}"


def partial_suffix(results) -> str:
    """" (đến 20/11)" when the quarter is cut off before its end, else ""."""
    p = results.periods["quarter"]
    if p.last_day == quarter_last_day(results.quarter):
        return ""
    return f" (đến {p.last_day.strftime('%d/%m')})"


def quarter_phrase(results) -> str:
    """"Quý IV/2026 (đến 20/11)"."""
    return quarter_label_vi(results.quarter) + partial_suffix(results)


# --------------------------------------------------------------------------- judgements
def _rows(results, period: str) -> dict[str, dict]:
    ind = results.indicators
    sub = ind[ind["period"] == period]
    return {str(r["id"]): r for r in sub.to_dict("records")}


def _explanation(results, tid: str) -> dict | None:
    ex = getattr(results, "explanations", None)
    if ex is None or not len(ex):
        return None
    m = ex[ex["id"] == tid]
    if not len(m):
        return None
    r = m.iloc[-1]
    return {"cause": r["cause"], "action": r["action"], "unit": r["unit"],
            "deadline": fmt.date(r["deadline"]) if r["deadline"] is not None else ""}


def _capital(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


def status_cards(results, previous, targets: pd.DataFrame, hrefs: dict[str, str], heading_level: int = 3) -> H.Html:
    """One card per target: the year-to-date value and span, the target, the
    judgement (never a verdict while the year is open), what the rest of the
    year needs, the quarter's own value, and the explanation (or "Chưa có
    giải trình") when the target is missed or at risk."""
    ytd, qtr = _rows(results, "ytd"), _rows(results, "quarter")
    prev = _rows(previous, "quarter") if previous is not None else {}
    span = ytd_span(results)
    cards = []
    for t in targets.to_dict("records"):
        tid = str(t["id"])
        y = ytd.get(tid)
        if y is None:
            continue
        code = y["judgement"] if isinstance(y["judgement"], str) else "no_data"
        q = qtr.get(tid, {})
        qv, pv = q.get("value", math.nan), prev.get(tid, {}).get("value", math.nan)
        quarter_text = f"Riêng {quarter_phrase(results)}: {fmt.percent(qv)}"
        if not (pd.isna(qv) or pd.isna(pv)):
            d = round(float(qv) - float(pv), 1)
            quarter_text += (", không đổi so với quý trước" if d == 0 else
                             f", {'tăng' if d > 0 else 'giảm'} {fmt.number(abs(d), 1)} điểm phần trăm so với quý trước")
        req = ""
        if code == "at_risk" and not pd.isna(y["required"]):
            req = _capital(fmt.required_vi(y["required"], y["direction"])) + "."
        n = y["denominator"]
        cards.append({
            "id": tid, "name": t["name_vi"], "href": hrefs.get(tid, ""),
            "value": fmt.percent_vs_target(y["value"], y["target"], y["direction"], missing="Không có dữ liệu"),
            "raw": "" if pd.isna(y["value"]) else repr(float(y["value"])),
            "span": f"Tính {span}" + ("" if pd.isna(n) else f", trên {fmt.number(n)} trường hợp") + ".",
            "target": f"Mục tiêu năm {fmt.direction_vi(y['direction'])} {fmt.number(y['target'])}%",
            "code": code, "badge": H.status_badge(code), "required": req,
            "quarter": quarter_text + ".",
            "needs_explanation": code in NEEDS_EXPLANATION,
            "explanation": _explanation(results, tid),
        })
    return H.Html(_env().get_template("status_cards.html.j2").render(cards=cards, level=heading_level))


def judgement_summary(results, targets: pd.DataFrame, what: str = "chỉ tiêu chính") -> str:
    """"Tính từ 01/01/2026 đến 20/11/2026, trong 9 chỉ tiêu chính: 1 đang đạt, …"."""
    ytd = _rows(results, "ytd")
    codes = [ytd[i]["judgement"] for i in targets["id"].astype(str) if i in ytd]
    order = ["met", "on_track", "at_risk", "unreachable", "not_met", "no_data"]
    parts = [f"{codes.count(c)} {fmt.judgement_vi(c).lower()}" for c in order if codes.count(c)]
    final = any(c in ("met", "not_met") for c in codes)
    head = (f"Cả năm {results.periods['ytd'].first_day.year}" if final else f"Tính {ytd_span(results)}")
    return f"{head}, trong {len(codes)} {what}: {', '.join(parts)}."


def open_year_note(results) -> str:
    """Why the cards say "đang đạt" and not "đạt" (empty once the year is final)."""
    ytd = results.indicators[results.indicators["period"] == "ytd"]
    if ytd["judgement"].isin(["met", "not_met"]).any():
        return ""
    return ("Năm chưa kết thúc, nên mỗi chỉ tiêu được đánh giá khả năng đạt mục tiêu năm, chưa phải kết quả "
            "cuối cùng; cách đánh giá được trình bày ở trang Phương pháp.")


def missing_explanations(results) -> H.Html | None:
    """Data-quality warning: the targets missed or at risk that have no
    explanation in the quarter's giai_trinh file."""
    w = results.breakdowns.get("warnings")
    if w is None or not len(w):
        return None
    miss = w[w["code"] == "missing_explanation"]
    if not len(miss):
        return None
    ytd = _rows(results, "ytd")
    df = pd.DataFrame([{"name": ytd[k]["name_vi"] if k in ytd else k, "id": k,
                        "judgement": fmt.judgement_vi(ytd[k]["judgement"]) if k in ytd else ""}
                       for k in miss["key"].astype(str)])
    return H.section(
        H.heading("Chỉ tiêu chưa có giải trình", 2, id="chua-co-giai-trinh"),
        H.note(f"{len(df)} chỉ tiêu chưa đạt hoặc cần cố gắng nhưng tệp giải trình (giai_trinh) của quý không có "
               "dòng cho chỉ tiêu đó. Đơn vị phụ trách cần bổ sung nguyên nhân, giải pháp, đơn vị chủ trì và "
               "thời hạn.", kind="warning"),
        H.table(df, columns={"name": "Chỉ tiêu", "id": "Mã chỉ tiêu (MaChiTieu)", "judgement": "Đánh giá"},
                formats={"id": "text", "judgement": "text"}, caption="Chỉ tiêu chưa có giải trình"),
    )


def provisional_note(manifest) -> H.Html | None:
    """The short "số liệu tạm tính" notice of a quarter cut off before its end."""
    if manifest.cutoff is None:
        return None
    return H.note(f"Số liệu tạm tính đến hết ngày {fmt.date(manifest.cutoff)}, "
                  f"{quarter_label_vi(manifest.quarter)} chưa kết thúc.", kind="warning")


def on_track_method(results, text: dict, tid: str = "on_time") -> H.Html:
    """The methodology section on the on-track judgement, with a worked
    example computed from ``results`` (the latest quarter) for target ``tid``."""
    from .indicators.ontrack import days_of_year_split

    parts = [H.heading(text["title"], 2, id="danh-gia-muc-tieu-nam"), H.paragraph(text["text"])]
    y = _rows(results, "ytd").get(tid)
    if y is None or pd.isna(y["value"]) or pd.isna(y["denominator"]):
        return H.section(*parts)
    p = results.periods["ytd"]
    elapsed, remaining = days_of_year_split(p.first_day, p.last_day)
    num, den, t = int(y["numerator"]), int(y["denominator"]), float(y["target"])
    code = y["judgement"]
    ex = (f"Ví dụ với chỉ tiêu “{y['name_vi']}” (mục tiêu {fmt.direction_vi(y['direction'])} {fmt.number(t)}%), "
          f"{ytd_span(results)}: N = {fmt.number(num)}, D = {fmt.number(den)}, giá trị "
          f"{fmt.percent_vs_target(y['value'], t, y['direction'])}; đã qua {fmt.number(elapsed)} ngày, còn "
          f"{fmt.number(remaining)} ngày.")
    if remaining > 0:
        d_rest = den / elapsed * remaining
        x = 100 * (t / 100 * (den + d_rest) - num) / d_rest
        ex += (f" D còn lại = {fmt.number(den)} ÷ {fmt.number(elapsed)} × {fmt.number(remaining)} ≈ "
               f"{fmt.number(d_rest)}; X = ({fmt.number(t / 100, 2)} × {fmt.number(den + d_rest)} − "
               f"{fmt.number(num)}) ÷ {fmt.number(d_rest)} ≈ {fmt.number(x, 2)}%.")
    ex += f" Đánh giá: “{fmt.judgement_vi(code)}”"
    req = fmt.required_vi(y["required"], y["direction"]) if code == "at_risk" else ""
    ex += f", {req}." if req else "."
    parts.append(H.paragraph(ex))
    return H.section(*parts)


# --------------------------------------------------------------------------- commentary
def commentary_summary(commentary, quarter: str) -> H.Html:
    """The staff's summary (section ``tom_tat`` of nhan_xet.md), or a plain
    sentence saying there is none yet."""
    md = commentary.section("tom_tat") if commentary is not None else None
    head = H.heading(f"Nhận xét của UBND phường về {quarter_label_vi(quarter)}", 2, id="nhan-xet")
    if md is None:
        return H.section(head, H.paragraph("Chưa có nhận xét của UBND phường cho quý này."), cls="c-commentary-box")
    from .commentary import render_markdown

    return H.section(head, render_markdown(md), cls="c-commentary-box")


# --------------------------------------------------------------------------- contact
def load_contact(data_dir: Path) -> dict | None:
    """``<data_dir>/lien_he.yml``: ``address, hours, hotline, feedback`` (text)
    and ``sample`` (true while the values are placeholders). None when absent."""
    from .loader import LoadError

    path = Path(data_dir) / CONTACT_FILE
    if not path.is_file():
        return None
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}
    except yaml.YAMLError as e:
        raise LoadError(path, f"không đọc được YAML: {e}", f"invalid YAML: {e}") from e
    missing = [k for k in CONTACT_KEYS if not str(doc.get(k) or "").strip()] if isinstance(doc, dict) else list(
        CONTACT_KEYS)
    if missing:
        raise LoadError(path, f"thiếu mục {', '.join(missing)} (cần đủ: {', '.join(CONTACT_KEYS)})",
                        f"missing {', '.join(missing)} (needs all of: {', '.join(CONTACT_KEYS)})")
    return {**{k: str(doc[k]).strip() for k in CONTACT_KEYS}, "sample": bool(doc.get("sample", False))}


def contact_block(contact: dict | None) -> H.Html | None:
    if not contact:
        return None
    return H.Html(_env().get_template("contact.html.j2").render(c=contact))
