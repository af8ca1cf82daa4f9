"""The validation gate: suites in step with the contract, the bad-input
corpus (tests/bad_inputs/cases.yaml), the CLI, reports and the PII scan."""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "data" / "plan"
sys.path.insert(0, str(ROOT / "tests" / "bad_inputs"))

from corpus import build_case, cases  # noqa: E402

from cchc import contract  # noqa: E402
from cchc.validation import (  # noqa: E402
    InvalidInput,
    format_report,
    quality_summary,
    scan_site_for_pii,
    validate_all,
    validate_quarter,
    write_report,
)
from cchc.validation import core, outcomes, suite_run  # noqa: E402
from cchc.validation.checks import all_checks  # noqa: E402
from cchc.validation.pii import find_in_text  # noqa: E402

FAST_CASES = [c for c in cases() if not c.get("slow")]


def _run(case_id: str, tmp_path: Path):
    dest = tmp_path / case_id
    folder = build_case(case_id, dest)
    return validate_quarter(folder, PLAN, data_dir=dest)


# --------------------------------------------------------------------------
# Suites and levels as data
# --------------------------------------------------------------------------


def test_committed_suites_equal_regeneration(tmp_path):
    from cchc.validation import suites

    suites.write_all(tmp_path)
    for name in contract.inputs():
        committed = (ROOT / "expectations" / f"{name}.json").read_text(encoding="utf-8")
        fresh = (tmp_path / f"{name}.json").read_text(encoding="utf-8")
        assert committed == fresh, f"expectations/{name}.json is stale: run python -m cchc.validation.suites"
    assert sorted(p.stem for p in (ROOT / "expectations").glob("*.json")) == sorted(contract.inputs())


def test_every_check_id_has_a_level_and_both_texts():
    checks = all_checks()
    used = set()
    for name in contract.inputs():
        doc = json.loads((ROOT / "expectations" / f"{name}.json").read_text(encoding="utf-8"))
        used |= {e["meta"]["check"] for e in doc["expectations"]}
    src = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "cchc" / "validation").glob("*.py"))
    import re

    used |= set(re.findall(r'make_failure\(\s*"([a-z_]+)"', src))
    used |= set(re.findall(r'"(unknown_[a-z]+)"\)', src))
    missing = used - set(checks)
    assert not missing, f"check ids without an entry in checks.yaml: {missing}"
    for c in checks.values():
        assert c.level in ("error", "warning") and c.rule_vi and c.rule_en


def test_suites_cover_the_contract():
    doc = json.loads((ROOT / "expectations" / "ho_so.json").read_text(encoding="utf-8"))
    kinds = {(e["type"], e["meta"]["check"]) for e in doc["expectations"]}
    for needed in [("expect_column_to_exist", "missing_column"),
                   ("expect_column_values_to_match_regex_list", "date_format"),
                   ("expect_column_values_to_be_in_set", "allowed_values"),
                   ("expect_column_values_to_be_unique", "duplicate_id"),
                   ("expect_column_pair_values_a_to_be_greater_than_b", "due_before_received"),
                   ("expect_column_values_to_be_between", "date_window")]:
        assert needed in kinds
    text = json.dumps(doc)
    assert '"$PARAMETER": "window_start"' in text and "TrangThaiHoSo not in [1, 3]" in text


# --------------------------------------------------------------------------
# The corpus
# --------------------------------------------------------------------------


def test_corpus_is_large_enough_and_well_formed():
    all_cases = cases()
    assert len(all_cases) >= 25
    ids = [c["id"] for c in all_cases]
    assert len(ids) == len(set(ids))
    for c in all_cases:
        e = c["expect"]
        assert e["exit_code"] in (0, 2) and e["level"] in ("error", "warning", "none")
        assert (e["exit_code"] == 2) == (e["level"] == "error")


