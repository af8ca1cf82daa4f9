"""Round trip of the quarterly routine, through pipeline.py as staff run it:

new-quarter → copy the one-stop exports → templates → every unit fills its
workbook with openpyxl (one types its statuses by hand, in accepted
spellings, instead of using the dropdown; one returns nothing) → collect →
validate → build → the quarter's task page shows what the units entered.
"""
from __future__ import annotations

import os
from html.parser import HTMLParser
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from cchc.collect import assignment, slug, status_labels
from cchc.collect.templates import HEADER_ROW

ROOT = Path(__file__).resolve().parent.parent
PLAN = ROOT / "data" / "plan"
Q = "2027Q1"
pytestmark = pytest.mark.slow
ONE_STOP = ("ho_so", "bo_sung", "thu_tuc", "phan_anh", "khao_sat")


VOID = {"br", "img", "wbr", "hr", "input", "meta", "link", "source"}


class _Tasks(HTMLParser):
    """Each activity of the tasks page (``<li class="c-task">``, cchc/templates/tasks.html.j2):
    its id and the text of every element inside it (status badge, evidence, note…)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tasks: dict[str, list[str]] = {}
        self.depth = 0                      # open <li> depth inside the current task
        self.open: list[tuple[str, list[str]]] = []
        self.cells: list[str] = []

    def handle_starttag(self, tag, attrs):
        cls = dict(attrs).get("class") or ""
        if tag == "li" and "c-task" in cls.split() and not self.depth:
            self.depth, self.cells = 1, []
            return
        if not self.depth or tag in VOID:
            return
        if tag == "li":
            self.depth += 1
        self.open.append((cls, []))

    def handle_endtag(self, tag):
        if not self.depth or tag in VOID:
            return
        if tag == "li":
            self.depth -= 1
            if not self.depth:
                ids = [c for k, c in self.cells if "c-task__id" in k.split()]
                self.tasks[ids[0]] = [c for _, c in self.cells]
                self.open, self.cells = [], []
                return
        if self.open:
            cls, text = self.open.pop()
            self.cells.append((cls, " ".join("".join(text).split())))

    def handle_data(self, data):
        for _, text in self.open:
            text.append(data)


def task_items(html: str) -> dict[str, list[str]]:
    """activity id → the texts shown for it on the tasks page"""
    p = _Tasks()
    p.feed(html)
    return p.tasks


def run(*args, cache: Path):
    env = {**os.environ, "CCHC_CACHE_DIR": str(cache), "PYTHONWARNINGS": "ignore"}
    r = subprocess.run([sys.executable, str(ROOT / "pipeline.py"), *args], capture_output=True, text=True,
                       env=env, cwd=ROOT, timeout=900)
    return r


def fill(path: Path, dest: Path, statuses: dict[str, str], notes: dict[str, str], counts: dict[str, tuple],
         keep_dropdown: bool = True) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["Nhiệm vụ"]
    cols = {ws.cell(HEADER_ROW, j).value: j for j in range(1, ws.max_column + 1)}
    if not keep_dropdown:
        ws.data_validations.dataValidation = []
    for r in range(HEADER_ROW + 1, ws.max_row + 1):
        rid = ws.cell(r, 1).value
        if rid in statuses:
            ws.cell(r, cols["Trạng thái"]).value = statuses[rid]
            ws.cell(r, cols["Văn bản minh chứng (số, ký hiệu, trích yếu)"]).value = f"Báo cáo số {rid}/BC-thử"
            ws.cell(r, cols["Ngày văn bản"]).value = "20/03/2027"
        if rid in notes:
            ws.cell(r, cols["Ghi chú"]).value = notes[rid]
    if "Chỉ tiêu" in wb.sheetnames:
        ind = wb["Chỉ tiêu"]
        icols = {ind.cell(HEADER_ROW, j).value: j for j in range(1, ind.max_column + 1)}
        for r in range(HEADER_ROW + 1, ind.max_row + 1):
            mid = ind.cell(r, 1).value
            if mid in counts:
                ind.cell(r, icols["Tử số"]).value, ind.cell(r, icols["Mẫu số"]).value = counts[mid]
    wb.save(dest)


@pytest.fixture(scope="module")
def routine(tmp_path_factory):
    from cchc import sample

    base = tmp_path_factory.mktemp("routine")
    data, cache, out, back = base / "data", base / "cache", base / "out", base / "back"
    sample.generate(data, seed=7, quarters=["2026Q4"], dossiers_per_quarter=250, xlsx_quarter=None)
    r = run("new-quarter", Q, "--data", str(data), "--sample", cache=cache)
    assert r.returncode == 0, r.stderr
    for name in ONE_STOP:  # "copy the one-stop exports" (here: last quarter's sample files)
        shutil.copy(data / "2026Q4" / f"{name}.csv", data / Q / f"{name}.csv")
    r = run("templates", "--quarter", Q, "--data", str(data), "--out", str(out), cache=cache)
    assert r.returncode == 0, r.stderr
    a = assignment(PLAN)
    labels = list(status_labels().values())  # Chưa triển khai, Đang thực hiện, Hoàn thành
    units = a.units
    entered: dict[str, tuple[str, str]] = {}
    back.mkdir()
    for k, unit in enumerate(units[:-1]):  # the last unit returns nothing
        ids = list(a.tasks.loc[a.tasks["unit"] == unit, "id"])
        reported = ids[:-1] if len(ids) > 1 else ids  # each leaves one activity blank
        if k == 1:  # typed by hand, not from the dropdown: other accepted spellings
            typed = ["đã hoàn thành", "dang thuc hien", "CHƯA TRIỂN KHAI"]
            codes = ["hoan_thanh", "dang_thuc_hien", "chua_trien_khai"]
        else:
            typed = [labels[2], labels[1], labels[0]]
            codes = ["hoan_thanh", "dang_thuc_hien", "chua_trien_khai"]
        statuses = {rid: typed[i % 3] for i, rid in enumerate(reported)}
        entered.update({rid: (codes[i % 3], f"Báo cáo số {rid}/BC-thử ngày 20/03/2027")
                        for i, rid in enumerate(reported)})
        notes = {reported[0]: f"Ghi chú của {unit} <b>không phải thẻ</b>"}
        mids = list(a.indicators.loc[a.indicators["unit"] == unit, "measure"])
        counts = {m: (40 + i, 50) for i, m in enumerate(mids)}
        fill(out / f"bao-cao-cchc-{Q}-{slug(unit)}.xlsx", back / f"don-vi-{k + 1}.xlsx", statuses, notes, counts, keep_dropdown=(k != 1))
    r = run("collect", "--quarter", Q, str(back), "--data", str(data), cache=cache)
    assert r.returncode == 0, r.stdout + r.stderr
    collect_log = r.stdout
    r = run("validate", "--data", str(data), "--quarter", Q, cache=cache)
    assert r.returncode == 0, r.stdout + r.stderr
    site = base / "site"
    r = run("build", "--data", str(data), "--site", str(site), "--quarter", Q, "--jobs", "2", cache=cache)
    assert r.returncode == 0, r.stdout + r.stderr
    return {"site": site, "entered": entered, "missing": units[-1], "collect_log": collect_log, "assign": a}


def test_collect_lists_the_unit_that_returned_nothing(routine):
    assert "CHƯA NỘP" in routine["collect_log"] and routine["missing"] in routine["collect_log"]


def test_task_page_shows_what_the_units_entered(routine):
    html = (routine["site"] / Q / "nhiem-vu.html").read_text(encoding="utf-8")
    rows = {rid: cells for rid, cells in task_items(html).items() if rid in set(routine["assign"].tasks["id"])}
    assert len(rows) == 63
    labels = {**status_labels(), "chua_bao_cao": "Chưa báo cáo"}
    for rid, (code, evidence) in routine["entered"].items():
        assert labels[code] in rows[rid], (rid, rows[rid])
        assert evidence in rows[rid], (rid, rows[rid])
    not_entered = set(rows) - set(routine["entered"])
    assert not_entered and all("Chưa báo cáo" in rows[rid] for rid in not_entered)
    missing_unit = routine["assign"].tasks.loc[routine["assign"].tasks["unit"] == routine["missing"], "id"]
    assert set(missing_unit) <= not_entered
    # a note typed by a unit is shown as text, never as markup
    assert "Ghi chú của Văn phòng HĐND và UBND &lt;b&gt;không phải thẻ&lt;/b&gt;" in html
