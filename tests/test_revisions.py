"""Issue 10, item 2: a later quarter's file that changes a row an earlier
quarter published is detected, applied everywhere (latest row wins), and
published as a revision; a change that looks like a mistake stops the build."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from cchc import fmt
from cchc import revisions as R
from cchc import suppression
from cchc.indicators import compute_quarter
from indicator_helpers import dossier, plan, quarter

Q1, Q2, Q3 = "2026Q1", "2026Q2", "2026Q3"


def nd(res, tid, period="quarter"):
    df = res.indicators
    r = df[(df["id"] == tid) & (df["period"] == period)].iloc[0]
    return (None if pd.isna(r["numerator"]) else int(r["numerator"]),
            None if pd.isna(r["denominator"]) else int(r["denominator"]))


# the example of the issue: finished late in Q2's file, on time in Q3's
LATE = dossier("A", tn="2026-05-04 08:00", due="2026-05-10 17:00", fin="2026-05-12 09:00", status=10)
FIXED = dossier("A", tn="2026-05-04 08:00", due="2026-05-10 17:00", fin="2026-05-09 09:00", status=10)
B = dossier("B", tn="2026-05-05 08:00", due="2026-05-12 17:00", fin="2026-05-06 09:00", status=10)
C = dossier("C", tn="2026-08-05 08:00", due="2026-08-12 17:00", fin="2026-08-06 09:00", status=10)


def _three():
    return {Q2: quarter(Q2, ho_so=[LATE, B]), Q3: quarter(Q3, ho_so=[FIXED, C])}


def test_correction_is_detected_with_files_rows_and_fields():
    ch = R.detect_changes(_three())
    assert not ch.mistakes
    rows = ch.rows
    assert len(rows) == 1
    r = rows.iloc[0]
    assert (r["quarter"], r["table"], r["key"], r["kind"]) == (Q2, "ho_so", "A", "correction")
    assert r["fields"] == "NgayKetThucXuLy"
    assert (r["old_file"], r["old_row"], r["new_file"], r["new_row"]) == (f"{Q2}/ho_so.csv", 2, f"{Q3}/ho_so.csv", 2)


def test_latest_row_wins_for_every_period_of_every_quarter():
    qs = _three()
    p = plan()
    r2, r3 = compute_quarter(Q2, qs, p), compute_quarter(Q3, qs, p)
    # Q2's own page now counts A as on time, as Q3's year-to-date does: same rows everywhere
    assert nd(r2, "on_time") == (2, 2)
    assert nd(r2, "on_time", "ytd") == (2, 2)
    assert nd(r3, "on_time", "ytd") == (3, 3)
    # and it is exactly what Q2 would give had its own file carried the corrected row
    alone = compute_quarter(Q2, {Q2: quarter(Q2, ho_so=[FIXED, B])}, p)
    pd.testing.assert_frame_equal(r2.indicators, alone.indicators)
    # without the later file, Q2's own files gave 1 of 2
    assert nd(compute_quarter(Q2, {Q2: qs[Q2]}, p), "on_time") == (1, 2)


def test_progress_of_an_unfinished_dossier_is_an_update_not_a_revision():
    open_q2 = dossier("A", tn="2026-06-20 08:00", due="2026-07-10 17:00", fin=None, status=4)
    done_q3 = dossier("A", tn="2026-06-20 08:00", due="2026-07-10 17:00", fin="2026-07-03 09:00", status=10,
                      CoKetQuaDienTu=1)
    qs = {Q2: quarter(Q2, ho_so=[open_q2]), Q3: quarter(Q3, ho_so=[done_q3])}
    ch = R.detect_changes(qs)
    assert ch.rows["kind"].tolist() == ["update"]
    p = plan()
    cur = suppression.apply({q: compute_quarter(q, qs, p) for q in qs}, p)
    base = suppression.apply({q: compute_quarter(q, {o: qs[o] for o in qs if o <= q}, p) for q in qs}, p)
    assert R.figure_revisions(cur, {Q2: base[Q2]}, p, ch.rows).empty


def test_a_finish_date_recorded_late_is_a_correction():
    open_q2 = dossier("A", tn="2026-06-20 08:00", due="2026-07-10 17:00", fin=None, status=4)
    done_in_q2 = dossier("A", tn="2026-06-20 08:00", due="2026-07-10 17:00", fin="2026-06-25 09:00", status=10)
    ch = R.detect_changes({Q2: quarter(Q2, ho_so=[open_q2]), Q3: quarter(Q3, ho_so=[done_in_q2])})
    assert ch.rows["kind"].tolist() == ["correction"]


@pytest.mark.parametrize("table, old, new", [
    ("phan_anh", {"MaPAKN": "P", "NgayTiepNhan": "2026-05-02", "HanXuLy": "2026-05-20", "NgayXuLy": "2026-05-25",
                  "HaiLong": 0},
     {"MaPAKN": "P", "NgayTiepNhan": "2026-05-02", "HanXuLy": "2026-05-20", "NgayXuLy": "2026-05-18",
      "HaiLong": 1}),
    ("khao_sat", {"MaPhieu": "K", "NgayKhaoSat": "2026-05-02", "HaiLongChung": 2},
     {"MaPhieu": "K", "NgayKhaoSat": "2026-05-02", "HaiLongChung": 5}),
])
def test_feedback_and_survey_changes_are_corrections(table, old, new):
    ch = R.detect_changes({Q2: quarter(Q2, **{table: [old]}), Q3: quarter(Q3, **{table: [new]})})
    assert ch.rows["kind"].tolist() == ["correction"] and ch.rows["table"].tolist() == [table]


def test_supplement_requests_removed_or_backdated_are_corrections():
    s = {"MaHoSo": "A", "NgayYeuCauBoSung": "2026-05-05 08:00", "NgayHoanThanhBoSung": "2026-05-07 08:00"}
    s2 = {"MaHoSo": "A", "NgayYeuCauBoSung": "2026-05-08 08:00", "NgayHoanThanhBoSung": "2026-05-09 08:00"}
    later = {"MaHoSo": "A", "NgayYeuCauBoSung": "2026-07-08 08:00", "NgayHoanThanhBoSung": None}
    ch = R.detect_changes({Q2: quarter(Q2, bo_sung=[s, s2]), Q3: quarter(Q3, bo_sung=[s])})
    assert ch.rows[["table", "kind"]].values.tolist() == [["bo_sung", "correction"]]
    ch = R.detect_changes({Q2: quarter(Q2, bo_sung=[s]), Q3: quarter(Q3, bo_sung=[s, later])})
    assert ch.rows["kind"].tolist() == ["update"]


def test_mistakes_name_both_files_and_rows():
    moved = dossier("A", tn="2026-05-04 08:00", due="2026-05-10 17:00", fin="2026-05-09 09:00", status=10,
                    MaTTHC="P9")
    ch = R.detect_changes({Q2: quarter(Q2, ho_so=[B, LATE]), Q3: quarter(Q3, ho_so=[C, moved])})
    assert len(ch.mistakes) == 1
    m = ch.mistakes[0]
    assert "2026Q2/ho_so.csv dòng / row 3" in m and "2026Q3/ho_so.csv dòng / row 3" in m and "MaTTHC" in m
    before = dossier("A", tn="2026-05-04 08:00", due="2026-05-10 17:00", fin="2026-05-01 09:00", status=10,
                     NgayTiepNhan=None)
    ch = R.detect_changes({Q2: quarter(Q2, ho_so=[LATE]), Q3: quarter(Q3, ho_so=[before])})
    assert len(ch.mistakes) == 1 and "trước ngày tiếp nhận" in ch.mistakes[0] and "receipt" in ch.mistakes[0]
    assert "2026Q2/ho_so.csv" in R.mistake_message(ch.mistakes)


def _revisions(qs, release=None):
    p = plan()
    cur = suppression.apply({q: compute_quarter(q, qs, p) for q in qs}, p)
    base = suppression.apply({q: compute_quarter(q, {o: qs[o] for o in qs if o <= q}, p) for q in qs}, p)
    ch = R.detect_changes(qs)
    return cur, R.figure_revisions(cur, {q: base[q] for q in sorted(qs)[:-1]}, p, ch.rows, release)


def test_figure_revisions_old_from_own_files_with_reason():
    cur, rev = _revisions(_three())
    assert list(rev.columns) == R.REVISION_COLUMNS
    on_time = rev[rev["indicator_id"] == "on_time"].set_index("period")
    assert set(on_time.index) == {"quarter", "ytd"} and set(rev["quarter"]) == {Q2}
    q = on_time.loc["quarter"]
    assert (q["old_numerator"], q["old_denominator"], q["new_numerator"], q["new_denominator"]) == (1, 2, 2, 2)
    assert math.isclose(q["old_value"], 50.0) and math.isclose(q["new_value"], 100.0)
    assert "tệp 2026Q3/ho_so.csv sửa 1 hồ sơ đã công bố (NgayKetThucXuLy)" in q["reason"]


def test_release_log_old_values_come_from_the_last_release(tmp_path):
    qs = _three()
    cur, rev = _revisions(qs)
    figures = R.indicator_table(cur)
    first = R.write_release(tmp_path, "2026-10-02", figures, rev)
    assert first.name == "2026-10-02" and (first / "indicators.csv").is_file()
    rel = R.read_latest_release(tmp_path)
    assert R.same_figures(rel.indicators, figures)
    # same data again: nothing new, the log is the release's
    _, again = _revisions(qs, rel)
    assert again.empty
    assert len(R.cumulative(rel.revisions, again)) == len(rev)
    # Q3's export replaced: B is now late too; old = what the release published
    late_b = dict(B, NgayKetThucXuLy="2026-05-20 09:00")
    qs2 = {Q2: qs[Q2], Q3: quarter(Q3, ho_so=[FIXED, C, late_b])}
    cur2, rev2 = _revisions(qs2, rel)
    q = rev2[(rev2["quarter"] == Q2) & (rev2["indicator_id"] == "on_time") & (rev2["period"] == "quarter")].iloc[0]
    assert (q["old_numerator"], q["new_numerator"]) == (2, 1)
    log = R.cumulative(rel.revisions, rev2)
    assert len(log) == len(rev) + len(rev2)
    second = R.write_release(tmp_path, "2026-10-02", R.indicator_table(cur2), log)
    assert second.name == "2026-10-02-2"
    assert R.read_latest_release(tmp_path).name == "2026-10-02-2"
    assert len(R.read_latest_release(tmp_path).revisions) == len(log)


def test_reason_when_no_row_change_explains_it():
    """A figure that changed with no row change of its source (another input
    changed, or the quarter's files were replaced) still gets a reason."""
    survey_only = R.detect_changes({Q2: quarter(Q2, khao_sat=[{"MaPhieu": "K", "NgayKhaoSat": "2026-05-02",
                                                              "HaiLongChung": 2}]),
                                    Q3: quarter(Q3, khao_sat=[{"MaPhieu": "K", "NgayKhaoSat": "2026-05-02",
                                                              "HaiLongChung": 5}])}).rows
    assert len(survey_only) == 1
    text = R._reason(Q3, "ytd", "dossiers", survey_only, "2026-10-02", {})
    assert "so với bản công bố ngày 2026-10-02" in text
    text = R._reason(Q2, "quarter", "dossiers", survey_only.iloc[0:0], None, {})
    assert "so với tệp của chính quý này" in text


def test_change_counts_publish_no_codes():
    counts = R.change_counts(R.detect_changes(_three()).rows)
    assert "key" not in counts.columns and counts["records"].tolist() == [1]


# ------------------------------------------------------------ through pipeline.py build
def _tree(folder):
    import hashlib

    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _run(*args, cache):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "CCHC_CACHE_DIR": str(cache), "PYTHONWARNINGS": "ignore"}
    return subprocess.run([sys.executable, str(root / "pipeline.py"), *args], capture_output=True, text=True,
                          env=env, timeout=900, cwd=root)