@pytest.mark.parametrize("case", FAST_CASES, ids=[c["id"] for c in FAST_CASES])
def test_corpus_case(case, tmp_path):
    qv = _run(case["id"], tmp_path)
    e = case["expect"]
    report = format_report([qv])
    exit_code = 0 if qv.ok else InvalidInput.exit_code
    assert exit_code == e["exit_code"], report
    levels = {f.level for f in qv.failures}
    worst = "error" if "error" in levels else "warning" if "warning" in levels else "none"
    assert worst == e["level"], report
    found = {f.check for f in qv.failures}
    assert set(e["checks"]) <= found, report
    for m in e.get("messages", []):
        assert m in report, f"{m!r} not in report:\n{report}"
    public = json.dumps(quality_summary(qv), ensure_ascii=False)
    for a in e.get("absent", []):
        assert a not in report and a not in public
    for a in e.get("public_absent", []):  # private report only
        assert a not in public, f"{a!r} published"
    # Public outputs carry no row numbers and no cell values.
    assert "example_rows" not in public and "example_values" not in public
    assert "partial_unexpected_list" not in public and "unexpected_list" not in public
    for f in qv.failures:
        for v in f.example_values:
            raw = json.loads(v) if v.startswith('"') else None
            if raw and len(raw) >= 4:
                assert raw not in public, f"value {raw!r} leaked into the public summary"
        assert len(f.example_rows) <= 5
    if qv.ok:
        assert qv.data is not None and qv.data.quarter == "2026Q3"


def test_personal_columns_never_survive_loading(tmp_path):
    qv = _run("pii_header", tmp_path)
    t = qv.data.tables["ho_so"]
    assert t.dropped_personal == ["Số CCCD", "Số điện thoại"]
    assert "CCCD" not in " ".join(t.raw.columns) + " ".join(t.df.columns)
    assert not t.raw.astype(str).apply(lambda s: s.str.contains("0791234567")).any().any()


def test_a_personal_column_surviving_the_loader_is_an_error(tmp_path, monkeypatch):
    import cchc.loader as loader

    real = loader.read_table

    def leaky(path, name):
        t = real(path, name)
        if name == "ho_so":
            t.raw["SoDienThoai"] = "0912345678"
        return t

    monkeypatch.setattr(loader, "read_table", leaky)
    qv = _run("valid_template", tmp_path)
    assert not qv.ok
    leak = [f for f in qv.failures if f.check == "personal_data_leak"]
    assert leak and leak[0].column == "SoDienThoai" and not leak[0].example_values
    assert "0912345678" not in format_report(qv)


def test_folder_escape_is_refused_before_touching_the_filesystem(tmp_path):
    out = validate_all(tmp_path, ["../../etc", "2026Q3/../../etc"], PLAN)
    assert all(not v.ok and v.failures[0].check == "bad_quarter_folder" for v in out)
    assert all(v.data is None and v.checks_evaluated == 1 for v in out)


def test_validate_all_and_invalid_input(tmp_path):
    build_case("valid_template", tmp_path)
    out = validate_all(tmp_path, ["2026Q3"], PLAN)
    assert out[0].ok and out[0].rows_checked["ho_so.csv"] == 5
    bad = _run("status_11", tmp_path / "x")
    err = InvalidInput([bad])
    assert err.exit_code == 2 and "TrangThaiHoSo" in str(err)


def test_one_great_expectations_context_per_process(tmp_path):
    _run("valid_template", tmp_path)
    ctx = suite_run._GX["context"]
    outcomes._MEMO.clear()
    _run("status_11", tmp_path / "again")
    assert suite_run._GX["context"] is ctx
    assert len(ctx.data_sources.all()) == 1


def test_window_parameters_follow_the_manifest():
    from datetime import date, datetime

    from cchc.model import Manifest

    p = core.window_parameters("2026Q4", Manifest("2026Q4", cutoff=date(2026, 11, 20),
                                                  exported_at=datetime(2026, 11, 21, 8)))
    assert p == {"window_start": "2024-10-01T00:00:00", "latest": "2026-11-21T08:00:00",
                 "period_end": "2026-11-20T23:59:59", "deadline_max": "2027-11-20T23:59:59"}


