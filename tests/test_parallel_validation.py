"""Issue 15: validating several quarters with the suites in worker processes
(cchc.validation.parallel) gives exactly what validate_quarter gives, quarter
by quarter; and the process that asks never imports Great Expectations."""
from __future__ import annotations

import json
import subprocess
import sys
from collections import OrderedDict
from pathlib import Path

import pytest

from cchc.validation import core, format_report, parallel, quality_summary, validate_quarter

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "data" / "plan"
sys.path.insert(0, str(ROOT / "tests" / "bad_inputs"))
from corpus import build_case  # noqa: E402

# failures in several files, loader notes before suite failures, cross-file checks after them, XLSX, no manifest
CASES = ["duplicate_mahoso", "header_only", "pii_free_text", "status_11", "xlsx_status_11", "missing_manifest",
         "csv_and_xlsx"]


def _everything(qv) -> dict:
    return {"report": format_report([qv]), "quality": json.dumps(quality_summary(qv), sort_keys=True, default=str),
            "failures": [f.private_dict() for f in qv.failures], "ge": json.dumps(qv.ge_results, default=str),
            "counts": (qv.checks_evaluated, qv.checks_passed, {k: vars(v) for k, v in qv.files.items()}),
            "tables": None if qv.data is None else sorted(qv.data.tables), "parameters": qv.parameters}


def _last_line_of(script: Path, code: str) -> str:
    """The last line ``code`` prints, run as a script of its own (a process
    that starts its own fork server)."""
    script.write_text(code, encoding="utf-8")
    r = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip().splitlines()[-1]


@pytest.fixture
def folders(tmp_path):
    out = [(ROOT / "data", ROOT / "data" / q) for q in ("2026Q2", "2026Q4")]  # an XLSX quarter; one with a warning
    for case in CASES:
        data_dir = tmp_path / case
        out.append((data_dir, build_case(case, data_dir)))
    return out


def test_workers_give_what_validate_quarter_gives(folders, monkeypatch):
    monkeypatch.setattr("cchc.validation.outcomes._MEMO", OrderedDict())
    expected = [_everything(validate_quarter(f, PLAN, data_dir=d)) for d, f in folders]
    assert all(e["failures"] for e in expected[1:]) and expected[0]["failures"] == []

    monkeypatch.setattr("cchc.validation.outcomes._MEMO", OrderedDict())  # every suite runs in a worker
    got = [_everything(qv) for qv in parallel.validate_quarters([f for _, f in folders], PLAN, 2)]
    assert got == expected


def test_finish_puts_each_outcome_where_running_it_in_line_would():
    """Outcomes given in any order land in suite order, each after the file's loader notes."""
    qv, pending = core.prepare_quarter(ROOT / "data" / "2026Q4", PLAN)
    assert len(pending) >= 7 and all(p.outcome is None or p.key is not None for p in pending)
    for p in reversed(pending):
        p.outcome = p.outcome or core.run_suite_job(*p.job)
    core.finish_quarter(qv, pending)
    inline = validate_quarter(ROOT / "data" / "2026Q4", PLAN)
    assert _everything(qv) == _everything(inline)
    assert list(qv.ge_results) == list(inline.ge_results)


def test_the_asking_process_never_imports_great_expectations(tmp_path):
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from cchc.validation import parallel\n"
        "if __name__ == '__main__':\n"
        f"    qvs = parallel.validate_quarters([Path({str(ROOT / 'data' / '2026Q3')!r})], Path({str(PLAN)!r}), 2)\n"
        "    assert qvs[0].ok and qvs[0].ge_results, qvs[0].failures\n"
        "    print('great_expectations' in sys.modules)\n")
    assert _last_line_of(tmp_path / "ask.py", code) == "False"


def test_without_a_fork_server_the_workers_are_spawned(monkeypatch):
    """Where multiprocessing has no fork server (Windows), the workers are
    spawned (each imports Great Expectations itself); the verdict is the same."""
    import multiprocessing

    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    assert parallel._context().get_start_method() == "spawn"
    parallel.start_helper()  # nothing to start
    folder = ROOT / "data" / "2026Q3"
    monkeypatch.setattr("cchc.validation.outcomes._MEMO", OrderedDict())
    got = parallel.validate_quarters([folder], PLAN, 2)
    monkeypatch.setattr("cchc.validation.outcomes._MEMO", OrderedDict())
    assert [_everything(qv) for qv in got] == [_everything(validate_quarter(folder, PLAN))]


def test_run_beside_forks_from_the_helper_only_once_it_runs(tmp_path):
    """Issue 15: the build checks the downloads with Frictionless in a
    process forked from the helper while the site renders. Before the helper
    was started, the check runs in the asking process; either way its result
    or its error is the Future's."""
    code = (
        "import os\n"
        "from cchc.validation import parallel\n"
        "if __name__ == '__main__':\n"
        "    before = parallel.run_beside(os.getpid)\n"
        "    assert before.done() and before.result() == os.getpid()\n"
        "    parallel.start_helper()\n"
        "    after = parallel.run_beside(os.getpid).result()\n"
        "    assert after != os.getpid()\n"
        "    try:\n"
        "        parallel.run_beside(int, 'x').result()\n"
        "    except ValueError as exc:\n"
        "        print('raised', 'x' in str(exc))\n")
    assert _last_line_of(tmp_path / "beside.py", code) == "raised True"


