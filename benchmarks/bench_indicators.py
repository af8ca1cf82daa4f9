"""Benchmark of the dossier indicators (quarter + year-to-date + breakdowns).

    .venv/bin/python benchmarks/bench_indicators.py [--sizes 10000 100000 1000000] [--reference-max 1000000]

For every size a fresh subprocess generates a synthetic quarter with numpy
(10% of dossiers with supplement requests, some with two), runs
``compute_quarter`` and reports wall time and the process's peak resident
memory (``resource.getrusage(RUSAGE_SELF).ru_maxrss``; the generated input
is included, reported separately as "input RSS"). It also runs the
row-by-row pure-Python reference of the on-time rule
(:mod:`cchc.indicators.reference`) on the same data — at every size whose
extrapolated run time is under 2 minutes — and checks that both give the
same numerator and denominator. Prints a table; asserts nothing about time.
Target: 1,000,000 dossiers in ≤ 5 s and < 2 GB peak on a 2-core machine.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QID = "2026Q1"


def generate(n: int, seed: int = 20260101):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    start = np.datetime64("2025-12-01T00:00:00", "s").astype(np.int64)
    span = 120 * 86400  # 1 Dec 2025 → end of March 2026
    tn = start + rng.integers(0, span, n)
    dur = rng.integers(1, 20, n) * 86400 + rng.integers(0, 9 * 3600, n)
    due = tn + dur
    proc = rng.gamma(2.0, 0.3, n) * dur  # most finish early, some late
    fin = tn + proc.astype(np.int64)
    unfinished = rng.random(n) < 0.08
    status = np.where(unfinished, rng.choice([2, 4, 5, 6], n), rng.choice([9, 10], n, p=[0.3, 0.7]))
    status = np.where(rng.random(n) < 0.01, rng.choice([1, 3, 7, 8], n), status)
    n_proc, n_dom = 300, 25
    pcode = rng.integers(0, n_proc, n)
    dom = pcode % n_dom
    ts = lambda a: pd.Series(a.astype("datetime64[s]").astype("datetime64[ns]"))
    fin_s = ts(fin)
    fin_s[unfinished] = pd.NaT
    tn_s = ts(tn)
    tn_s[status == 1] = pd.NaT
    codes = np.char.add("H", np.arange(n).astype(str)).astype(object)
    p_codes = np.array([f"1.{i:06d}" for i in range(n_proc)], dtype=object)
    d_codes = np.array([f"LV{i:02d}" for i in range(n_dom)], dtype=object)
    obligation = (rng.random(n) < 0.4).astype(np.int64)
    ho = pd.DataFrame({
        "MaHoSo": pd.array(codes, dtype="string"),
        "MaTTHC": pd.array(p_codes[pcode], dtype="string"),
        "TenTTHC": pd.array(np.char.add("Thủ tục ", pcode.astype(str)).astype(object), dtype="string"),
        "MaLinhVuc": pd.array(d_codes[dom], dtype="string"),
        "TenLinhVuc": pd.array(np.char.add("Lĩnh vực ", dom.astype(str)).astype(object), dtype="string"),
        "KenhThucHien": pd.array(rng.choice([1, 2, 3], n, p=[0.3, 0.65, 0.05]), dtype="Int64"),
        "NgayTiepNhan": tn_s, "NgayHenTra": ts(due), "NgayKetThucXuLy": fin_s,
        "NgayTra": pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]"),
        "TrangThaiHoSo": pd.array(status, dtype="Int64"),
        "CoNghiaVuTaiChinh": pd.array(obligation, dtype="Int64"),
        "DuocThanhToanTrucTuyen": pd.array(obligation * rng.choice([0, 1, 2], n, p=[0.2, 0.5, 0.3]), dtype="Int64"),
        "HoSoCoThanhPhanSoHoa": pd.array((rng.random(n) < 0.9).astype(np.int64), dtype="Int64"),
        "CoKetQuaDienTu": pd.array((rng.random(n) < 0.85).astype(np.int64), dtype="Int64"),
        "CoTaiSuDungDuLieu": pd.array((rng.random(n) < 0.6).astype(np.int64), dtype="Int64"),
    })
    with_sup = np.flatnonzero(rng.random(n) < 0.10)
    two = with_sup[rng.random(len(with_sup)) < 0.15]
    owners = np.concatenate([with_sup, two])
    req = tn[owners] + rng.integers(3600, 5 * 86400, len(owners))
    req[len(with_sup):] += 6 * 86400
    done = req + rng.integers(3600, 6 * 86400, len(owners))
    done_s = ts(done)
    done_s[rng.random(len(owners)) < 0.1] = pd.NaT
    bs = pd.DataFrame({"MaHoSo": pd.array(codes[owners], dtype="string"),
                       "NgayYeuCauBoSung": ts(req), "NgayHoanThanhBoSung": done_s})
    return ho, bs


def child(n: int, reference_max: int) -> dict:
    sys.path.insert(0, str(ROOT))
    import numpy as np
    import pandas as pd

    from cchc.indicators import compute_quarter
    from cchc.indicators.reference import on_time_reference
    from cchc.model import Manifest, Plan, QuarterData, Table
    from cchc.periods import quarter_period

    ho, bs = generate(n)
    tables = {name: Table(name, Path(f"{name}.csv"), df, None, np.arange(len(df)) + 2)
              for name, df in (("ho_so", ho), ("bo_sung", bs))}
    qd = QuarterData(QID, Manifest(QID), tables)
    ids = ["on_time", "online_dossiers", "online_payment", "digitized_dossiers", "e_results", "data_reuse"]
    targets = pd.DataFrame({"id": ids, "area": "II", "name_vi": ids, "target": 80, "direction": ">=", "unit": "%",
                            "source": "dossiers", "measure": ids, "headline": 1})
    plan = Plan(targets=targets, tasks=pd.DataFrame({"id": [], "area": [], "area_name": [], "lead_unit": []}))
    rss_input = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0, c0 = time.perf_counter(), time.process_time()
    res = compute_quarter(QID, {QID: qd}, plan)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # the on-time rule alone on prepared arrays (what the reference computes)
    from cchc.indicators.core import Bounds, merge_supplements
    from cchc.indicators.dossiers import DossierSet
    ds = DossierSet(ho.assign(_src=0), merge_supplements([bs]))
    t0 = time.perf_counter()
    ev = ds.evaluate(None, Bounds.of(quarter_period(QID)))
    core = time.perf_counter() - t0
    assert (int(ev["on_time"].sum()), int(ev["scope"].sum())) == tuple(
        int(x) for x in res.indicators.query("id == 'on_time' and period == 'quarter'").iloc[0][["numerator", "denominator"]])
    row = res.indicators.query("id == 'on_time' and period == 'quarter'").iloc[0]
    out = {"n": n, "supplements": len(bs), "wall": wall, "cpu": cpu, "core": core, "rss_input_mb": rss_input / 1024,
           "rss_peak_mb": rss_peak / 1024, "num": int(row["numerator"]), "den": int(row["denominator"])}
    if n <= reference_max:
        t0 = time.perf_counter()
        out["ref"] = on_time_reference(ho, bs, quarter_period(QID))
        out["ref_wall"] = time.perf_counter() - t0
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--reference-max", type=int, default=None,
                    help="largest size for the pure-Python reference (default: when extrapolated < 2 min)")
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        print(json.dumps(child(a.child, a.reference_max if a.reference_max is not None else 0)))
        return 0
    rows = []
    per_row = None  # seconds per dossier of the reference, measured at the largest size it ran
    for n in a.sizes:
        ref_max = a.reference_max
        if ref_max is None:
            ref_max = n if (per_row is None and n <= 100_000) or (per_row is not None and per_row * n < 120) else 0
        cmd = [sys.executable, __file__, "--child", str(n), "--reference-max", str(ref_max)]
        r = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT).stdout)
        if "ref_wall" in r:
            per_row = r["ref_wall"] / n
        rows.append(r)
    print(f"{'dossiers':>10} {'suppl.':>8} {'wall s':>8} {'cpu s':>7} {'rule s':>7} {'input RSS MB':>13} {'peak RSS MB':>12} "
          f"{'on_time num/den':>17} {'ref s':>8} {'speed-up':>13} {'ref equal':>9}")
    for r in rows:
        if "ref_wall" in r:
            ref_s, ratio, same = f"{r['ref_wall']:.2f}", f"{r['ref_wall'] / r['wall']:.0f}× / {r['ref_wall'] / r['core']:.0f}×", str(
                tuple(r["ref"]) == (r["num"], r["den"]))
        else:
            est = per_row * r["n"] if per_row else float("nan")
            ref_s, ratio, same = f"~{est:.0f}*", f"~{est / r['wall']:.0f}×*", "n/a"
        print(f"{r['n']:>10,} {r['supplements']:>8,} {r['wall']:>8.2f} {r['cpu']:>7.2f} {r['core']:>7.3f} {r['rss_input_mb']:>13.0f} "
              f"{r['rss_peak_mb']:>12.0f} {r['num']:>8,}/{r['den']:<8,} {ref_s:>8} {ratio:>13} {same:>9}")
    if any("ref_wall" not in r for r in rows):
        print("* reference not run at this size: time extrapolated linearly from the largest size it ran at")
    print("load average at the end:", " ".join(f"{x:.1f}" for x in __import__("os").getloadavg()))
    print("rule s = the on-time rule alone (one period) on prepared arrays; "
          "speed-up = reference ÷ wall / reference ÷ rule")
    print("wall = compute_quarter (quarter + ytd + breakdowns), one process per size; peak RSS includes the input")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