def _correcting_data(data):
    """Sample 2026Q2 + 2026Q3 where Q3's ho_so brings back a dossier that Q2's
    file records as finished late, with an on-time finish date."""
    from cchc import sample

    sample.generate(data, seed=11, quarters=[Q2, Q3], dossiers_per_quarter=150, xlsx_quarter=None)
    q2 = pd.read_csv(data / Q2 / "ho_so.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    fin, due = pd.to_datetime(q2["NgayKetThucXuLy"], errors="coerce"), pd.to_datetime(q2["NgayHenTra"],
                                                                                     errors="coerce")
    late = q2[(fin > due) & (fin < pd.Timestamp("2026-06-20")) & (due > pd.Timestamp("2026-04-05"))
              & (q2["TrangThaiHoSo"] == "10")]
    supplemented = set(pd.read_csv(data / Q2 / "bo_sung.csv", dtype=str, encoding="utf-8-sig")["MaHoSo"])
    late = late[~late["MaHoSo"].isin(supplemented)]
    assert len(late), "the sample must have a dossier finished late in Q2"
    row = late.iloc[[0]].copy()
    row["NgayKetThucXuLy"] = (due[row.index[0]] - pd.Timedelta(hours=2)).strftime("%Y-%m-%d %H:%M:%S")
    if "NgayTra" in row:
        row["NgayTra"] = row["NgayKetThucXuLy"]
    path = data / Q3 / "ho_so.csv"
    q3 = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    q3 = pd.concat([q3, row[q3.columns]], ignore_index=True)
    q3.to_csv(path, index=False, encoding="utf-8-sig")
    return row.iloc[0]["MaHoSo"], len(q3) + 1, int(late.index[0]) + 2