def test_reports(tmp_path):
    qv = _run("due_before_received", tmp_path)
    txt, js = tmp_path / "r" / "report.txt", tmp_path / "r" / "report.json"
    write_report([qv], txt, js)
    assert "Due date must be on or after the received date" in txt.read_text(encoding="utf-8")
    doc = json.loads(js.read_text(encoding="utf-8"))
    f = doc["quarters"][0]["failures"][0]
    assert f["example_rows"] == [3] and f["level"] == "error" and not doc["valid"]
    s = quality_summary(qv)
    json.dumps(s)
    ho = next(x for x in s["files"] if x["file"] == "ho_so.csv")
    assert ho["rows_checked"] == 5 and ho["checks_evaluated"] > ho["checks_passed"] > 0
    ge = s["great_expectations"]["ho_so.csv"]
    assert ge["statistics"]["unsuccessful_expectations"] == 1
    assert all(set(r["result"]) <= core_keys() for r in ge["results"])


def core_keys():
    from cchc.validation.report import _RESULT_KEEP

    return _RESULT_KEEP | {"distinct_values_checked"}


def test_warnings_are_published_as_counts(tmp_path):
    qv = _run("unknown_procedure", tmp_path)
    s = quality_summary(qv)
    assert s["ok"] and s["warnings_count"] == 1
    w = s["warnings"][0]
    assert w["count"] == 1 and "không có trong danh mục thủ tục" in w["text_vi"]
    assert "9.999" not in json.dumps(s, ensure_ascii=False)


# --------------------------------------------------------------------------
# The command line (subprocess)
# --------------------------------------------------------------------------


def _cli(*args):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "cchc.validation", *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=600)


def test_cli_exit_0_when_valid(tmp_path):
    folder = build_case("valid_template", tmp_path)
    r = _cli(folder, "--plan", PLAN)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "hợp lệ / valid" in r.stdout


@pytest.mark.slow
def test_cli_exit_2_with_messages_and_200mb_file_in_bounded_memory(tmp_path):
    """One subprocess validates the 200 MB case plus two other bad cases; its
    peak RSS (RUSAGE_CHILDREN) must stay under 3 GB."""
    huge = build_case("huge_200mb", tmp_path / "huge")
    assert (huge / "ho_so.csv").stat().st_size >= 200 * 1024 * 1024
    due = build_case("due_before_received", tmp_path / "due")
    escape = build_case("folder_escape", tmp_path / "esc")
    r = _cli(huge, due, escape, "--plan", PLAN)
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    assert r.returncode == 2, r.stdout + r.stderr
    assert "2026Q3/ho_so.csv" in r.stdout and "mixed encodings" in r.stdout
    assert ("2026Q3/ho_so.csv — cột NgayHenTra: Ngày hẹn trả phải sau hoặc bằng ngày tiếp nhận / "
            "Due date must be on or after the received date — 1 dòng / rows: 3") in r.stdout
    assert "Invalid quarter folder name" in r.stdout and "../../etc" in r.stdout
    assert peak_kib < 3 * 1024 * 1024, f"peak RSS {peak_kib / 1024:.0f} MiB"


# --------------------------------------------------------------------------
# PII scan of a built site
# --------------------------------------------------------------------------


@pytest.mark.parametrize("text,kind", [
    ("CCCD: 079123456789", "citizen_id"),
    ("<td>079123456789</td>", "citizen_id"),
    ("CMND 123456789.", "citizen_id"),
    ("SĐT 0912 345 678", "phone"),
    ("gọi 0912.345.678 nhé", "phone"),
    ("Tel:0987654321;", "phone"),
    ("+84 912-345-678", "phone"),
    ("028 3823 4567", "phone"),
    ("liên hệ nguyen.van.a@gmail.com", "email"),
])
def test_pii_positives(text, kind):
    assert [k for k, _, _ in find_in_text(text)] == [kind]


