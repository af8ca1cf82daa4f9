"""Public downloads: CSV/JSON writers, refusals, datapackage.json (cchc/opendata.py)."""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cchc import opendata
from cchc.datapackage import validate_datapackage, write_datapackage
from cchc.opendata import (
    INDICATOR_COLUMNS, neutralise, write_quarter_downloads, write_table_csv, write_table_json,
)

BOM = b"\xef\xbb\xbf"


def read_csv_text(path: Path) -> list[list[str]]:
    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


# ------------------------------------------------------------------ neutralise

@pytest.mark.parametrize("bad", ['=HYPERLINK("http://x","y")', "+84", "-abc", "@cmd", "\tx", "\rx",
                                 "-5 ngày", "＝1+1"])
def test_neutralise_formula_prefixes(bad):
    assert neutralise(bad) == "'" + bad


@pytest.mark.parametrize("ok", ["Hộ tịch", "abc=1", "98,5%", "", " =x", "'quoted"])
def test_neutralise_leaves_plain_text(ok):
    assert neutralise(ok) == ok


def test_neutralise_leaves_non_text():
    assert neutralise(-5) == -5
    assert neutralise(None) is None


# ------------------------------------------------------------------ CSV

def sample_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "label": pd.array(["Hộ tịch", '=HYPERLINK("http://x","y")', "+84", "-abc", "@cmd", "\tx", None],
                          dtype="string"),
        "delta": pd.array([-5, 3, None, 0, -1, 2, 7], dtype="Int64"),
        "ratio": [97.12345678901234, -0.5, np.nan, 100.0, 1 / 3, -12.25, 0.1],
        "count": np.array([1, 2, 3, 4, 5, 6, 7], dtype="int64"),
        "ok": pd.array([True, False, None, True, True, False, True], dtype="boolean"),
    })


def test_csv_has_bom_and_vietnamese_round_trips(tmp_path):
    p = tmp_path / "t.csv"
    write_table_csv(sample_frame(), p)
    data = p.read_bytes()
    assert data.startswith(BOM)
    assert not data[3:].startswith(BOM)
    back = pd.read_csv(p, encoding="utf-8-sig", keep_default_na=False, dtype=str)
    assert list(back.columns) == ["label", "delta", "ratio", "count", "ok"]
    assert back.loc[0, "label"] == "Hộ tịch"
    assert "Hộ tịch".encode("utf-8") in data


def test_csv_line_endings_are_crlf_everywhere(tmp_path):
    p = tmp_path / "t.csv"
    write_table_csv(sample_frame(), p)
    data = p.read_bytes()
    assert data.count(b"\n") == data.count(b"\r\n") == 8  # header + 7 rows
    assert data.endswith(b"\r\n")


def test_csv_neutralises_text_but_not_numbers(tmp_path):
    p = tmp_path / "t.csv"
    write_table_csv(sample_frame(), p)
    rows = read_csv_text(p)
    labels = [r[0] for r in rows[1:]]
    assert labels == ["Hộ tịch", "'=HYPERLINK(\"http://x\",\"y\")", "'+84", "'-abc", "'@cmd", "'\tx", ""]
    deltas = [r[1] for r in rows[1:]]
    assert deltas == ["-5", "3", "", "0", "-1", "2", "7"]
    ratios = [r[2] for r in rows[1:]]
    assert ratios == ["97.12345678901234", "-0.5", "", "100.0", repr(1 / 3), "-12.25", "0.1"]
    # numbers still parse as numbers, full precision
    back = pd.read_csv(p, encoding="utf-8-sig")
    assert back["delta"].dropna().tolist() == [-5, 3, 0, -1, 2, 7]
    assert back["ratio"].tolist()[0] == 97.12345678901234
    assert back["ratio"].tolist()[4] == 1 / 3
    assert back["count"].dtype.kind == "i"


