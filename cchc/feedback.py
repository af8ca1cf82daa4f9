"""Feedback (PAKN) that tells something: by domain and outcome, time to
resolve, topics — aggregates only, never one PAKN.

For one period, over the PAKN in scope of :func:`cchc.indicators.others.feedback_eval`
(received by the period end and not resolved before it began):

* ``feedback_by_domain`` — per ``LinhVuc`` (blank → "Chưa ghi lĩnh vực"):
  ``in_scope``; outcomes ``resolved_on_time`` / ``resolved_late`` (resolved in
  the period, by / after ``HanXuLy``; no ``HanXuLy`` counts late) and ``open``
  (unresolved at the period end); ``median_days`` — median working days
  (:mod:`cchc.workdays`) from receipt to resolution of those resolved in the
  period. A domain with fewer than :data:`SMALL_N` PAKN is ``suppressed``
  (its figures are blanked in the open data and shown as "dưới 5" on pages);
  a last row ``Tất cả`` gives the totals.
* ``feedback_topics`` — per topic (``ChuDe``, the optional summary column;
  personal data in it is masked by the loader), the number of PAKN in scope.
  Only topics shared by at least :data:`SMALL_N` PAKN are named; the others
  are counted together as "Chủ đề khác", so no single complaint's words are
  ever published.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .workdays import working_days

SMALL_N = 5
NO_DOMAIN = "Chưa ghi lĩnh vực"
ALL = "Tất cả"
OTHER_TOPICS = "Chủ đề khác (mỗi chủ đề dưới 5 PAKN)"

DOMAIN_COLUMNS = ["period", "LinhVuc", "in_scope", "resolved_on_time", "resolved_late", "open", "resolved",
                  "median_days", "suppressed"]
TOPIC_COLUMNS = ["period", "ChuDe", "count"]


def _text(pa: pd.DataFrame, col: str, blank: str) -> np.ndarray:
    if col not in pa:
        return np.full(len(pa), blank, dtype=object)
    s = pa[col].astype("string").str.strip().str.replace(r"\s+", " ", regex=True)
    return s.fillna(blank).replace("", blank).to_numpy(dtype=object)


def feedback_by_domain(pa: pd.DataFrame, ev: dict, period: str) -> pd.DataFrame:
    from .indicators.core import ns  # here: cchc.indicators imports this module

    scope = ev["scope"]
    dom = _text(pa, "LinhVuc", NO_DOMAIN)
    tn = ns(pa["NgayTiepNhan"])[0] if len(pa) else np.zeros(0, np.int64)
    done = ns(pa["NgayXuLy"])[0] if len(pa) else np.zeros(0, np.int64)
    resolved = ev["resolved"]
    days = np.full(len(pa), np.nan)
    if resolved.any():
        days[resolved] = working_days(tn[resolved].astype("datetime64[ns]"), done[resolved].astype("datetime64[ns]"))
    rows = []

    def row(name, m):
        n = int(m.sum())
        r = resolved & m
        return {"period": period, "LinhVuc": name, "in_scope": n,
                "resolved_on_time": int((r & ev["on_time"]).sum()), "resolved_late": int((r & ~ev["on_time"]).sum()),
                "open": int((ev["open"] & m).sum()), "resolved": int(r.sum()),
                "median_days": float(np.median(days[r])) if r.sum() >= SMALL_N else np.nan,
                "suppressed": 0 < n < SMALL_N}

    for name in sorted({d for d, s in zip(dom, scope) if s}, key=lambda x: (x == NO_DOMAIN, x)):
        rows.append(row(name, scope & (dom == name)))
    rows.append(row(ALL, scope))
    out = pd.DataFrame(rows, columns=DOMAIN_COLUMNS)
    out.attrs.update({"title_vi": "Phản ánh, kiến nghị theo lĩnh vực và kết quả xử lý",
                      "description_vi": "Số PAKN trong phạm vi theo lĩnh vực: đã xử lý đúng hạn, trễ hạn, đang xử lý; "
                                        "trung vị số ngày làm việc để xử lý xong. Lĩnh vực có dưới 5 PAKN được ẩn số "
                                        "liệu (suppressed = true).",
                      "fields_vi": {"LinhVuc": "Lĩnh vực (Tất cả = tổng)",
                                    "in_scope": "Số PAKN trong phạm vi", "resolved_on_time": "Đã xử lý đúng hạn",
                                    "resolved_late": "Đã xử lý trễ hạn", "open": "Đang xử lý tại cuối kỳ",
                                    "resolved": "Đã xử lý xong trong kỳ",
                                    "median_days": "Trung vị số ngày làm việc từ tiếp nhận đến xử lý xong "
                                                   "(trống khi dưới 5 PAKN)",
                                    "suppressed": "true = dưới 5 PAKN, số liệu được ẩn"}})
    return out


def feedback_topics(pa: pd.DataFrame, ev: dict, period: str) -> pd.DataFrame:
    scope = ev["scope"]
    if "ChuDe" not in pa or not scope.any():
        return pd.DataFrame(columns=TOPIC_COLUMNS)
    topic = _text(pa, "ChuDe", "")
    counts: dict[str, list] = {}
    for t, s in zip(topic, scope):
        if s and t:
            counts.setdefault(t.casefold(), []).append(t)
    rows, other = [], 0
    for key, seen in sorted(counts.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        if len(seen) >= SMALL_N:
            rows.append({"period": period, "ChuDe": min(seen), "count": len(seen)})
        else:
            other += len(seen)
    if other:
        rows.append({"period": period, "ChuDe": OTHER_TOPICS, "count": other})
    out = pd.DataFrame(rows, columns=TOPIC_COLUMNS)
    out.attrs.update({"title_vi": "Chủ đề phản ánh, kiến nghị",
                      "description_vi": "Số PAKN theo chủ đề; chỉ nêu tên chủ đề có từ 5 PAKN, các chủ đề khác được "
                                        "gộp lại. Không có nội dung của PAKN nào.",
                      "fields_vi": {"ChuDe": "Chủ đề", "count": "Số PAKN"}})
    return out


def feedback_tables(pa: pd.DataFrame, fev: dict) -> dict[str, pd.DataFrame]:
    """The two breakdowns over every period of ``fev`` (``{"quarter": ev, "ytd": ev}``)."""
    out = {}
    for name, fn in (("feedback_by_domain", feedback_by_domain), ("feedback_topics", feedback_topics)):
        parts = [fn(pa, ev, k) for k, ev in fev.items()]
        df = pd.concat(parts, ignore_index=True)
        df.attrs.update(parts[0].attrs)
        out[name] = df
    return out