def test_the_workers_start_before_the_last_quarter_is_read(monkeypatch):
    """Issue 15: each quarter's suites are queued as soon as it is read, so
    the workers run them while the next quarters are still being read."""
    import multiprocessing
    import time

    real = core.prepare_quarter
    seen = []

    def prepare(folder, *args, **kwargs):
        if seen:  # the second quarter: a worker should be running the first one's suites by now
            deadline = time.monotonic() + 90
            while not multiprocessing.active_children() and time.monotonic() < deadline:
                time.sleep(0.05)
        seen.append(bool(multiprocessing.active_children()))
        return real(folder, *args, **kwargs)

    monkeypatch.setattr(core, "prepare_quarter", prepare)
    monkeypatch.setattr("cchc.validation.outcomes._MEMO", OrderedDict())
    got = parallel.validate_quarters([ROOT / "data" / q for q in ("2026Q3", "2026Q4")], PLAN, 2)
    assert seen == [False, True]
    assert [qv.ok for qv in got] == [True, True] and all(qv.ge_results for qv in got)
    assert not multiprocessing.active_children()  # the workers are gone


def test_a_suite_that_raises_stops_the_queue_and_its_error_is_raised(monkeypatch, tmp_path):
    """A worker's error reaches the caller; no worker is left behind."""
    import multiprocessing

    real = core.prepare_quarter

    def prepare(folder, *args, on_suite, **kwargs):
        def queue(p):
            p.expectations_dir = tmp_path  # no suite there: the worker raises FileNotFoundError
            on_suite(p)

        return real(folder, *args, on_suite=queue, **kwargs)

    monkeypatch.setattr(core, "prepare_quarter", prepare)
    monkeypatch.setattr("cchc.validation.outcomes._MEMO", OrderedDict())
    with pytest.raises(FileNotFoundError, match="expectations"):
        parallel.validate_quarters([ROOT / "data" / "2026Q3", ROOT / "data" / "2026Q4"], PLAN, 2)
    assert not multiprocessing.active_children()


def test_a_worker_starts_on_a_file_before_the_next_file_is_read(monkeypatch):
    """Issue 15: a file's suite is queued as soon as the file is read (the
    first is ho_so, the largest), so a worker runs it while the quarter's
    other files are read and the cross-file checks made."""
    import multiprocessing
    import time

    import cchc.loader

    real = cchc.loader.read_table
    seen = []

    def read_table(path, name):
        if seen:  # a later file: a worker should be running the first file's suite by now
            deadline = time.monotonic() + 90
            while not multiprocessing.active_children() and time.monotonic() < deadline:
                time.sleep(0.05)
        seen.append(bool(multiprocessing.active_children()))
        return real(path, name)

    monkeypatch.setattr(cchc.loader, "read_table", read_table)
    monkeypatch.setattr("cchc.validation.outcomes._MEMO", OrderedDict())
    [qv] = parallel.validate_quarters([ROOT / "data" / "2026Q3"], PLAN, 2)
    assert seen[:2] == [False, True] and len(seen) >= 7
    assert qv.ok and len(qv.ge_results) == len(seen)
    assert not multiprocessing.active_children()


@pytest.mark.parametrize("case, suite_fails", [("pii_free_text", False), ("status_11", True),
                                              ("xlsx_status_11", True), ("duplicate_mahoso", True)])
def test_a_worker_is_sent_only_what_the_suite_reads(case, suite_fails, tmp_path):
    """Issue 15: the table sent to a worker (``suite_input``) leaves out the
    typed copies of plain text columns, which the suite reads from ``raw``;
    the suite gives the same outcome, failures and GE result as on the whole
    table."""
    from cchc import contract
    from cchc.validation.suite_run import load_suite_doc, suite_input, suite_outcome

    qv, pending = core.prepare_quarter(build_case(case, tmp_path), PLAN)
    assert pending
    failures = []
    for p in pending:
        slim = suite_input(p.table)
        cols = contract.columns(p.table.name)
        plain = [c for c in p.table.df.columns if cols[c]["type"] == "text" and not cols[c].get("value_aliases")
                 and "allowed" not in cols[c]]
        assert set(slim.df.columns) == set(p.table.df.columns) - set(plain)
        assert slim.raw is p.table.raw and not slim.masked and not slim.too_long
        doc = load_suite_doc(p.table.name)
        whole = suite_outcome(p.table, p.file, p.parameters, doc)
        got = suite_outcome(slim, p.file, p.parameters, doc)
        assert json.dumps(got, default=str, sort_keys=True) == json.dumps(whole, default=str, sort_keys=True)
        failures += whole[1]
    assert bool(failures) == suite_fails