def test_csv_ints_stay_ints_and_missing_is_empty(tmp_path):
    p = tmp_path / "t.csv"
    write_table_csv(sample_frame(), p)
    rows = read_csv_text(p)
    assert [r[3] for r in rows[1:]] == ["1", "2", "3", "4", "5", "6", "7"]
    assert [r[4] for r in rows[1:]] == ["true", "false", "", "true", "true", "false", "true"]
    assert rows[7][0] == "" and rows[3][1] == "" and rows[3][2] == ""


def test_count_columns_with_nan_are_written_as_integers(tmp_path):
    df = pd.DataFrame({"numerator": [3.0, np.nan], "denominator": [4.0, 0.0], "value": [75.0, np.nan]})
    p = tmp_path / "t.csv"
    fields = write_table_csv(df, p)
    assert {f.name: f.type for f in fields} == {"numerator": "integer", "denominator": "integer",
                                                 "value": "number"}
    assert read_csv_text(p)[1:] == [["3", "4", "75.0"], ["", "0", ""]]


def test_csv_quotes_commas_and_newlines(tmp_path):
    df = pd.DataFrame({"t": pd.array(['a,b', 'say "hi"', "line1\nline2"], dtype="string")})
    p = tmp_path / "t.csv"
    write_table_csv(df, p)
    assert [r[0] for r in read_csv_text(p)[1:]] == ['a,b', 'say "hi"', "line1\nline2"]


def test_infinite_number_is_refused(tmp_path):
    df = pd.DataFrame({"value": [1.0, np.inf]})
    with pytest.raises(ValueError, match="value"):
        write_table_csv(df, tmp_path / "t.csv")


def test_csv_bytes_are_deterministic(tmp_path):
    write_table_csv(sample_frame(), tmp_path / "a.csv")
    write_table_csv(sample_frame(), tmp_path / "b.csv")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


# ------------------------------------------------------------------ JSON

def test_json_nulls_precision_and_order(tmp_path):
    p = tmp_path / "t.json"
    write_table_json(sample_frame(), p)
    raw = p.read_bytes()
    assert not raw.startswith(BOM)
    text = raw.decode("utf-8")
    assert "Hộ tịch" in text and "NaN" not in text
    data = json.loads(text)
    assert list(data[0]) == ["label", "delta", "ratio", "count", "ok"]
    assert data[0]["ratio"] == 97.12345678901234
    assert data[2]["ratio"] is None and data[2]["delta"] is None and data[2]["ok"] is None
    assert data[6]["label"] is None
    assert data[0]["delta"] == -5 and isinstance(data[0]["delta"], int)
    assert data[1]["label"] == '=HYPERLINK("http://x","y")'  # JSON is not neutralised
    write_table_json(sample_frame(), tmp_path / "u.json")
    assert (tmp_path / "u.json").read_bytes() == raw


# ------------------------------------------------------------------ refusals

@pytest.mark.parametrize("col", ["MaHoSo", "MaPAKN", "MaPhieu", "ma_ho_so", "Mã hồ sơ",
                                 "ChuHoSo", "SoDienThoai", "Số điện thoại", "CCCD", "DiaChi",
                                 "TrichYeuHoSo", "Email"])
def test_personal_and_row_level_columns_are_refused(tmp_path, col):
    df = pd.DataFrame({"TenLinhVuc": ["Hộ tịch"], col: ["x"]})
    for writer, name in ((write_table_csv, "t.csv"), (write_table_json, "t.json")):
        with pytest.raises(ValueError) as e:
            writer(df, tmp_path / name, table="by_domain")
        assert "by_domain" in str(e.value) and col in str(e.value)
        assert not (tmp_path / name).exists()


def test_count_like_columns_are_allowed(tmp_path):
    df = pd.DataFrame({"MaTTHC": ["1.001"], "so_phieu": [3], "TenLinhVuc": ["Hộ tịch"]})
    write_table_csv(df, tmp_path / "t.csv")


# ------------------------------------------------------------------ quarter downloads

@dataclass
class FakeResults:
    quarter: str
    indicators: pd.DataFrame
    breakdowns: dict = field(default_factory=dict)
    estimate_766: pd.DataFrame | None = None