def test_pipeline_publishes_revisions_keeps_release_and_refuses_mistakes(tmp_path):
    import csv
    import shutil

    data, site, cache = tmp_path / "data", tmp_path / "site", tmp_path / "cache"
    code, q3_row, q2_row = _correcting_data(data)
    r = _run("build", "--data", str(data), "--site", str(site), "--jobs", "2", cache=cache)
    assert r.returncode == 0, r.stdout + r.stderr

    with open(site / "data" / "revisions.csv", encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == R.REVISION_COLUMNS
        rows = list(reader)
    on_time = [x for x in rows if x["quarter"] == Q2 and x["indicator_id"] == "on_time" and x["period"] == "quarter"]
    assert len(on_time) == 1
    x = on_time[0]
    assert int(x["new_numerator"]) == int(x["old_numerator"]) + 1 and x["new_denominator"] == x["old_denominator"]
    assert "2026Q3/ho_so.csv sửa 1 hồ sơ" in x["reason"] and code not in x["reason"]
    # Q2's own page now shows the corrected figure, the same rows as Q3's year-to-date
    with open(site / "data" / Q2 / "indicators.csv", encoding="utf-8-sig", newline="") as f:
        q2_on_time = next(y for y in csv.DictReader(f) if y["id"] == "on_time" and y["period"] == "quarter")
    assert q2_on_time["numerator"] == x["new_numerator"]
    # so does Q2's quarterly report (DOCX): the same corrected rows as the pages
    from report_helpers import appendix_figures

    with open(site / "data" / Q2 / "indicators.csv", encoding="utf-8-sig", newline="") as f:
        name = next(y["name_vi"] for y in csv.DictReader(f) if y["id"] == "on_time")
    q_row, _ = appendix_figures(site / Q2 / f"bao-cao-cchc-{Q2}.docx", name)
    assert q_row[3] == fmt.number(int(x["new_numerator"])) and q_row[4] == fmt.number(int(x["new_denominator"]))
    page = (site / "lich-su-dieu-chinh.html").read_text(encoding="utf-8")
    assert "Lịch sử điều chỉnh số liệu" in page and "Quý II/2026: đã điều chỉnh" in page and code not in page
    for slug in ("index", "ho-so", "hai-long"):
        q2_page = (site / Q2 / f"{slug}.html").read_text(encoding="utf-8")
        assert "đã điều chỉnh" in q2_page and "lich-su-dieu-chinh.html#dieu-chinh-2026q2" in q2_page
    assert "đã điều chỉnh" not in (site / Q3 / "index.html").read_text(encoding="utf-8")
    datapackage = (site / "data" / "datapackage.json").read_text(encoding="utf-8")
    assert '"revisions.csv"' in datapackage
    # the release log
    kept = sorted((data / "releases").iterdir())
    assert [p.name for p in kept] == [kept[0].name] and (kept[0] / "indicators.csv").is_file()
    release = R.read_latest_release(data)
    assert len(release.revisions) == len(rows)

    # the same data again: nothing changes, no new release
    published = _tree(site)
    r = _run("build", "--data", str(data), "--site", str(site), "--jobs", "2", cache=cache)
    assert r.returncode == 0, r.stderr
    assert "nothing changed" in r.stdout and _tree(site) == published
    assert len(list((data / "releases").iterdir())) == 1

    # a change that looks like a mistake: the dossier's procedure changes → exit 2, both files and rows named
    bad = tmp_path / "bad"
    shutil.copytree(data, bad)
    path = bad / Q3 / "ho_so.csv"
    q3 = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    other = next(p for p in q3["MaTTHC"] if p != q3.loc[q3["MaHoSo"] == code, "MaTTHC"].iloc[0])
    q3.loc[q3["MaHoSo"] == code, "MaTTHC"] = other
    q3.to_csv(path, index=False, encoding="utf-8-sig")
    r = _run("build", "--data", str(bad), "--site", str(site), "--jobs", "2", cache=cache)
    assert r.returncode == 2, r.stdout + r.stderr
    assert f"2026Q2/ho_so.csv dòng / row {q2_row}" in r.stderr and f"2026Q3/ho_so.csv dòng / row {q3_row}" in r.stderr
    assert "MaTTHC" in r.stderr
    assert _tree(site) == published
    assert not list(tmp_path.glob(".site.new-*"))


def test_page_keys_follow_shown_figures_and_the_quarters_own_files(tmp_path, monkeypatch):
    """The notebook cache key of a quarter's pages: what they show (the
    corrected, suppressed figures) and the quarter's own files (manifest, staff
    texts), not the later files that made the figures — a later quarter that
    corrects nothing leaves earlier pages cached; an edited quarter.yml of the
    quarter, with the same figures, does not."""
    from types import SimpleNamespace

    from cchc.build import contexts as C
    from cchc.build.options import BuildOptions

    q2 = quarter(Q2, ho_so=[dossier("HS1", "2026-04-01", "2026-04-10", "2026-04-09")])
    res = {Q2: compute_quarter(Q2, {Q2: q2}, plan())}
    stub = SimpleNamespace(revisions=None)
    monkeypatch.setattr(C, "make_contexts", lambda *a, **k: (SimpleNamespace(contact=None), {Q2: stub}))
    opts = BuildOptions(data_dir=tmp_path, site_dir=tmp_path / "site")
    cfg = {"quarter_pages": []}

    def key(digest, results):
        verdicts = {Q2: SimpleNamespace(digest=digest, quality={})}
        return C.write_contexts(opts, cfg, [Q2], verdicts, results, {}, plan(), "c", {})[Q2][1]

    assert key("files-a", res) == key("files-a", {Q2: compute_quarter(Q2, {Q2: q2}, plan())})
    assert key("files-a", res) != key("files-b", res)  # the quarter's own files changed (e.g. quarter.yml)
    later = quarter(Q3, ho_so=[dossier("HS1", "2026-04-01", "2026-04-10", "2026-04-12")])
    corrected = {Q2: compute_quarter(Q2, {Q2: q2, Q3: later}, plan())}
    assert key("files-a", res) != key("files-a", corrected)  # a later file corrected what the pages show
