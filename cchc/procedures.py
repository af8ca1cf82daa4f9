"""Figures per procedure of the catalogue ("Tra cứu thủ tục").

For one period (quarter or year-to-date), one row per procedure of the
period's catalogue (``thu_tuc``, the quarter's own file), with the dossiers of
that procedure (``ho_so.MaTTHC``), evaluated by the very same rules as the
plan's indicators (:class:`cchc.indicators.dossiers.DossierSet`):

* ``received`` — dossiers received in the period; ``online`` — of them filed
  online (``KenhThucHien`` = 2); ``online_value`` = 100 × online ÷ received;
* ``in_scope``, ``on_time``, ``on_time_value`` — the on-time rule of
  docs/indicators.md, per procedure;
* ``finished`` — dossiers in scope finished inside the period;
  ``workdays_median`` and ``workdays_p90`` — their processing time in working
  days (:func:`cchc.workdays.working_days`: from the day after receipt up to
  and including the finish day; 90th percentile by linear interpolation);
* ``with_supplement`` — dossiers in scope with at least one supplement
  request; ``supplement_value`` = 100 × with_supplement ÷ in_scope.

Small numbers: a figure whose own denominator is below :data:`SMALL_N`
(received for the online share, in_scope for the on-time rate and the
supplement share, finished for the processing times) is blanked (NaN) and its
``*_suppressed`` flag set; pages show "dưới 5 hồ sơ" instead. The counts stay.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .workdays import working_days

SMALL_N = 5

COLUMNS = ["period", "MaTTHC", "TenTTHC", "MaLinhVuc", "TenLinhVuc", "MucDoDVC", "CoPhiLePhi", "SoNgayGiaiQuyet",
           "received", "online", "online_value", "online_suppressed",
           "in_scope", "on_time", "on_time_value", "on_time_suppressed",
           "with_supplement", "supplement_value", "supplement_suppressed",
           "finished", "workdays_median", "workdays_p90", "workdays_suppressed"]

TITLE_VI = "Hồ sơ theo từng thủ tục hành chính (tra cứu thủ tục)"
DESCRIPTION_VI = ("Mỗi dòng là một thủ tục trong danh mục của phường, trong quý (period = quarter) và lũy kế từ "
                  "đầu năm (period = ytd): số hồ sơ tiếp nhận, tỷ lệ nộp trực tuyến, tỷ lệ giải quyết đúng hạn, "
                  "tỷ lệ hồ sơ phải bổ sung, thời gian giải quyết (trung vị và phân vị 90, ngày làm việc). "
                  "Tỷ lệ và thời gian có mẫu số dưới 5 hồ sơ được để trống (cột *_suppressed = true).")
FIELDS_VI = {
    "SoNgayGiaiQuyet": "Thời hạn giải quyết theo quy định (ngày làm việc), theo danh mục; trống khi không có",
    "MucDoDVC": "Mức độ dịch vụ công trực tuyến: toàn trình, một phần, không",
    "CoPhiLePhi": "Có phí, lệ phí (1 có, 0 không)",
    "received": "Số hồ sơ tiếp nhận trong kỳ",
    "online": "Số hồ sơ nộp trực tuyến trong kỳ",
    "online_value": "Tỷ lệ hồ sơ nộp trực tuyến (%); trống khi dưới 5 hồ sơ",
    "online_suppressed": "true = dưới 5 hồ sơ tiếp nhận, tỷ lệ được ẩn",
    "in_scope": "Số hồ sơ trong phạm vi tính đúng hạn",
    "on_time": "Số hồ sơ đúng hạn (quy tắc của chỉ tiêu on_time)",
    "on_time_value": "Tỷ lệ giải quyết đúng hạn (%); trống khi dưới 5 hồ sơ",
    "on_time_suppressed": "true = dưới 5 hồ sơ trong phạm vi, tỷ lệ được ẩn",
    "with_supplement": "Số hồ sơ (trong phạm vi) có ít nhất một yêu cầu bổ sung",
    "supplement_value": "Tỷ lệ hồ sơ phải bổ sung (%); trống khi dưới 5 hồ sơ",
    "supplement_suppressed": "true = dưới 5 hồ sơ trong phạm vi, tỷ lệ được ẩn",
    "finished": "Số hồ sơ giải quyết xong trong kỳ",
    "workdays_median": "Thời gian giải quyết, trung vị (ngày làm việc, từ ngày sau ngày tiếp nhận đến hết ngày "
                       "giải quyết xong); trống khi dưới 5 hồ sơ",
    "workdays_p90": "Thời gian giải quyết, phân vị 90 (ngày làm việc); trống khi dưới 5 hồ sơ",
    "workdays_suppressed": "true = dưới 5 hồ sơ giải quyết xong, thời gian được ẩn",
}

CATALOGUE_COLUMNS = ["MaTTHC", "TenTTHC", "MaLinhVuc", "TenLinhVuc", "MucDoDVC", "CoPhiLePhi", "SoNgayGiaiQuyet"]


def _catalogue(thu_tuc: pd.DataFrame) -> pd.DataFrame:
    cat = thu_tuc.copy()
    for c in CATALOGUE_COLUMNS:
        if c not in cat:
            cat[c] = pd.NA
    cat = cat.loc[cat["MaTTHC"].notna(), CATALOGUE_COLUMNS]
    cat["MaTTHC"] = cat["MaTTHC"].astype("string").str.strip()
    cat = cat.drop_duplicates("MaTTHC", keep="last")
    cat["CoPhiLePhi"] = pd.array(pd.to_numeric(cat["CoPhiLePhi"], errors="coerce"), dtype="Int64")
    cat["SoNgayGiaiQuyet"] = pd.array(pd.to_numeric(cat["SoNgayGiaiQuyet"], errors="coerce"), dtype="Int64")
    return cat.reset_index(drop=True)


def _per_code(codes: np.ndarray, k: int, mask: np.ndarray) -> np.ndarray:
    ok = (codes >= 0) & mask
    return np.bincount(codes[ok], minlength=k).astype(np.int64)


def procedure_figures(ds, ev: dict, thu_tuc: pd.DataFrame, period: str) -> pd.DataFrame:
    """One row per catalogue procedure for one period (see the module doc).

    ``ds``: the period's :class:`~cchc.indicators.dossiers.DossierSet`;
    ``ev``: its :meth:`~cchc.indicators.dossiers.DossierSet.evaluate` result.
    """
    from .indicators.core import values  # here: cchc.indicators imports this module

    cat = _catalogue(thu_tuc)
    k = len(ds.proc_keys)
    c = ds.proc_codes
    rec, scope, fin = ev["received"], ev["scope"], ev["finished"]
    counts = pd.DataFrame({
        "MaTTHC": pd.array([str(x).strip() for x in ds.proc_keys], dtype="string"),
        "received": _per_code(c, k, rec),
        "online": _per_code(c, k, rec & (ds.kenh == 2)),
        "in_scope": _per_code(c, k, scope),
        "on_time": _per_code(c, k, ev["on_time"]),
        "with_supplement": _per_code(c, k, scope & (ev["sup_count"] > 0)),
        "finished": _per_code(c, k, fin),
    })
    sel = fin & (c >= 0)
    days = working_days(ds.tn[sel].astype("datetime64[ns]"), ds.fin[sel].astype("datetime64[ns]"))
    g = pd.Series(days.astype(np.float64)).groupby(c[sel])
    counts["workdays_median"] = g.median().reindex(range(k)).to_numpy(np.float64)
    counts["workdays_p90"] = g.quantile(0.9, interpolation="linear").reindex(range(k)).to_numpy(np.float64)
    counts = counts.groupby("MaTTHC", as_index=False).first()  # codes differing only by spaces: first

    out = cat.merge(counts, on="MaTTHC", how="left")
    for col in ("received", "online", "in_scope", "on_time", "with_supplement", "finished"):
        out[col] = out[col].fillna(0).astype(np.int64)
    out.insert(0, "period", period)
    out["online_value"] = values(out["online"], out["received"])
    out["on_time_value"] = values(out["on_time"], out["in_scope"])
    out["supplement_value"] = values(out["with_supplement"], out["in_scope"])
    for flag, den, cols in (("online_suppressed", "received", ["online_value"]),
                            ("on_time_suppressed", "in_scope", ["on_time_value"]),
                            ("supplement_suppressed", "in_scope", ["supplement_value"]),
                            ("workdays_suppressed", "finished", ["workdays_median", "workdays_p90"])):
        small = (out[den] > 0) & (out[den] < SMALL_N)
        out[flag] = small.to_numpy(bool)
        for col in cols:
            out.loc[small | (out[den] == 0), col] = np.nan
    out = out.sort_values(["TenLinhVuc", "TenTTHC", "MaTTHC"], key=lambda s: s.astype("string").str.lower(),
                          na_position="last", kind="stable")
    return out[COLUMNS].reset_index(drop=True)


def procedure_table(ds, evs: dict, thu_tuc: pd.DataFrame) -> pd.DataFrame:
    """The ``procedures`` breakdown: :func:`procedure_figures` for each period
    of ``evs`` (``{"quarter": ev, "ytd": ev}``), documented for the open data."""
    out = pd.concat([procedure_figures(ds, ev, thu_tuc, k) for k, ev in evs.items()], ignore_index=True)
    out.attrs.update({"title_vi": TITLE_VI, "description_vi": DESCRIPTION_VI, "fields_vi": dict(FIELDS_VI)})
    return out


def write_ytd_download(results, out_dir) -> list:
    """``data/procedures.csv``: the year-to-date rows of the latest quarter's
    ``procedures`` breakdown (``results``: that quarter's QuarterResults)."""
    from . import opendata
    from .periods import quarter_label_vi

    df = results.breakdowns["procedures"]
    df = df[df["period"] == "ytd"].drop(columns=["period"]).reset_index(drop=True)
    return opendata.write_table(
        df, out_dir, "procedures", name="procedures", title_vi="Hồ sơ theo từng thủ tục, lũy kế năm",
        description_vi=(f"Lũy kế từ đầu năm đến hết {quarter_label_vi(results.quarter)}. " + DESCRIPTION_VI),
        docs=FIELDS_VI)


# --------------------------------------------------------------------------- backtest
BACKTEST_FLOATS = ["online_value", "on_time_value", "supplement_value", "workdays_median", "workdays_p90"]


def backtest_table(results: dict) -> pd.DataFrame:
    """Every quarter's ``procedures`` rows (quarter first), as pinned in
    tests/expected/backtest_procedures.csv."""
    from .periods import sort_quarters

    parts = []
    for q in sort_quarters(results):
        df = results[q].breakdowns["procedures"].drop(columns=["TenTTHC", "TenLinhVuc"]).copy()
        df.insert(0, "quarter", q)
        parts.append(df)
    out = pd.concat(parts, ignore_index=True)
    for c in out.columns:
        if c not in BACKTEST_FLOATS:
            out[c] = out[c].astype("string").fillna("")
    return out


def read_backtest(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={c: "float64" for c in BACKTEST_FLOATS} | {"MaTTHC": "string"},
                       keep_default_na=False, na_values={c: [""] for c in BACKTEST_FLOATS}).pipe(
        lambda df: df.astype({c: "string" for c in df.columns if c not in BACKTEST_FLOATS}))


def write_backtest(path, data_dir="data") -> pd.DataFrame:
    from pathlib import Path

    from .indicators.backtest import compute_all, load_all

    quarters, plan = load_all(Path(data_dir))
    t = backtest_table(compute_all(quarters, plan))
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    t.to_csv(path, index=False, float_format="%.17g", lineterminator="\n")
    return t


def main(argv=None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m cchc.procedures",
                                 description="Pin the per-procedure figures of data/ (backtest).")
    ap.add_argument("--write-backtest", required=True, help="CSV to write, e.g. tests/expected/backtest_procedures.csv")
    ap.add_argument("--data", default="data")
    args = ap.parse_args(argv)
    t = write_backtest(args.write_backtest, args.data)
    print(f"{len(t)} rows -> {args.write_backtest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