def fake_results(qid="2026Q4") -> FakeResults:
    ind = pd.DataFrame({
        "id": ["on_time", "on_time", "satisfaction", "satisfaction"],
        "name_vi": ["Tỷ lệ hồ sơ giải quyết đúng hạn"] * 2 + ["Mức độ hài lòng"] * 2,
        "area": ["II", "II", "II", "II"],
        "period": ["quarter", "ytd", "quarter", "ytd"],
        "numerator": [97.0, 388.0, np.nan, np.nan],
        "denominator": [99.0, 400.0, 0.0, 0.0],
        "value": [100 * 97 / 99, 97.0, np.nan, np.nan],
        "target": [98.0, 98.0, 95.0, 95.0],
        "direction": [">=", ">=", ">=", ">="],
        "status": ["not_met", "not_met", "no_data", "no_data"],
        "judgement": [None, "at_risk", None, "no_data"],
        "required": [np.nan, 98.4, np.nan, np.nan],
    })
    by_domain = pd.DataFrame({
        "MaLinhVuc": ["HT", "CT"], "TenLinhVuc": ["Hộ tịch", "Chứng thực"],
        "received": [60, 39], "on_time": [58, 39], "value": [100 * 58 / 60, 100.0],
    })
    survey = pd.DataFrame({
        "factor": ["TiepCan", "ThuTuc"], "n": [12, 3], "satisfied": [11, 2],
        "value": [100 * 11 / 12, 100 * 2 / 3], "suppressed": [False, True],
    })
    est = pd.DataFrame({"group": ["Tiến độ giải quyết"], "weight": [20], "ratio": [0.97],
                        "points": [19.4], "method": ["20 × tỷ lệ đúng hạn"]})
    return FakeResults(qid, ind, {"survey_by_factor": survey, "by_domain": by_domain}, est)


def build_site(tmp_path, results=None, validate=False) -> Path:
    site_data = tmp_path / "site" / "data"
    res = []
    for r in (results or [fake_results("2026Q3"), fake_results("2026Q4")]):
        res += write_quarter_downloads(r, site_data)
    write_datapackage(site_data, res, title="Dữ liệu mở CCHC phường Chơn Thành",
                      description="Kết quả thực hiện Kế hoạch CCHC năm 2026.", version="2026.4.0",
                      sample=True, created="2026-11-21T08:00:00+07:00", validate=validate)
    return site_data


def test_quarter_downloads_files_and_resources(tmp_path):
    site_data = tmp_path / "data"
    res = write_quarter_downloads(fake_results(), site_data)
    q = site_data / "2026Q4"
    assert sorted(p.name for p in q.iterdir()) == ["by_domain.csv", "estimate_766.csv", "indicators.csv",
                                                   "indicators.json", "survey_by_factor.csv"]
    assert [r.path for r in res] == ["2026Q4/indicators.csv", "2026Q4/indicators.json", "2026Q4/by_domain.csv",
                                     "2026Q4/survey_by_factor.csv", "2026Q4/estimate_766.csv"]
    assert all(r.name == r.name.lower() for r in res)
    rows = read_csv_text(q / "indicators.csv")
    assert rows[0] == list(INDICATOR_COLUMNS)
    assert rows[1][4:6] == ["97", "99"] and rows[3][4:7] == ["", "0", ""]
    ind = next(r for r in res if r.path.endswith("indicators.csv"))
    types = {f.name: f.type for f in ind.fields}
    assert types["numerator"] == "integer" and types["value"] == "number" and types["id"] == "string"
    assert all(f.description_vi for f in ind.fields)


def test_suppressed_rows_are_blanked(tmp_path):
    site_data = tmp_path / "data"
    write_quarter_downloads(fake_results(), site_data)
    rows = read_csv_text(site_data / "2026Q4" / "survey_by_factor.csv")
    assert rows[0] == ["factor", "n", "satisfied", "value", "suppressed"]
    assert rows[1][:4] == ["TiepCan", "12", "11", repr(100 * 11 / 12)]
    assert rows[2] == ["ThuTuc", "3", "", "", "true"]