@pytest.mark.parametrize("text", [
    "1.250.000 đồng", "12.345.678.901", "0,123456789", "123456789.5", "0.8571428571",
    'd="M12.345678901,67.123456789L0,0"', "commit 4728dd3a91234567890bcdef", "fill:#123456",
    'id="clip123456789"', "2026-07-01T08:30:00+07:00", "01-07-2026 08:30", "logo@2x.png",
    "20261121080000", "1234567890", "123 456 789", "sha 0123456789abcdef0123456789abcdef01234567",
])
def test_pii_negatives(text):
    assert find_in_text(text) == []


def test_scan_site_for_pii(tmp_path):
    site = tmp_path / "site"
    (site / "data" / "2026Q3").mkdir(parents=True)
    (site / "index.html").write_text("<p>Tỷ lệ 95,5%</p>\n<p>Số tiền 1.250.000</p>\n<p>CCCD 079123456789</p>\n",
                                     encoding="utf-8")
    (site / "data" / "2026Q3" / "indicators.csv").write_text(
        "id,value\non_time,\"0,123456789\"\nx,\"0912345678\"\n", encoding="utf-8")
    (site / "chart.svg").write_text('<svg><path d="M0,123456789.5L10,20"/><rect fill="#123456"/></svg>',
                                    encoding="utf-8")
    (site / "data.json").write_text(json.dumps({"value": 0.123456789, "mail": "a.b@example.vn"}), encoding="utf-8")
    (site / "font.woff2").write_bytes(b"079123456789")  # not scanned
    found = scan_site_for_pii(site)
    got = sorted((f.file, f.line, f.kind) for f in found)
    assert got == [("data.json", 1, "email"), ("data/2026Q3/indicators.csv", 3, "phone"),
                   ("index.html", 3, "citizen_id")]
    for f in found:
        assert "079123456789" not in f.excerpt and "0912345678" not in f.excerpt and "a.b@example.vn" not in f.excerpt
        assert "*" in f.excerpt
    assert scan_site_for_pii(site, allow=("a.b@example.vn",))[0].kind != "email"


def test_scan_site_for_pii_reads_the_search_index(tmp_path):
    """Pagefind's fragments are gzip-compressed JSON: the scan decodes them."""
    import gzip

    frag = tmp_path / "site" / "pagefind" / "fragment"
    frag.mkdir(parents=True)
    (tmp_path / "site" / "index.html").write_text("<p>Tỷ lệ 95,5%</p>", encoding="utf-8")
    rec = {"url": "/2026Q3/nhiem-vu.html", "content": "Liên hệ 0912 345 678 để biết thêm.",
           "meta": {"title": "Nhiệm vụ", "kind": "Quý III/2026"}}
    (frag / "vi_abc.pf_fragment").write_bytes(gzip.compress(b"pagefind_dcd" + json.dumps(rec).encode()))
    found = scan_site_for_pii(tmp_path / "site")
    assert [(f.kind, f.line) for f in found] == [("phone", 1)]
    assert "nhiem-vu.html" in found[0].file and "0912 345 678" not in found[0].excerpt


def test_scan_site_for_pii_parts_cover_the_site_together(tmp_path):
    """Issue 15: the build scans the pages while Pagefind writes its folder,
    then the folder and its records: the two parts find exactly what the
    whole scan finds, and the pages part never opens the index's folder."""
    import gzip

    from cchc.render.search import OUTPUT_SUBDIR
    from cchc.validation.pii import INDEX_FOLDER

    assert INDEX_FOLDER == OUTPUT_SUBDIR
    site = tmp_path / "site"
    (site / "pagefind" / "fragment").mkdir(parents=True)
    (site / "index.html").write_text("<p>ĐT 0912 345 678</p>", encoding="utf-8")
    (site / "pagefind" / "pagefind-entry.json").write_text('{"note": "a.b@example.vn"}', encoding="utf-8")
    rec = {"url": "/x.html", "content": "CCCD 001203004005", "meta": {}}
    (site / "pagefind" / "fragment" / "vi_x.pf_fragment").write_bytes(
        gzip.compress(b"pagefind_dcd" + json.dumps(rec).encode()))
    pages = scan_site_for_pii(site, part="pages")
    index = scan_site_for_pii(site, part="index")
    assert [f.kind for f in pages] == ["phone"] and all(not f.file.startswith("pagefind") for f in pages)
    assert sorted(f.kind for f in index) == ["citizen_id", "email"]
    assert sorted(map(str, pages + index)) == sorted(map(str, scan_site_for_pii(site)))
    with pytest.raises(ValueError, match="part"):
        scan_site_for_pii(site, part="html")


