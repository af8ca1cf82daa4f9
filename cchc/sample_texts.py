"""Staff-written texts of the sample quarters: the commentary ``nhan_xet.md``
and the explanations ``giai_trinh.csv``, consistent with the sample numbers.

Called by :func:`cchc.sample.generate` after the data files are written: the
quarters are loaded and computed like the pipeline does, then

* ``giai_trinh.csv``: one row per target the quarter's numbers judge not met,
  at risk or unreachable, with the texts of
  ``cchc/templates/sample/giai_trinh.yaml``. Deliberate probe: in
  :data:`UNEXPLAINED` one target is left without a row, so that the pages show
  "Chưa có giải trình" and the data-quality page lists it;
* ``nhan_xet.md``: ``cchc/templates/sample/nhan_xet_<YYYYQn>.md.j2``, a
  Jinja2 template of the quarter's prose whose figures come from the computed
  results (so the words always match the numbers).

Output is byte-deterministic (no clock, no randomness).
"""
from __future__ import annotations

import warnings
from datetime import date
from importlib import resources
from pathlib import Path

import jinja2
import pandas as pd
import yaml

from . import fmt
from .periods import parse_quarter, quarter_label_vi, quarter_last_day

#: quarter -> target id deliberately left without an explanation (probe)
UNEXPLAINED = {"2026Q2": "mobile_services"}
GIAI_TRINH_COLUMNS = ["MaChiTieu", "NguyenNhan", "GiaiPhap", "DonViChuTri", "ThoiHan"]


def _template_text(name: str) -> str:
    return resources.files("cchc").joinpath("templates", "sample", name).read_text(encoding="utf-8")


def explanation_texts() -> dict:
    return yaml.safe_load(_template_text("giai_trinh.yaml"))


def _deadline(kind: str, qid: str) -> date:
    y, q = parse_quarter(qid)
    if kind == "year_end" or q == 4:
        return date(y, 12, 31)
    if kind == "next_quarter_end":
        return quarter_last_day(f"{y}Q{q + 1}")
    raise ValueError(f"unknown deadline kind {kind!r} in giai_trinh.yaml")


def explanations_frame(results, qid: str) -> pd.DataFrame:
    """The sample giai_trinh rows of a quarter (contract column names)."""
    from .indicators.ontrack import NEEDS_EXPLANATION

    texts = explanation_texts()
    ind = results.indicators
    ytd = ind[(ind["period"] == "ytd") & ind["judgement"].isin(list(NEEDS_EXPLANATION))]
    rows = []
    for tid in ytd["id"].astype(str):
        if UNEXPLAINED.get(qid) == tid:
            continue
        t = {**texts["default"], **texts["targets"].get(tid, {})}
        rows.append({"MaChiTieu": tid, "NguyenNhan": t["cause"], "GiaiPhap": t["action"], "DonViChuTri": t["unit"],
                     "ThoiHan": _deadline(t["deadline"], qid).isoformat()})
    return pd.DataFrame(rows, columns=GIAI_TRINH_COLUMNS)


class _Figures:
    """What a commentary template may say about the quarter, already in words."""

    def __init__(self, results, previous, plan):
        self.r, self.prev = results, previous
        self.names = dict(zip(plan.targets["id"], plan.targets["name_vi"]))
        ind = results.indicators
        self._rows = {(i, p): r for i, p, r in zip(ind["id"], ind["period"], ind.to_dict("records"))}

    def _row(self, tid: str, period: str) -> dict:
        try:
            return self._rows[(tid, period)]
        except KeyError:
            raise KeyError(f"sample commentary: no indicator {tid!r}") from None

    def q(self, tid: str) -> str:
        return fmt.percent(self._row(tid, "quarter")["value"])

    def y(self, tid: str) -> str:
        r = self._row(tid, "ytd")
        return fmt.percent_vs_target(r["value"], r["target"], r["direction"])

    def n(self, tid: str, period: str = "quarter") -> str:
        return fmt.number(self._row(tid, period)["denominator"])

    def target(self, tid: str) -> str:
        r = self._row(tid, "ytd")
        return f"{fmt.direction_vi(r['direction'])} {fmt.number(r['target'])}%"

    def judgement(self, tid: str) -> str:
        return fmt.judgement_vi(self._row(tid, "ytd")["judgement"]).lower()

    def required(self, tid: str) -> str:
        r = self._row(tid, "ytd")
        return fmt.required_vi(r["required"], r["direction"])

    def change(self, tid: str) -> str:
        """"tăng 3,2 điểm phần trăm so với quý trước" (quarter values)."""
        if self.prev is None:
            return ""
        a = self._row(tid, "quarter")["value"]
        pr = self.prev.indicators
        b = pr[(pr["id"] == tid) & (pr["period"] == "quarter")]["value"]
        if not len(b) or pd.isna(a) or pd.isna(b.iloc[0]):
            return ""
        d = round(float(a) - float(b.iloc[0]), 1)
        if d == 0:
            return "không đổi so với quý trước"
        return f"{'tăng' if d > 0 else 'giảm'} {fmt.number(abs(d), 1)} điểm phần trăm so với quý trước"

    def received(self, period: str = "quarter") -> str:
        ch = self.r.breakdowns["by_channel"]
        return fmt.number(int(ch.loc[ch["period"] == period, "received"].sum()))

    def count(self, *codes: str) -> int:
        ind = self.r.indicators
        return int(ind[(ind["period"] == "ytd") & ind["judgement"].isin(codes)].shape[0])

    def names_of(self, *codes: str) -> str:
        ind = self.r.indicators
        ids = ind.loc[(ind["period"] == "ytd") & ind["judgement"].isin(codes), "id"].astype(str)
        return "; ".join(f"{_lower_first(self.names[i])} ({self.y(i)})" for i in ids)


def _lower_first(name: str) -> str:
    """"Hồ sơ nộp trực tuyến" -> "hồ sơ nộp trực tuyến"; "TTHC …" stays."""
    return name[:1].lower() + name[1:] if name[1:2].islower() else name


def commentary_text(qid: str, results, previous, plan) -> str:
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False)
    tpl = env.from_string(_template_text(f"nhan_xet_{qid}.md.j2"))
    p = results.periods["ytd"]
    return tpl.render(f=_Figures(results, previous, plan), quarter=quarter_label_vi(qid),
                      ytd_span=f"từ {fmt.date(p.first_day)} đến {fmt.date(p.last_day)}",
                      last_day=fmt.date(p.last_day))


def write_texts(out: Path, quarters, plan_dir: Path) -> None:
    """Write ``giai_trinh.csv`` and ``nhan_xet.md`` into each sample quarter under ``out``."""
    from .indicators import compute_quarter
    from .loader import load_quarter
    from .plan import load_plan

    out = Path(out)
    plan = load_plan(Path(plan_dir))
    available = sorted((p.name for p in out.iterdir() if (p / "quarter.yml").is_file()), key=parse_quarter)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loaded = {q: load_quarter(out / q) for q in available}
    results = {}
    for qid in available:
        upto = {o: loaded[o] for o in available if parse_quarter(o) <= parse_quarter(qid)}
        results[qid] = compute_quarter(qid, upto, plan)
    for qid in quarters:
        i = available.index(qid)
        prev = results[available[i - 1]] if i > 0 else None
        gt = explanations_frame(results[qid], qid)
        gt.to_csv(out / qid / "giai_trinh.csv", index=False, encoding="utf-8-sig", lineterminator="\n")
        (out / qid / "nhan_xet.md").write_text(commentary_text(qid, results[qid], prev, plan), encoding="utf-8")
