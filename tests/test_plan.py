"""The plan as data: extraction of the appendix, curated targets, load_plan."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from cchc import plan
from cchc.model import Plan

PLAN_DIR_FOR_UNITS = Path(__file__).resolve().parent.parent / "data" / "plan"

# Activity rows per area, counted by reading the appendix table of
# data/plan/source/ke-hoach-cchc-2026.md (rows with text in "Hoạt động";
# the III.2 cell with two <p> paragraphs is one activity; the shifted row of
# area IV counts once).
EXPECTED_PER_AREA = {"I": 8, "II": 21, "III": 2, "IV": 6, "V": 7, "VI": 12, "VII": 7}


@pytest.fixture(scope="module")
def seed() -> str:
    return plan.read_seed()


@pytest.fixture(scope="module")
def seed_norm(seed) -> str:
    return plan.normalize_text(seed)


@pytest.fixture(scope="module")
def tasks(seed) -> pd.DataFrame:
    return plan.extract_tasks(seed)


@pytest.fixture(scope="module")
def targets(seed, tasks) -> pd.DataFrame:
    return plan.build_targets(seed, tasks)


def _task(tasks, task_id) -> pd.Series:
    return tasks.set_index("id").loc[task_id]


# ---------------------------------------------------------------- tasks


def test_total_and_per_area_counts(tasks):
    assert len(tasks) == 63
    assert tasks["area"].value_counts().to_dict() == EXPECTED_PER_AREA
    assert list(tasks.columns) == plan.TASK_COLUMNS


def test_ids_unique_stable_and_in_order(tasks):
    assert tasks["id"].is_unique
    assert tasks["id"].str.fullmatch(r"(I|II|III|IV|V|VI|VII)\.\d{2}").all()
    for area, group in tasks.groupby("area", sort=False):
        assert (group["id"].str.split(".").str[0] == area).all()
        assert group["id"].tolist() == [f"{area}.{i:02d}" for i in range(1, len(group) + 1)]
    assert tasks["area"].drop_duplicates().tolist() == list(plan.AREAS)


def test_every_activity_is_verbatim_seed_text(tasks, seed_norm):
    for row in tasks.itertuples():
        assert row.activity == plan.normalize_text(row.activity)
        assert "<" not in row.activity and ">" not in row.activity
        assert row.activity in seed_norm, row.id


def test_no_html_and_normalised_whitespace_anywhere(tasks):
    for col in plan.TASK_COLUMNS:
        values = tasks[col].dropna()
        assert not values.str.contains(r"<[^>]+>").any(), col
        assert (values == values.str.strip()).all(), col
        assert not values.str.contains(r"\s{2}|[\t\n]").any(), col


def test_no_empty_lead_or_timing(tasks):
    for col in ("objective", "task", "activity", "product", "lead_unit", "timing"):
        assert (tasks[col].fillna("").str.strip() != "").all(), col


def test_area_names(tasks):
    names = tasks.drop_duplicates("area").set_index("area")["area_name"].to_dict()
    assert names == {
        "I": "Cải cách thể chế",
        "II": "Cải cách thủ tục hành chính",
        "III": "Cải cách tổ chức bộ máy",
        "IV": "Cải cách chế độ công chức công vụ",
        "V": "Cải cách tài chính công",
        "VI": "Xây dựng, phát triển chính quyền điện tử, chính quyền số",
        "VII": "Chỉ đạo điều hành cải cách hành chính",
    }


def test_shifted_area_iv_row_is_repaired(tasks):
    row = _task(tasks, "IV.06")
    assert row["activity"].startswith("Thực hiện quy định, tăng cường minh bạch, ứng dụng công nghệ thông tin")
    assert row["activity"].endswith("thăng hạng viên chức theo thẩm quyền quy định.")
    assert row["product"] == "Quy định, quy chế"
    assert row["lead_unit"] == "Phòng Văn hóa - Xã hội"
    assert row["cooperating_units"] == "Các cơ quan, đơn vị"
    assert row["timing"] == "Hàng năm"
    assert row["objective_no"] == "1"
    assert row["objective"] == _task(tasks, "IV.01")["objective"]
    assert row["task"] == _task(tasks, "IV.05")["task"]
    assert row["task"].startswith("Cơ cấu, sắp xếp đội ngũ công chức, viên chức đúng tiêu chuẩn")
    # the repaired text is no longer an objective anywhere
    assert not tasks["objective"].str.startswith("Thực hiện quy định, tăng cường minh bạch").any()


def test_continuation_rows_are_merged(tasks):
    obj = _task(tasks, "II.10")["objective"]
    assert obj == (
        "Mức độ hài lòng của người dân, doanh nghiệp về cung cấp dịch vụ công trực tuyến, "
        "về giải quyết thủ tục hành chính, về sự phục vụ của cơ quan hành chính nhà nước "
        "đạt tối thiểu 95%."
    )
    assert (tasks.loc[tasks["objective_no"].eq("3.2") & tasks["area"].eq("II"), "objective"] == obj).all()
    # the merged task cell is complete on both rows it spans
    task = ("Nâng cao chất lượng hoạt động giải quyết thủ tục hành chính tại phường; trong đó đặc biệt "
            "chú trọng việc giải quyết hồ sơ thủ tục hành chính đúng hẹn, nâng cao tinh thần trách nhiệm")
    assert _task(tasks, "II.10")["task"].startswith(task)
    assert _task(tasks, "II.11")["task"] == _task(tasks, "II.10")["task"]
    # other page-break splits
    assert "trình độ cao đẳng trở lên, 100% công chức cấp xã" in _task(tasks, "IV.01")["objective"]
    assert "tự bảo đảm chi thường xuyên; 100% đơn vị sự nghiệp kinh tế" in _task(tasks, "V.03")["objective"]
    assert "điều hành, kiểm tra tại cơ quan; trong đó:" in _task(tasks, "VI.06")["objective"]
    assert _task(tasks, "VI.06")["task"] == "Phát triển ứng dụng, dịch vụ quản lý công việc chỉ đạo điều hành nội bộ"
    assert "triển khai thực thi trên môi trường điện tử" in _task(tasks, "II.14")["objective"]
    # no fragment starting in lower case survives as a cell of its own
    for col in ("objective", "task", "activity"):
        assert not any(v[0].islower() for v in tasks[col]), col


def test_fill_down_of_merged_cells(tasks):
    # a blank Chủ trì / Phối hợp continues the merged cell above
    assert _task(tasks, "I.02")[["lead_unit", "cooperating_units"]].tolist() == ["Văn phòng HĐND và UBND", "Các cơ quan, đơn vị"]
    assert _task(tasks, "I.08")["lead_unit"] == "Văn phòng HĐND và UBND"  # after a page break
    # III.2 has no Chủ trì / Phối hợp of its own: III.1's merged cells run on
    assert _task(tasks, "III.02")[["lead_unit", "cooperating_units"]].tolist() == ["Phòng Văn hóa – Xã hội", "Các cơ quan, đơn vị"]
    # IV.1's right-hand cells run over the page break
    for tid in ("IV.02", "IV.03"):
        row = _task(tasks, tid)
        assert row["product"] == "Công văn/báo cáo"
        assert row["lead_unit"] == "Phòng Văn hóa - Xã hội"
        assert row["timing"] == "Khi có quy định, hướng dẫn của Bộ ngành Trung ương; tỉnh"
    # a unit does not cooperate with itself
    assert _task(tasks, "I.03")["lead_unit"] == "Các cơ quan, đơn vị"
    assert _task(tasks, "I.03")["cooperating_units"] == ""
    # the plan's own wording is kept
    assert _task(tasks, "VI.04")["product"] == "Kho dữ liệu điện tử công dân trong giải quyết TTTC"


def test_multi_paragraph_cell_is_one_activity(tasks):
    row = _task(tasks, "III.02")
    assert row["activity"].startswith("Ban hành văn bản điều hành, quy định rõ chức năng nhiệm vụ;")
    assert row["activity"].endswith("theo hướng dẫn của tỉnh.")
    assert "trách nhiệm giải trình trong thực hiện nhiệm vụ. Đổi mới phương thức quản lý" in row["activity"]
    assert row["task"].count("Đổi mới phương thức làm việc") == 1


def test_group_heading_is_not_an_activity(tasks):
    assert not tasks["activity"].str.contains("Thực hiện cơ chế một cửa, một cửa liên thông$").any()
    assert tasks.loc[tasks["area"] == "II", "objective_no"].drop_duplicates().tolist() == [
        "1", "2", "3.1", "3.2", "3.3", "3.4", "3.5", "3.6"]


# ---------------------------------------------------------------- targets


def test_targets_columns_and_types(targets):
    assert list(targets.columns) == plan.TARGET_COLUMNS
    assert targets["id"].is_unique
    assert targets["id"].str.fullmatch(r"[a-z][a-z0-9_]*").all()
    assert set(targets["area"]) <= set(plan.AREAS)
    assert set(targets["direction"]) == {">="}
    assert set(targets["unit"]) == {"%"}
    assert set(targets["source"]) <= set(plan.SOURCES)
    assert targets["target"].between(0, 100).all()
    assert targets["plan_ref"].str.match(r"^(Phụ lục )?[IV]+\.\d").all()


def test_every_plan_sentence_is_in_the_seed(targets, seed, seed_norm, tasks):
    rebuilt = []
    for row in targets.itertuples():
        assert row.plan_sentence == plan.normalize_text(row.plan_sentence)
        assert re.search(r"\d+%", row.plan_sentence), row.id
        if row.plan_sentence not in seed_norm:
            rebuilt.append(row.id)
        assert plan.in_plan(row.plan_sentence, seed, tasks), row.id
        assert f"{row.target:g}%" in row.plan_sentence, row.id
    # only the two sentences a page break cuts inside an appendix cell need the rebuilt text
    assert sorted(rebuilt) == ["autonomous_units", "officials_college"]
    for tid in rebuilt:
        assert "ngắt trang" in targets.set_index("id").loc[tid, "note"]


def test_fixed_ids_values_and_sources(targets):
    t = targets.set_index("id")
    expected = {
        "on_time": (98, "dossiers"), "online_dossiers": (80, "dossiers"),
        "online_payment": (80, "dossiers"), "digitized_dossiers": (100, "dossiers"),
        "e_results": (100, "dossiers"), "data_reuse": (80, "dossiers"),
        "feedback_on_time": (100, "feedback"), "satisfaction": (95, "survey"),
        "full_online_services": (90, "catalogue"),
    }
    for tid, (value, source) in expected.items():
        assert t.loc[tid, "target"] == value, tid
        assert t.loc[tid, "source"] == source, tid
        assert t.loc[tid, "measure"] == tid, tid
    assert set(t.index[t["headline"] == 1]) == set(expected)
    assert set(t["headline"]) == {0, 1}


def test_catalogue_targets(targets):
    t = targets.set_index("id")
    assert t.loc["published_on_time", ["target", "measure"]].tolist() == [100, "CongKhaiDungHan"]
    assert t.loc["online_payment_deployed", ["target", "measure"]].tolist() == [90, "CoThanhToanTrucTuyen|CoPhiLePhi"]
    assert t.loc["boundary_free", ["target", "measure"]].tolist() == [100, "KhongPhuThuocDiaGioi"]
    assert t.loc["business_online", ["target", "measure"]].tolist() == [100, "LienQuanDoanhNghiep & MucDoDVC != không"]
    assert set(t.index[t["source"] == "catalogue"]) == {
        "published_on_time", "online_payment_deployed", "boundary_free", "business_online", "full_online_services"}


def test_unit_report_targets(targets):
    t = targets.set_index("id")
    expected = {
        "simplification_proposals": 10, "declared_info_reduced": 20,
        "internal_procedures_published": 100, "no_resubmission": 100, "e_identity": 90,
        "officials_college": 100, "civil_servants_university": 100, "autonomous_units": 20,
        "economic_units_converted": 100, "work_files_online": 100, "national_db_connected": 100,
        "meeting_system": 20, "e_signed_documents": 100, "mobile_services": 100,
        "units_inspected": 50, "issues_remedied": 100, "digital_inspections": 60,
        "digital_inspections_vii": 50, "e_identity_online_users": 100,
    }
    for tid, value in expected.items():
        assert t.loc[tid, "target"] == value, tid
        assert t.loc[tid, "source"] == "unit_report", tid
    ur = t[t["source"] == "unit_report"]
    assert (ur["measure"] == ur.index).all()


def test_known_inconsistencies_are_kept_and_noted(targets):
    t = targets.set_index("id")
    assert (t.loc["digital_inspections", "area"], t.loc["digital_inspections_vii", "area"]) == ("VI", "VII")
    assert "50%" in t.loc["digital_inspections", "note"] and "60%" in t.loc["digital_inspections_vii", "note"]
    assert "e_identity_online_users" in t.loc["e_identity", "note"]
    assert "e_identity" in t.loc["e_identity_online_users", "note"]
    assert "quy mô tỉnh" in t.loc["meeting_system", "note"]


# ---------------------------------------------------------------- files


def test_committed_csvs_equal_regeneration(seed):
    rendered = plan.render_csvs(seed)
    for name, text in rendered.items():
        committed = (plan.PLAN_DIR / name).read_bytes()
        assert not committed.startswith(b"\xef\xbb\xbf"), name
        assert committed == text.encode("utf-8"), f"{name}: chạy lại / rerun `python -m cchc.plan`"
    assert plan.main(["--check"]) == 0


def test_load_plan_types():
    p = plan.load_plan(plan.PLAN_DIR)
    assert isinstance(p, Plan)
    assert len(p.tasks) == 63
    assert p.targets["target"].dtype == "float64"
    assert p.targets["headline"].dtype == "int64"
    for col in plan.TARGET_COLUMNS:
        if col not in ("target", "headline"):
            assert p.targets[col].dtype == "string", col
    assert all(p.tasks[c].dtype == "string" for c in plan.TASK_COLUMNS)
    assert p.tasks.set_index("id").loc["IV.06", "timing"] == "Hàng năm"


def test_load_plan_missing_file(tmp_path):
    shutil.copy(plan.PLAN_DIR / "targets.csv", tmp_path / "targets.csv")
    with pytest.raises(plan.PlanError) as exc:
        plan.load_plan(tmp_path)
    msg = str(exc.value)
    assert "tasks.csv" in msg and "không tìm thấy" in msg and "not found" in msg


@pytest.mark.parametrize("breakage, words", [
    (lambda df: df.drop(columns=["headline"]), ("headline", "thiếu", "missing")),
    (lambda df: df.assign(target=df["target"].astype(str).replace("98", "chín tám")), ("target", "phải là số", "must be a number")),
    (lambda df: df.assign(source=df["source"].replace("survey", "phieu")), ("source", "phải thuộc", "must be one of")),
    (lambda df: df[df["id"] != "on_time"], ("on_time", "thiếu", "missing")),
    (lambda df: pd.concat([df, df.head(1)]), ("trùng", "duplicated")),
])
def test_load_plan_malformed_targets(tmp_path, breakage, words):
    shutil.copy(plan.PLAN_DIR / "tasks.csv", tmp_path / "tasks.csv")
    df = pd.read_csv(plan.PLAN_DIR / "targets.csv", dtype=str, keep_default_na=False)
    breakage(df).to_csv(tmp_path / "targets.csv", index=False)
    with pytest.raises(plan.PlanError) as exc:
        plan.load_plan(tmp_path)
    msg = str(exc.value)
    assert "targets.csv" in msg and " / " in msg
    for w in words:
        assert w in msg


def test_load_plan_malformed_tasks(tmp_path):
    shutil.copy(plan.PLAN_DIR / "targets.csv", tmp_path / "targets.csv")
    df = pd.read_csv(plan.PLAN_DIR / "tasks.csv", dtype=str, keep_default_na=False)
    df.loc[3, "lead_unit"] = ""
    df.to_csv(tmp_path / "tasks.csv", index=False)
    with pytest.raises(plan.PlanError, match=r"tasks\.csv.*lead_unit.*dòng \[5\].*rows \[5\]"):
        plan.load_plan(tmp_path)
    (tmp_path / "tasks.csv").write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(plan.PlanError, match=r"tasks\.csv"):
        plan.load_plan(tmp_path)


def test_write_plan_to_other_dir(tmp_path):
    written = plan.write_plan(tmp_path)
    assert sorted(p.name for p in written) == ["targets.csv", "tasks.csv"]
    for p in written:
        assert p.read_bytes() == (plan.PLAN_DIR / p.name).read_bytes()


def test_lead_units_grouped_under_one_spelling():
    from cchc.plan import load_plan

    tasks = load_plan(PLAN_DIR_FOR_UNITS).tasks
    groups = set(tasks["lead_unit_group"])
    assert "Phòng Văn hóa-Xã hội" not in groups and "Phòng Văn hóa – Xã hội" not in groups
    assert "Trung tâm phục vụ hành chính công" not in groups
    assert (tasks["lead_unit_group"] == "Phòng Văn hóa - Xã hội").sum() == 17
    # the plan's own wording is kept beside the grouping name
    assert "Phòng Văn hóa – Xã hội" in set(tasks["lead_unit"])