def test_indicator_columns_are_enforced(tmp_path):
    r = fake_results()
    r.indicators = r.indicators.assign(extra=1)
    with pytest.raises(ValueError, match="extra"):
        write_quarter_downloads(r, tmp_path)


def test_breakdown_with_row_level_id_is_refused(tmp_path):
    r = fake_results()
    r.breakdowns["late_dossiers"] = pd.DataFrame({"MaHoSo": ["H1"], "days_late": [3]})
    with pytest.raises(ValueError, match="late_dossiers.*MaHoSo"):
        write_quarter_downloads(r, tmp_path)


def test_unsafe_breakdown_key_is_refused(tmp_path):
    r = fake_results()
    r.breakdowns["../evil"] = pd.DataFrame({"n": [1]})
    with pytest.raises(ValueError, match="snake case"):
        write_quarter_downloads(r, tmp_path)


# ------------------------------------------------------------------ datapackage

def test_datapackage_is_valid_frictionless(tmp_path):
    site_data = build_site(tmp_path, validate=True)
    report = validate_datapackage(site_data / "datapackage.json")
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"])
    desc = json.loads((site_data / "datapackage.json").read_text(encoding="utf-8"))
    assert desc["licenses"][0]["name"] == "CC-BY-4.0"
    assert desc["sample"] is True and "DỮ LIỆU MẪU" in desc["title"]
    paths = [r["path"] for r in desc["resources"]]
    on_disk = sorted(p.relative_to(site_data).as_posix() for p in site_data.rglob("*")
                     if p.is_file() and p.name != "datapackage.json")
    assert sorted(paths) == on_disk  # every download is described
    assert paths[0].startswith("2026Q3/")
    csvs = [r for r in desc["resources"] if r["path"].endswith(".csv")]
    assert all(r["encoding"] == "utf-8-sig" and r["profile"] == "tabular-data-resource" for r in csvs)
    assert {f["type"] for r in csvs for f in r["schema"]["fields"]} <= {"string", "integer", "number", "boolean"}
    jsons = [r for r in desc["resources"] if r["path"].endswith(".json")]
    assert jsons and all(r["format"] == "json" for r in jsons)


def test_datapackage_is_deterministic(tmp_path):
    a = build_site(tmp_path / "a")
    b = build_site(tmp_path / "b", results=[fake_results("2026Q4"), fake_results("2026Q3")])
    files = sorted(p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file())
    for f in files:
        assert (a / f).read_bytes() == (b / f).read_bytes(), f


def test_validation_catches_a_broken_csv(tmp_path):
    """The frictionless check can fail: a text in an integer column is reported."""
    site_data = tmp_path / "data"
    res = write_quarter_downloads(fake_results(), site_data)
    p = site_data / "2026Q4" / "by_domain.csv"
    p.write_bytes(p.read_bytes().replace(b",60,", ",sáu mươi,".encode()))
    with pytest.raises(ValueError, match="type-error"):
        write_datapackage(site_data, res, "t", "d", "1", sample=False)
    write_datapackage(site_data, res, "t", "d", "1", sample=False, validate=False)
    report = validate_datapackage(site_data / "datapackage.json")
    assert not report.valid
    errors = [(task.name, e.type, getattr(e, "field_name", None)) for task in report.tasks for e in task.errors]
    assert ("2026q4-by-domain", "type-error", "received") in errors


def test_validation_catches_a_file_changed_after_publishing(tmp_path):
    site_data = build_site(tmp_path)
    assert validate_datapackage(site_data / "datapackage.json").valid
    p = site_data / "2026Q4" / "indicators.json"
    p.write_bytes(p.read_bytes().replace(b"not_met", b"met    "))
    report = validate_datapackage(site_data / "datapackage.json")
    assert not report.valid
    assert "hash-count" in {row[0] for row in report.flatten(["type"])}