def test_scan_site_for_pii_skips_only_texts_scanned_clean(tmp_path, monkeypatch):
    """Issue 15: with a set of texts already scanned clean, an unchanged page
    or search record is not scanned again; a changed one is, and a finding is
    never remembered as clean."""
    import gzip

    from cchc.validation import pii

    site = tmp_path / "site"
    frag = site / "pagefind" / "fragment"
    frag.mkdir(parents=True)
    (site / "a.html").write_text("<p>Tỷ lệ 95,5%</p>", encoding="utf-8")
    (site / "b.html").write_text("<p>Số tiền 1.250.000</p>", encoding="utf-8")
    rec = {"url": "/a.html", "content": "Tỷ lệ 95,5%", "meta": {"title": "A"}}
    (frag / "vi_a.pf_fragment").write_bytes(gzip.compress(b"pagefind_dcd" + json.dumps(rec).encode()))
    scanned = []
    real = pii.scan_text
    monkeypatch.setattr(pii, "scan_text", lambda text, file, **k: scanned.append(file) or real(text, file, **k))
    clean: set = set()
    assert scan_site_for_pii(site, clean=clean) == [] and len(clean) == 3 and len(scanned) == 3
    scanned.clear()
    assert scan_site_for_pii(site, clean=clean) == [] and scanned == []  # nothing changed: nothing scanned
    (site / "b.html").write_text("<p>CCCD 079123456789</p>", encoding="utf-8")
    found = scan_site_for_pii(site, clean=clean)
    assert [(f.file, f.kind) for f in found] == [("b.html", "citizen_id")] and scanned == ["b.html"]
    assert len(clean) == 3  # the page with a finding was not added
    assert [f.kind for f in scan_site_for_pii(site, clean=clean)] == ["citizen_id"]  # and is found again


def test_checks_yaml_is_plain_data():
    doc = yaml.safe_load((ROOT / "cchc" / "contract" / "checks.yaml").read_text(encoding="utf-8"))
    assert {"error", "warning"} == {c["level"] for c in doc["checks"].values()}


BATCH_PLAN_CASES = ["date_text", "flag_2", "required_blank", "payment_without_obligation"]


@pytest.mark.parametrize("case_id", BATCH_PLAN_CASES)
def test_batch_plans_give_the_same_verdict(case_id, tmp_path, monkeypatch):
    """How expectations are split into GE batches (one batch for a small
    file; grouped for a larger one; plain checks one column per batch for a
    very large one) changes the time, never the failures; and the last two
    give the same GE results too (the distinct-value format checks of the
    grouped plans report what they checked)."""
    from collections import OrderedDict

    outcomes = []
    for small_rows, large_rows in ((10**9, 10**9), (0, 10**9), (0, 0)):
        monkeypatch.setattr(suite_run, "SMALL_ROWS", small_rows)
        monkeypatch.setattr(suite_run, "LARGE_ROWS", large_rows)
        monkeypatch.setattr("cchc.validation.outcomes._MEMO", OrderedDict())  # run GE every time
        qv = _run(case_id, tmp_path / f"{small_rows}-{large_rows}")
        outcomes.append((json.dumps([f.private_dict() for f in qv.failures], ensure_ascii=False, sort_keys=True),
                         json.dumps(qv.ge_results, sort_keys=True, default=str), qv.checks_evaluated, qv.checks_passed))
    assert outcomes[0][0] != "[]"
    assert outcomes[1][0] == outcomes[0][0] and outcomes[1][2:] == outcomes[0][2:]
    assert outcomes[2] == outcomes[1]
