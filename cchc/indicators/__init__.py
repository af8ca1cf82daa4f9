"""Indicators of docs/indicators.md: pure functions, frames in, tables out.

Public API
----------
``compute_quarter(qid, quarters, plan) -> QuarterResults``
    ``quarters``: every loaded quarter (``{qid: QuarterData}``, any years);
    ``plan``: :class:`cchc.model.Plan`. The quarter period is the quarter (its
    manifest's ``cutoff`` replaces the quarter end when provisional); the
    year-to-date period runs from 1 January to the same end.

``trend(results) -> DataFrame``
    long table over quarters: ``quarter, id, name_vi, period, value, target,
    direction, status, judgement, numerator, denominator``.

Which rows feed which period
----------------------------
* **latest row wins everywhere**: a record (dossier, PAKN, survey form,
  a dossier's supplement requests) that a later quarter's file has again
  takes that later row, for every period of every quarter (earlier quarters
  included), so all figures use the same corrected rows; ``quarters`` may
  hold quarters after ``qid`` for that (cchc/revisions.py reports each
  change to a published figure);
* quarter: the records of the quarter's own files;
* year-to-date: the rows of every file of the same year up to the quarter,
  one record per key, the row of the **latest** file winning
  (ho_so ``MaHoSo``, phan_anh ``MaPAKN``, khao_sat ``MaPhieu``);
* supplement requests (bo_sung) are a property of their dossier: for both
  periods a dossier's requests are taken, as a set, from the latest file up to
  the quarter (any year) that has supplement rows for that dossier
  (key within it: ``MaHoSo, NgayYeuCauBoSung``);
* catalogue (thu_tuc), unit reports (bao_cao) and task progress (tien_do) are
  states: both periods use the quarter's own file (the latest quarter of the
  year so far); when it has no row for an indicator, it has no data.

``QuarterResults.indicators``
    one row per ``plan.targets`` id × period (``quarter`` then ``ytd``):
    ``id, name_vi, area, period, numerator, denominator, value, target,
    direction, status, judgement, required``; value = 100 × numerator ÷
    denominator (float, full precision), NaN with status ``no_data`` when the
    denominator is 0 or the source has no row; otherwise ``met``/``not_met`` by
    ``direction`` (the value compared with the target, nothing more).
    ``judgement`` / ``required`` (ytd rows only; NA / NaN on quarter rows):
    the on-track judgement of the annual target (:mod:`.ontrack`):
    ``on_track``/``at_risk``/``unreachable`` while the year is open,
    ``met``/``not_met`` once the year's last quarter is final (not
    provisional), ``no_data``; ``required`` the X of "cần đạt ≥ X% trong thời
    gian còn lại của năm". Pages show the ``ytd`` judgement.

``QuarterResults.breakdowns`` (``period`` column = ``quarter``/``ytd`` where present)
    ``on_time_counts``  period, in_scope, on_time, late, finished_on_time,
        finished_late, in_progress_within_deadline, in_progress_overdue, value
    ``by_domain``  period, MaLinhVuc, TenLinhVuc, received, online,
        online_value, in_scope, on_time, late, on_time_value
    ``by_procedure``  period, MaTTHC, TenTTHC, MaLinhVuc, TenLinhVuc, received,
        in_scope, on_time, late, on_time_value, finished,
        processing_days_median, processing_days_mean (calendar days from
        NgayTiepNhan to NgayKetThucXuLy of the dossiers in scope finished in the
        period, supplement time included), supplement_requests,
        dossiers_with_supplements (of the dossiers in scope)
    ``procedures``  period, one row per procedure of the quarter's catalogue:
        see :mod:`cchc.procedures` (working days, small-number rule)
    ``feedback_by_domain``, ``feedback_topics``  see :mod:`cchc.feedback`
    ``by_channel``  period, KenhThucHien, TenKenh, received, share, in_scope,
        on_time, late, on_time_value (always the 3 channels)
    ``by_month``  (year-to-date months only) month (YYYY-MM), received, online,
        online_value, finished, finished_on_time, finished_on_time_value
    ``feedback``  period, received, in_scope, on_time, late, on_time_value,
        resolved, unresolved, rated, satisfied, satisfied_value
    ``survey_factors``  period, factor, label_vi, n, satisfied, value,
        suppressed (n < 5: pages must show "< 5 phiếu" instead of the value)
    ``catalogue``  (quarter state) id, rule_vi, numerator, denominator, value
    ``unit_reports``  (quarter state) id, name_vi, MaChiTieu, reported, TuSo,
        MauSo, value, DonViBaoCao, MinhChung
    ``tasks``  (quarter state) the plan's task columns (id, area, area_name,
        objective_no, objective, task, activity, product, lead_unit,
        cooperating_units, timing) + status (chua_trien_khai / dang_thuc_hien /
        hoan_thanh / chua_bao_cao when tien_do has no row), MinhChung, GhiChu,
        DonViBaoCao
    ``tasks_by_area``  area, area_name, total, chua_trien_khai,
        dang_thuc_hien, hoan_thanh, chua_bao_cao, share_completed
    ``tasks_by_unit``  lead_unit (the plan's chủ trì), same counts
    ``warnings``  code, source, key, message_vi (``missing_explanation``: a
        target judged not met / at risk / unreachable without a giai_trinh row)

``QuarterResults.explanations``: see :mod:`cchc.indicators.explanations`
    (``id, cause, action, unit, deadline``, one row per target id, from the
    quarter's optional ``giai_trinh`` file).

``QuarterResults.estimate_766``: see :mod:`cchc.indicators.estimate`.

Choices where docs/indicators.md leaves room (the methodology page states them)
------------------------------------------------------------------------------
* "the period end" for unfinished dossiers/PAKN is 23:59:59 of the period's
  last day (exports carry whole seconds; a date-only deadline is 23:59:59 of
  its day, so a deadline on the last day is not yet overdue at the period end);
  "inside the period" is ``first day 00:00 ≤ t < day after the last day``;
* supplement requests: only requests made at or before ``E`` count towards
  "at most one request"; their time before ``E`` is summed (clipped at 0);
  a request without ``NgayYeuCauBoSung`` is ignored;
* a dossier in the on-time scope without ``NgayHenTra`` counts as late and is
  reported in ``warnings``; a missing ``TrangThaiHoSo`` does not exclude a
  dossier; a blank ``KenhThucHien`` is channel 1;
* ``e_results`` does not require the other "received" conditions: any dossier
  with status 9/10 and ``NgayKetThucXuLy`` in the period;
* PAKN: a PAKN without ``HanXuLy`` cannot be on time; ``feedback_satisfied``
  counts PAKN resolved inside the period;
* survey: scores outside 1–5 are ignored; computing never suppresses: the
  per-factor breakdown carries ``suppressed`` (n < 5) and keeps its numbers;
  the build hides every small survey/feedback group before publishing
  (:mod:`cchc.suppression`);
* catalogue ids are recognised by id (``full_online_services``,
  ``published_on_time``, ``online_payment_deployed``, ``boundary_free``,
  ``business_online``); another catalogue target whose ``measure`` names one
  thu_tuc flag column is "flag = 1 ÷ all procedures";
* unit reports: ``measure`` is the ``MaChiTieu`` (the id when blank);
  ``MauSo`` = 0 gives no data; ``TuSo`` > ``MauSo`` is kept and warned.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..model import Plan, QuarterData
from ..feedback import feedback_tables
from ..procedures import procedure_table
from ..periods import Period, parse_quarter, quarter_period, sort_quarters, ytd_period
from . import estimate as _estimate
from .core import (MET, NO_DATA, NOT_MET, PERIODS, Bounds, correct_latest, merge_latest, merge_supplements,
                   quarters_upto, status, value, year_quarters)
from .dossiers import DOSSIER_IDS, DossierSet
from .explanations import EXPLANATION_COLUMNS, explanations_table
from .ontrack import days_of_year_split, judge
from .others import (CATALOGUE_FLAGS, CATALOGUE_RULES, catalogue_measures, feedback_eval, feedback_measures,
                     feedback_row, flag_share, survey_eval, survey_factors, survey_measures, tasks_counts,
                     tasks_table)

__all__ = ["QuarterResults", "compute_quarter", "trend", "INDICATOR_COLUMNS", "TREND_COLUMNS", "DOSSIER_IDS",
           "MET", "NOT_MET", "NO_DATA"]

INDICATOR_COLUMNS = ["id", "name_vi", "area", "period", "numerator", "denominator", "value", "target",
                     "direction", "status", "judgement", "required"]
TREND_COLUMNS = ["quarter", "id", "name_vi", "period", "value", "target", "direction", "status", "judgement",
                 "numerator", "denominator"]
WARNING_COLUMNS = ["code", "source", "key", "message_vi"]
FLOW_SOURCES = ("dossiers", "feedback", "survey")
#: inputs whose records a later quarter's file corrects (latest row wins), by key; bo_sung is taken whole
CORRECTED = {"ho_so": "MaHoSo", "phan_anh": "MaPAKN", "khao_sat": "MaPhieu"}
STATE_SOURCES = ("catalogue", "unit_report")


@dataclass
class QuarterResults:
    quarter: str
    indicators: pd.DataFrame
    breakdowns: dict[str, pd.DataFrame]
    estimate_766: pd.DataFrame
    periods: dict[str, Period] = field(default_factory=dict)
    provisional: bool = False
    explanations: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=EXPLANATION_COLUMNS))


def later_inputs_digest(qid: str, quarters: dict[str, QuarterData]) -> str:
    """Digest of all that the files of quarters after ``qid`` bring to
    :func:`compute_quarter` ``(qid, quarters)``; the files of ``qid``'s year up
    to ``qid`` are not part of it.

    A later file enters ``qid``'s figures in two ways only: its supplement
    requests (``bo_sung``, taken whole by :func:`merge_supplements`), and its
    rows of the :data:`CORRECTED` inputs whose key the year's files up to
    ``qid`` also have (:func:`correct_latest`: they replace those records).
    The concatenation there also depends on each later table's columns,
    types, whether it has rows and which columns are blank throughout. A
    later survey form that ``qid``'s files never had changes nothing of
    ``qid`` and leaves this digest as it is, so the build keeps ``qid``'s
    figures (:func:`cchc.build.compute.compute_results`)."""
    from ..digest import value_digest

    yq = year_quarters(qid, quarters)
    later = [o for o in sort_quarters(quarters) if parse_quarter(o) > parse_quarter(qid)]
    parts = []
    for name, key in CORRECTED.items():
        # the keys of the year's records up to qid (compute_quarter's merge_latest needs the key column too)
        keys = pd.concat([quarters[o].df(name)[key] for o in yq], ignore_index=True)
        keys = keys[keys.notna()].unique()
        for o in later:
            f = quarters[o].df(name)
            shape = (o, name, list(map(str, f.columns)), [repr(t) for t in f.dtypes], len(f) > 0,
                     f.isna().all().tolist())
            rows = f.loc[f[key].isin(keys).to_numpy()].reset_index(drop=True) if key in f else None
            parts.append((shape, value_digest(rows)))
    for o in later:
        parts.append((o, "bo_sung", value_digest(quarters[o].df("bo_sung").reset_index(drop=True))))
    return value_digest(parts)


def _cutoff(qd: QuarterData):
    m = getattr(qd, "manifest", None)
    return getattr(m, "cutoff", None) if m is not None else None


def _text(x) -> str:
    return "" if x is None or (not isinstance(x, str) and pd.isna(x)) else str(x).strip()


def compute_quarter(qid: str, quarters: dict[str, QuarterData], plan: Plan) -> QuarterResults:
    parse_quarter(qid)
    if qid not in quarters:
        raise KeyError(f"quarter {qid} is not loaded")
    qd = quarters[qid]
    cutoff = _cutoff(qd)
    periods = {"quarter": quarter_period(qid, cutoff), "ytd": ytd_period(qid, cutoff)}
    bounds = {k: Bounds.of(p) for k, p in periods.items()}
    yq = year_quarters(qid, quarters)
    last = len(yq) - 1
    later = [o for o in sort_quarters(quarters) if parse_quarter(o) > parse_quarter(qid)]

    def merged(name: str) -> pd.DataFrame:  # what later files bring: see later_inputs_digest
        key = CORRECTED[name]
        df = merge_latest([quarters[o].df(name) for o in yq], [key])
        return correct_latest(df, [quarters[o].df(name) for o in later], key)

    warnings: list[dict] = []
    flows: dict[str, dict[str, tuple[int, int]]] = {k: {} for k in PERIODS}
    bd: dict[str, pd.DataFrame] = {}

    # ---- dossiers
    ho = merged("ho_so")
    bs = merge_supplements([quarters[q].df("bo_sung") for q in quarters_upto(qid, quarters) + later])
    ds = DossierSet(ho, bs)
    evs = {"quarter": ds.evaluate(ds.src == last, bounds["quarter"]), "ytd": ds.evaluate(None, bounds["ytd"])}
    for k, ev in evs.items():
        flows[k].update(ds.measures(ev))
    bd["on_time_counts"] = pd.DataFrame([ds.on_time_counts(evs[k], k) for k in PERIODS])
    for name, fn in (("by_domain", ds.by_domain), ("by_procedure", ds.by_procedure), ("by_channel", ds.by_channel)):
        bd[name] = pd.concat([fn(evs[k], k) for k in PERIODS], ignore_index=True)
    # per procedure of the quarter's catalogue ("Tra cứu thủ tục", cchc.procedures)
    bd["procedures"] = procedure_table(ds, evs, qd.df("thu_tuc"))
    y = periods["ytd"]
    bd["by_month"] = ds.by_month(evs["ytd"], bounds["ytd"], y.first_day.year, y.last_day.month)
    no_due = int(evs["ytd"]["no_due"].sum())
    if no_due:
        warnings.append({"code": "missing_due_date", "source": "ho_so", "key": "",
                         "message_vi": f"{no_due} hồ sơ trong phạm vi tính đúng hạn (lũy kế năm) không có "
                                       "NgayHenTra: được tính là trễ hạn"})

    # ---- feedback
    pa = merged("phan_anh")
    src = pa["_src"].to_numpy() if "_src" in pa else np.zeros(len(pa), np.int64)
    fev = {"quarter": feedback_eval(pa, src == last, bounds["quarter"]),
           "ytd": feedback_eval(pa, np.ones(len(pa), bool), bounds["ytd"])}
    for k in PERIODS:
        flows[k].update(feedback_measures(fev[k]))
    bd["feedback"] = pd.DataFrame([feedback_row(fev[k], k) for k in PERIODS])
    bd.update(feedback_tables(pa, fev))  # by domain and outcome, topics (cchc.feedback)

    # ---- survey
    ks = merged("khao_sat")
    src = ks["_src"].to_numpy() if "_src" in ks else np.zeros(len(ks), np.int64)
    sel = {"quarter": survey_eval(ks, src == last, bounds["quarter"]),
           "ytd": survey_eval(ks, np.ones(len(ks), bool), bounds["ytd"])}
    for k in PERIODS:
        flows[k].update(survey_measures(ks, sel[k]))
    bd["survey_factors"] = pd.DataFrame([r for k in PERIODS for r in survey_factors(ks, sel[k], k)])

    # ---- catalogue (state: the quarter's file)
    tt = qd.df("thu_tuc")
    cat, cw = catalogue_measures(tt)
    warnings += cw
    bd["catalogue"] = pd.DataFrame([{"id": i, "rule_vi": CATALOGUE_RULES[i], "numerator": n, "denominator": d,
                                     "value": value(n, d)} for i, (n, d) in cat.items()])

    # ---- unit reports (state: the quarter's file)
    bc = qd.df("bao_cao")
    bc = bc.loc[bc["MaChiTieu"].notna()].drop_duplicates("MaChiTieu", keep="last") if len(bc) else bc
    bc_by = {str(r["MaChiTieu"]).strip(): r for _, r in bc.iterrows()}

    # ---- indicators rows from the plan's targets
    targets = plan.targets
    elapsed, remaining = days_of_year_split(periods["ytd"].first_day, periods["ytd"].last_day)
    year_final = cutoff is None and remaining == 0
    rows, unit_rows, used_codes = [], [], set()
    for _, t in targets.iterrows():
        tid = _text(t.get("id"))
        source = _text(t.get("source")).lower()
        measure = _text(t.get("measure"))
        nd: dict[str, tuple] = {}
        if source in FLOW_SOURCES or (source == "" and tid in flows["quarter"]):
            key = measure if measure in flows["quarter"] else tid
            if key in flows["quarter"]:
                nd = {k: flows[k][key] for k in PERIODS}
            else:
                warnings.append({"code": "unknown_measure", "source": "targets", "key": tid,
                                 "message_vi": f"Chỉ tiêu {tid}: không biết cách tính “{measure}” từ nguồn {source}"})
        elif source == "catalogue":
            if tid in cat:
                v = cat[tid]
            elif measure in cat:
                v = cat[measure]
            elif measure in CATALOGUE_FLAGS:
                v = flag_share(tt, measure)
            else:
                v = None
                warnings.append({"code": "unknown_measure", "source": "targets", "key": tid,
                                 "message_vi": f"Chỉ tiêu {tid}: quy tắc danh mục “{measure}” chưa được hỗ trợ"})
            if v is not None:
                nd = {k: v for k in PERIODS}
        elif source == "unit_report":
            code = measure or tid
            used_codes.add(code)
            r = bc_by.get(code)
            num = den = pd.NA
            if r is not None:
                num, den = r["TuSo"], r["MauSo"]
                num = pd.NA if pd.isna(num) else int(num)
                den = pd.NA if pd.isna(den) else int(den)
                nd = {k: (num, den) for k in PERIODS}
                if not pd.isna(num) and not pd.isna(den) and num > den:
                    warnings.append({"code": "numerator_gt_denominator", "source": "bao_cao", "key": code,
                                     "message_vi": f"Chỉ tiêu {code}: tử số ({num}) lớn hơn mẫu số ({den})"})
            unit_rows.append({"id": tid, "name_vi": _text(t.get("name_vi")), "MaChiTieu": code,
                              "reported": r is not None, "TuSo": num, "MauSo": den, "value": value(num, den),
                              "DonViBaoCao": pd.NA if r is None else r.get("DonViBaoCao", pd.NA),
                              "MinhChung": pd.NA if r is None else r.get("MinhChung", pd.NA)})
        else:
            warnings.append({"code": "unknown_source", "source": "targets", "key": tid,
                             "message_vi": f"Chỉ tiêu {tid}: nguồn dữ liệu “{source}” không hợp lệ"})
        target = pd.to_numeric(pd.Series([t.get("target")]), errors="coerce").iloc[0]
        direction = _text(t.get("direction")) or ">="
        for k in PERIODS:
            num, den = nd.get(k, (pd.NA, pd.NA))
            v = value(num, den)
            jd, req = pd.NA, float("nan")
            if k == "ytd":
                j = judge(num, den, target, direction, elapsed, remaining, year_final,
                          kind="state" if source in STATE_SOURCES else "flow")
                jd, req = j.code, (float("nan") if j.required is None else j.required)
            rows.append({"id": tid, "name_vi": _text(t.get("name_vi")), "area": _text(t.get("area")), "period": k,
                         "numerator": num, "denominator": den, "value": v, "target": float(target),
                         "direction": direction, "status": status(v, target, direction),
                         "judgement": jd, "required": req})
    ind = pd.DataFrame(rows, columns=INDICATOR_COLUMNS)
    ind["numerator"] = pd.array(ind["numerator"].tolist(), dtype="Int64")
    ind["denominator"] = pd.array(ind["denominator"].tolist(), dtype="Int64")
    ind["value"] = ind["value"].astype(np.float64)
    ind["target"] = ind["target"].astype(np.float64)
    ind["required"] = ind["required"].astype(np.float64)
    for c in ("id", "name_vi", "area", "period", "direction", "status", "judgement"):
        ind[c] = ind[c].astype("string")

    explanations, ew = explanations_table(qd.df("giai_trinh"), ind)
    warnings += ew

    for code in sorted(set(bc_by) - used_codes):
        warnings.append({"code": "unknown_indicator", "source": "bao_cao", "key": code,
                         "message_vi": f"Mã chỉ tiêu {code} không có trong bảng chỉ tiêu của Kế hoạch "
                                       "(nguồn unit_report)"})
    bd["unit_reports"] = pd.DataFrame(unit_rows, columns=["id", "name_vi", "MaChiTieu", "reported", "TuSo", "MauSo",
                                                          "value", "DonViBaoCao", "MinhChung"])
    bd["unit_reports"]["TuSo"] = pd.array(bd["unit_reports"]["TuSo"].tolist(), dtype="Int64")
    bd["unit_reports"]["MauSo"] = pd.array(bd["unit_reports"]["MauSo"].tolist(), dtype="Int64")
    bd["unit_reports"]["value"] = bd["unit_reports"]["value"].astype(np.float64)

    # ---- tasks (state: the quarter's tien_do)
    tasks, tw = tasks_table(plan.tasks, qd.df("tien_do"))
    warnings += tw
    bd["tasks"] = tasks
    bd["tasks_by_area"] = tasks_counts(tasks, ["area", "area_name"] if "area_name" in tasks else ["area"])
    # grouped by the plan's lead unit under one spelling (data/plan/units.csv)
    by_unit = tasks.assign(lead_unit=tasks["lead_unit_group"]) if "lead_unit_group" in tasks else tasks
    bd["tasks_by_unit"] = tasks_counts(by_unit, ["lead_unit"])

    bd["warnings"] = pd.DataFrame(warnings, columns=WARNING_COLUMNS)
    for name, df in bd.items():
        bd[name] = df.reset_index(drop=True)

    ytd_measures = dict(flows["ytd"])
    ytd_measures.update(cat)
    est = _estimate.estimate_766(ytd_measures)
    return QuarterResults(quarter=qid, indicators=ind, breakdowns=bd, estimate_766=est, periods=periods,
                          provisional=cutoff is not None, explanations=explanations)


def trend(results: dict[str, QuarterResults]) -> pd.DataFrame:
    """Long table over quarters (quarter order, then the plan's target order)."""
    parts = []
    for q in sort_quarters(results):
        df = results[q].indicators.copy()
        df.insert(0, "quarter", q)
        parts.append(df)
    if not parts:
        return pd.DataFrame(columns=TREND_COLUMNS)
    out = pd.concat(parts, ignore_index=True)[TREND_COLUMNS]
    out["quarter"] = out["quarter"].astype("string")
    return out
