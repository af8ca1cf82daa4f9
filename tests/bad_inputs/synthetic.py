"""Fast synthetic ho_so.csv writer (valid rows) for the 200 MB corpus case and the benchmark.

Rows are drawn from a small pool of valid row tails (everything after
MaHoSo) and written in large chunks, so a 200 MB file takes a couple of
seconds. Every row is valid for quarter 2026Q3 against the template
catalogue (tests/bad_inputs/_valid/thu_tuc.csv).
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

HEADER = ("MaHoSo,MaTTHC,TenTTHC,MaLinhVuc,TenLinhVuc,KenhThucHien,NgayTiepNhan,NgayHenTra,"
          "NgayKetThucXuLy,NgayTra,TrangThaiHoSo,CoNghiaVuTaiChinh,DuocThanhToanTrucTuyen,"
          "HoSoCoThanhPhanSoHoa,CoKetQuaDienTu,CoTaiSuDungDuLieu\n")
_PROCS = [("1.001", "Đăng ký khai sinh", "HT", "Hộ tịch", 0),
          ("1.002", "Đăng ký kết hôn", "HT", "Hộ tịch", 0),
          ("2.001", "Chứng thực bản sao từ bản chính", "CT", "Chứng thực", 1)]


def _tails(n: int, seed: int) -> list[str]:
    rnd = random.Random(seed)
    start = datetime(2026, 7, 1, 7, 30)
    out = []
    for _ in range(n):
        code, name, dom, dom_name, fee = rnd.choice(_PROCS)
        recv = start + timedelta(minutes=rnd.randrange(0, 90 * 24 * 60 - 60 * 24 * 6))
        due = recv + timedelta(days=rnd.randrange(0, 5))
        done = recv + timedelta(hours=rnd.randrange(1, 96))
        status = rnd.choice([4, 9, 10, 10, 10])
        fin = done.strftime("%d/%m/%Y %H:%M") if status != 4 else ""
        ret = (done + timedelta(hours=2)).strftime("%d/%m/%Y %H:%M") if status == 10 else ""
        pay = rnd.choice([0, 1, 2]) if fee else 0
        out.append(
            f",{code},{name},{dom},{dom_name},{rnd.choice([1, 2, 3])},{recv:%d/%m/%Y %H:%M},{due:%d/%m/%Y},"
            f"{fin},{ret},{status},{fee},{pay},{rnd.randint(0, 1)},{rnd.randint(0, 1)},{rnd.randint(0, 1)}\n"
        )
    return out


def write_ho_so(path: Path, *, rows: int | None = None, target_bytes: int | None = None,
                seed: int = 20260930, last_row: str | None = None) -> int:
    """Write a valid ho_so.csv of ``rows`` rows (or about ``target_bytes``); returns the row count.

    ``last_row``: an optional raw CSV line (without newline) appended as the final row.
    """
    tails = _tails(997, seed)
    avg = sum(len(t.encode()) for t in tails) / len(tails) + 10
    if rows is None:
        rows = int((target_bytes or 0) / avg) + 1
    path = Path(path)
    chunk = 50_000
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(HEADER)
        for lo in range(0, rows, chunk):
            hi = min(rows, lo + chunk)
            f.write("".join(f"HS{i:09d}{tails[i % 997]}" for i in range(lo, hi)))
        if last_row is not None:
            f.write(last_row + "\n")
            rows += 1
    return rows


def write_ho_so_realistic(path: Path, rows: int, seed: int = 20260930) -> int:
    """Like :func:`write_ho_so` but every row is drawn independently (distinct
    time stamps to the minute, as real exports have), built with numpy/pandas.
    Slower to write; used by the benchmark."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    start = np.datetime64("2026-07-01T07:30")
    proc = rng.integers(0, len(_PROCS), rows)
    recv = start + rng.integers(0, (90 - 6) * 24 * 60, rows).astype("timedelta64[m]")
    due = recv.astype("datetime64[D]") + rng.integers(0, 5, rows).astype("timedelta64[D]")
    done = recv + rng.integers(60, 96 * 60, rows).astype("timedelta64[m]")
    status = rng.choice(np.array([4, 9, 10, 10, 10]), rows)
    fee = np.array([p[4] for p in _PROCS])[proc]
    pay = np.where(fee == 1, rng.integers(0, 3, rows), 0)

    def fmt(a, f):
        return pd.Series(a).dt.strftime(f)

    fin = fmt(done, "%d/%m/%Y %H:%M").where(status != 4, "")
    ret = fmt(done + np.timedelta64(120, "m"), "%d/%m/%Y %H:%M").where(status == 10, "")
    df = pd.DataFrame({
        "MaHoSo": pd.Series(np.arange(rows)).map("HS{:09d}".format),
        "MaTTHC": np.array([p[0] for p in _PROCS])[proc],
        "TenTTHC": np.array([p[1] for p in _PROCS])[proc],
        "MaLinhVuc": np.array([p[2] for p in _PROCS])[proc],
        "TenLinhVuc": np.array([p[3] for p in _PROCS])[proc],
        "KenhThucHien": rng.integers(1, 4, rows),
        "NgayTiepNhan": fmt(recv, "%d/%m/%Y %H:%M"),
        "NgayHenTra": fmt(due, "%d/%m/%Y"),
        "NgayKetThucXuLy": fin,
        "NgayTra": ret,
        "TrangThaiHoSo": status,
        "CoNghiaVuTaiChinh": fee,
        "DuocThanhToanTrucTuyen": pay,
        "HoSoCoThanhPhanSoHoa": rng.integers(0, 2, rows),
        "CoKetQuaDienTu": rng.integers(0, 2, rows),
        "CoTaiSuDungDuLieu": rng.integers(0, 2, rows),
    })
    df.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    return rows
