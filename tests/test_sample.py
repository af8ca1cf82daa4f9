"""The sample-data generator (cchc/sample.py): determinism, volumes, realism rules,
personal-data safety, the XLSX export, the deliberate probes, benchmark mode."""
from __future__ import annotations

import filecmp
import functools
import hashlib
import re
from pathlib import Path

import pandas as pd
import pytest

from cchc import sample

ROOT = Path(__file__).resolve().parents[1]
QUARTERS = sample.QUARTERS
PII_RUN = re.compile(r"\d{9,}")  # CCCD (12), CMND (9), phone numbers (10-11) all need 9+ digits


@pytest.fixture(scope="module")
def gen(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample_a")
    summary = sample.generate(out, seed=2026)
    return out, summary


@pytest.fixture(scope="module")
def gen_again(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample_b")
    sample.generate(out, seed=2026)
    return out


def _files(folder: Path) -> list[Path]:
    return sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file())


def _csv(folder: Path, qid: str, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / qid / f"{name}.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")


@functools.lru_cache(maxsize=4)
def _xlsx_values(path: Path) -> list[list]:
    from openpyxl import load_workbook

    ws = load_workbook(path, read_only=True).active
    return [list(r) for r in ws.iter_rows(values_only=True)]


def _ho_so(folder: Path, qid: str) -> pd.DataFrame:
    """ho_so with contract column names, whichever format the quarter uses."""
    if (folder / qid / "ho_so.csv").exists():
        df = _csv(folder, qid, "ho_so")
        for c in ("NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "NgayTra"):
            df[c] = pd.to_datetime(df[c].replace("", None))
        for c in ("KenhThucHien", "TrangThaiHoSo", "CoNghiaVuTaiChinh", "DuocThanhToanTrucTuyen"):
            df[c] = df[c].astype(int)
        return df
    from cchc import contract

    rows = [list(r) for r in _xlsx_values(folder / qid / "ho_so.xlsx")]
    cols = contract.columns("ho_so")
    by_header = {spec["aliases"][0]: c for c, spec in cols.items()}
    df = pd.DataFrame(rows[3:], columns=[by_header[h] for h in rows[2]])
    for c in ("NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "NgayTra"):
        df[c] = pd.to_datetime(df[c])
    df["KenhThucHien"] = df["KenhThucHien"].map({"Trực tiếp": 1, "Trực tuyến": 2, "Bưu chính công ích": 3})
    df["TrangThaiHoSo"] = df["TrangThaiHoSo"].map(cols["TrangThaiHoSo"]["value_aliases"])
    df["CoNghiaVuTaiChinh"] = df["CoNghiaVuTaiChinh"].map({"Có": 1, "Không": 0})
    df["DuocThanhToanTrucTuyen"] = df["DuocThanhToanTrucTuyen"].astype(int)
    return df


# --------------------------------------------------------------------------- determinism


def test_same_seed_same_bytes(gen, gen_again):
    a, _ = gen
    files = _files(a)
    assert files == _files(gen_again)
    assert Path("2026Q2/ho_so.xlsx") in files
    _, mismatch, errors = filecmp.cmpfiles(a, gen_again, [str(f) for f in files], shallow=False)
    assert mismatch == [] and errors == []


def test_different_seed_differs(gen, tmp_path):
    a, _ = gen
    sample.generate(tmp_path, seed=7, quarters=["2026Q1"])
    assert (tmp_path / "2026Q1" / "ho_so.csv").read_bytes() != (a / "2026Q1" / "ho_so.csv").read_bytes()
    assert "seed 7" in (tmp_path / "2026Q1" / "quarter.yml").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- layout


def test_quarter_folders(gen):
    a, _ = gen
    for qid in QUARTERS:
        names = {p.name for p in (a / qid).iterdir()}
        base = {"quarter.yml", "bo_sung.csv", "thu_tuc.csv", "phan_anh.csv", "khao_sat.csv", "tien_do.csv",
                "bao_cao.csv"}
        assert base <= names
        if qid == "2026Q2":
            assert "ho_so.xlsx" in names and "ho_so.csv" not in names
        else:
            assert "ho_so.csv" in names and "ho_so.xlsx" not in names
        text = (a / qid / "quarter.yml").read_text(encoding="utf-8")
        assert f"quarter: {qid}" in text and "sample: true" in text
        assert "không phải số liệu chính thức" in text
        assert ("cutoff: 2026-11-20" in text) == (qid == "2026Q4")
        for p in (a / qid).glob("*.csv"):
            assert p.read_bytes().startswith(b"\xef\xbb\xbf"), p


def test_xlsx_title_and_display_headers(gen):
    a, _ = gen
    rows = _xlsx_values(a / "2026Q2" / "ho_so.xlsx")
    assert rows[0][0] == "DANH SÁCH HỒ SƠ TIẾP NHẬN QUÝ II/2026 — PHƯỜNG CHƠN THÀNH"
    assert all(v is None for v in rows[1])
    assert rows[2][:3] == ["Mã hồ sơ", "Mã TTHC", "Tên TTHC"]
    assert "Ngày tiếp nhận" in rows[2] and "Hình thức nộp" in rows[2]
    ch = rows[2].index("Hình thức nộp")
    assert {r[ch] for r in rows[3:]} <= {"Trực tiếp", "Trực tuyến", "Bưu chính công ích"}
    rec = rows[2].index("Ngày tiếp nhận")
    assert any(hasattr(r[rec], "year") for r in rows[3:])  # real Excel date cells


def test_phan_anh_date_formats(gen):
    a, _ = gen
    q3 = _csv(a, "2026Q3", "phan_anh")
    assert q3["NgayTiepNhan"].str.fullmatch(r"\d{2}/\d{2}/2026 \d{2}:\d{2}").all()
    q1 = _csv(a, "2026Q1", "phan_anh")
    assert q1["NgayTiepNhan"].str.fullmatch(r"2026-\d{2}-\d{2} \d{2}:\d{2}:\d{2}").all()


# --------------------------------------------------------------------------- realism rules


def test_volumes_in_range(gen):
    a, summary = gen
    for qid in QUARTERS:
        s = summary[qid]
        assert 3000 <= s["rows"] <= 6000, (qid, s["rows"])
        assert 5 <= s["pakn"] <= 25
        assert 200 <= s["survey"] <= 600
        assert 4.5 <= s["supplement_pct"] <= 8.5
        assert 96 <= s["on_time_pct"] <= 99.5
        assert s["carried_over"] > 20
    online = [summary[q]["online_pct"] for q in QUARTERS]
    assert online == sorted(online) and 50 <= online[0] and online[-1] < 80


def test_dossier_rules(gen):
    a, _ = gen
    for qid in QUARTERS:
        h = _ho_so(a, qid)
        assert h["MaHoSo"].is_unique
        assert ((h["CoNghiaVuTaiChinh"] == 1) | (h["DuocThanhToanTrucTuyen"] == 0)).all()
        received = ~h["TrangThaiHoSo"].isin([1, 3])
        assert h.loc[received, "NgayTiepNhan"].notna().all()
        assert (h["NgayHenTra"].isna() | (h["NgayHenTra"] >= h["NgayTiepNhan"])).all()
        assert (h["NgayKetThucXuLy"].isna() | (h["NgayKetThucXuLy"] >= h["NgayTiepNhan"])).all()
        r = h["NgayTiepNhan"].dropna()
        assert r.dt.hour.between(7, 17).all()
        assert (r.dt.day_of_week < 6).all()
        assert not r.dt.strftime("%m-%d").isin(["01-01", "04-30", "05-01", "09-02"]).any()
        assert set(h["TrangThaiHoSo"]) >= {4, 9, 10}
    q4 = _ho_so(a, "2026Q4")
    limit = pd.Timestamp("2026-11-21")
    for c in ("NgayTiepNhan", "NgayKetThucXuLy", "NgayTra"):
        assert (q4[c].isna() | (q4[c] < limit)).all()


def test_carried_over_dossiers(gen):
    a, _ = gen
    q1, q2 = _ho_so(a, "2026Q1"), _ho_so(a, "2026Q2")
    open_q1 = q1[q1["NgayKetThucXuLy"].isna() & q1["TrangThaiHoSo"].isin([2, 4, 5, 6])]
    assert len(open_q1) > 20
    again = q2.set_index("MaHoSo").loc[open_q1["MaHoSo"]]
    assert (again["NgayTiepNhan"].values == open_q1["NgayTiepNhan"].values).all()
    assert again["NgayKetThucXuLy"].notna().mean() > 0.8


def test_probes_in_q3_tien_do(gen):
    a, _ = gen
    td = _csv(a, "2026Q3", "tien_do")
    assert (td["GhiChu"] == sample.XSS_PROBE).sum() == 1
    assert (td["MinhChung"] == sample.FORMULA_PROBE).sum() == 1
    for qid in ("2026Q1", "2026Q2", "2026Q4"):
        t = _csv(a, qid, "tien_do")
        assert not t["GhiChu"].str.contains("<script", regex=False).any()


def test_every_task_reported_in_q3(gen):
    tasks_csv = ROOT / "data" / "plan" / "tasks.csv"
    if not tasks_csv.exists():
        pytest.skip("data/plan/tasks.csv not built")
    a, _ = gen
    tasks = pd.read_csv(tasks_csv, dtype=str, keep_default_na=False)
    td = _csv(a, "2026Q3", "tien_do")
    assert set(tasks["id"]) == set(td["MaNhiemVu"])
    q1 = _csv(a, "2026Q1", "tien_do")
    assert 2 <= len(set(tasks["id"]) - set(q1["MaNhiemVu"])) <= 4  # "chưa báo cáo" appears


def test_no_personal_data_like_digit_runs(gen):
    a, _ = gen
    for p in a.rglob("*.csv"):
        text = p.read_text(encoding="utf-8-sig")
        assert not PII_RUN.search(text), (p, PII_RUN.search(text))
    for row in _xlsx_values(a / "2026Q2" / "ho_so.xlsx"):
        for v in row:
            if isinstance(v, str):
                assert not PII_RUN.search(v), v


# --------------------------------------------------------------------------- benchmark


def test_benchmark_mode(tmp_path):
    res = sample.generate_benchmark(tmp_path, n_dossiers=20_000, seed=1, quarter="2026Q3")
    assert res["dossiers"] == 20_000
    h = pd.read_csv(tmp_path / "2026Q3" / "ho_so.csv", usecols=["MaHoSo"], encoding="utf-8-sig")
    b = pd.read_csv(tmp_path / "2026Q3" / "bo_sung.csv", usecols=["MaHoSo"], encoding="utf-8-sig")
    assert len(h) == 20_000
    share = b["MaHoSo"].nunique() / len(h)
    assert 0.085 <= share <= 0.115, share


# --------------------------------------------------------------------------- with the loader


def test_quarters_load_with_loader(gen):
    loader = pytest.importorskip("cchc.loader")
    a, summary = gen
    for qid in QUARTERS:
        qd = loader.load_quarter(a / qid)
        assert qd.manifest.sample is True
        assert len(qd.df("ho_so")) == summary[qid]["rows"]
        h = qd.df("ho_so")
        assert h["NgayTiepNhan"].notna().sum() > 0 and h["KenhThucHien"].notna().all()
        if qid == "2026Q3":
            assert qd.df("phan_anh")["NgayTiepNhan"].notna().all()


def test_committed_sample_matches_generator(gen):
    """data/2026Qn is what ``python -m cchc.sample --out data --seed 2026`` writes."""
    a, _ = gen
    for qid in QUARTERS:
        committed = ROOT / "data" / qid
        if not committed.exists():
            pytest.skip("sample data not generated in data/")
        for f in _files(a / qid):
            assert (committed / f).exists(), f"{qid}/{f} missing: run python -m cchc.sample --out data --seed 2026"
            # Compare digests: a plain ``bytes == bytes`` failure makes pytest diff
            # megabytes with difflib, which runs for hours instead of failing.
            want = hashlib.sha256((a / qid / f).read_bytes()).hexdigest()
            got = hashlib.sha256((committed / f).read_bytes()).hexdigest()
            assert got == want, f"{qid}/{f} differs: run python -m cchc.sample --out data --seed 2026"