def test_undescribed_download_is_refused(tmp_path):
    site_data = tmp_path / "data"
    res = write_quarter_downloads(fake_results(), site_data)
    (site_data / "2026Q4" / "stray.csv").write_text("a\n1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="stray.csv"):
        write_datapackage(site_data, res, "t", "d", "1", sample=False, validate=False)


# ------------------------------------------------------------------ data quality download

def test_validation_download_keeps_scalar_aggregates_only(tmp_path):
    quality = {"checks": [
        {"check": "personal_data_dropped", "level": "warning", "count": 2, "rule_vi": "Cột cá nhân đã loại bỏ",
         "examples": ["HS001", "HS002"]},
        {"check": "late_date", "level": "warning", "count": 1, "rule_vi": "-ngày sai", "examples": []},
    ]}
    res = write_quarter_downloads(fake_results(), tmp_path)
    res += opendata.write_validation_download("2026Q4", quality, tmp_path)
    rows = read_csv_text(tmp_path / "2026Q4" / "data_quality.csv")
    assert rows[0] == ["check", "level", "count", "rule_vi"]
    assert rows[2] == ["late_date", "warning", "1", "'-ngày sai"]
    assert b"HS001" not in (tmp_path / "2026Q4" / "data_quality.csv").read_bytes()
    write_datapackage(tmp_path, res, sample=False)  # defaults for title/description/version; validates
    desc = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    assert desc["version"] == "2026.4.0" and desc["sample"] is False


@pytest.mark.parametrize("quality", [{}, None, {"personal_data_dropped": 2, "ok": True},
                                     {"a": {"level": "warning", "count": 3}}])
def test_validation_download_accepts_summary_shapes(tmp_path, quality):
    res = opendata.write_validation_download("2026Q4", quality, tmp_path)
    assert [r.path for r in res] == ["2026Q4/data_quality.csv"]
    write_datapackage(tmp_path, res)


def test_warning_naming_a_dossier_is_refused(tmp_path):
    ok = pd.DataFrame({"code": ["full_online_not_eligible"], "source": ["thu_tuc"], "key": ["T3"],
                       "message_vi": ["TTHC T3 …"]})
    write_table_csv(ok, tmp_path / "warnings.csv")
    bad = pd.DataFrame({"code": ["x"], "source": ["ho_so"], "key": ["HS-0001"], "message_vi": ["…"]})
    with pytest.raises(ValueError, match="ho_so"):
        write_table_csv(bad, tmp_path / "warnings2.csv")


def test_known_resources_are_not_validated_again(tmp_path, monkeypatch):
    """Issue 15: a download whose descriptor (bytes, SHA-256, schema) was
    already found valid is not read again; a changed one is, and its error
    still stops the package."""
    import frictionless

    site_data = tmp_path / "data"
    res = write_quarter_downloads(fake_results(), site_data)
    known: set = set()
    calls = []
    real = frictionless.Resource.validate

    def counting(self, *a, **k):
        calls.append(self.name)
        return real(self, *a, **k)

    monkeypatch.setattr(frictionless.Resource, "validate", counting)
    write_datapackage(site_data, res, "t", "d", "1", sample=False, known=known)
    assert len(known) == len(res) + 1 and len(calls) == len(res)  # each resource and the package's shape
    calls.clear()
    write_datapackage(site_data, res, "t", "d", "1", sample=False, known=known)
    assert calls == []  # nothing changed: nothing read
    p = site_data / "2026Q4" / "by_domain.csv"
    p.write_bytes(p.read_bytes().replace(b",60,", ",sáu mươi,".encode()))
    with pytest.raises(ValueError, match="type-error"):
        write_datapackage(site_data, res, "t", "d", "1", sample=False, known=known)
    assert calls == ["2026q4-by-domain"]
    assert len(known) == len(res) + 1  # the broken file's descriptor was not added
    # the package's own metadata is still checked when every resource is known
    bad = json.loads((site_data / "datapackage.json").read_text(encoding="utf-8"))
    bad["name"] = "Không hợp lệ!"
    (site_data / "datapackage.json").write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    assert not validate_datapackage(site_data / "datapackage.json", known).valid
