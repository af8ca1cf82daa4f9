"""Issue 15: in the validation helper, Great Expectations' Spark and SQL data
sources are stand-ins (cchc.validation.ge_unused); every committed suite
gives the same results there as with the real modules, and a stand-in used
by mistake says so."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "bad_inputs"))
from child_process import run_json  # noqa: E402
from corpus import build_case  # noqa: E402

# bundled quarters, and inputs whose suites fail in several ways (CSV and XLSX)
CASES = ("status_11", "xlsx_status_11", "duplicate_mahoso", "pii_free_text", "date_impossible",
         "numerator_over_denominator", "formula_text", "due_before_received")

RUN = r"""
import json, sys
from pathlib import Path
mode, folders = sys.argv[1], sys.argv[2:]
if mode == "helper":
    import cchc.validation.preload  # as the helper starts: the stand-ins installed first
from cchc.validation import core, suite_run
g = suite_run._gx()  # raises here if the helper's context could not be made
out = {"sources": sorted(n for n in dir(g["context"].data_sources) if n.startswith("add_")), "results": {}}
for folder in folders:  # every case is a "2026Q3" folder: named by its parent too
    qv, pending = core.prepare_quarter(Path(folder), Path("data/plan"))
    out["results"][f"{Path(folder).parent.name}/{Path(folder).name}"] = [
        [p.file, json.loads(json.dumps(core.run_suite_job(*p.job), default=str, sort_keys=True))]
        for p in pending if p.outcome is None]
spark = sys.modules["great_expectations.datasource.fluent.spark_datasource"]
out["spark"] = type(spark.SparkDatasource).__name__
out["spark_assets_loaded"] = "great_expectations.datasource.fluent.data_asset.path.spark.csv_asset" in sys.modules
print(json.dumps(out, sort_keys=True))
"""


def _run(mode: str, folders: list[Path]) -> dict:
    return run_json(RUN, mode, *folders, timeout=600)


def test_every_suite_gives_the_same_results_with_the_stand_ins(tmp_path):
    folders = [ROOT / "data" / q for q in ("2026Q2", "2026Q3")]  # the XLSX quarter and a CSV one
    folders += [build_case(case, tmp_path / case) for case in CASES]
    helper, plain = _run("helper", folders), _run("plain", folders)
    # the stand-ins were in place in the helper, and only there
    assert helper["spark"] == "_Inert" and not helper["spark_assets_loaded"]
    assert plain["spark"] != "_Inert" and plain["spark_assets_loaded"]
    assert "add_pandas" in helper["sources"] and "add_spark" not in helper["sources"]
    assert "add_spark" in plain["sources"] and "add_postgres" in plain["sources"]
    # the same outcome, failures and Great Expectations result for every suite
    assert helper["results"] == plain["results"]
    suites = [r for results in helper["results"].values() for r in results]
    assert len(helper["results"]) == len(folders) and len(suites) > 60
    assert any(r[1][1] for r in suites) and any(not r[1][1] for r in suites)  # failing and passing suites


STAND_IN = r"""
import json
from cchc.validation import ge_unused
assert ge_unused.install() and ge_unused.install()  # once; a second call changes nothing
import great_expectations  # noqa: F401
from great_expectations.datasource.fluent import PandasDatasource, SparkDatasource, SqliteDatasource
from great_expectations.datasource.fluent.spark_datasource import SparkDatasource as again
out = {"same": SparkDatasource is again, "pandas_real": PandasDatasource.__module__,
       "isinstance": isinstance(object(), SparkDatasource), "issubclass": issubclass(PandasDatasource, SqliteDatasource),
       "getattr_default": getattr(SparkDatasource, "type", "absent"), "hasattr": hasattr(SparkDatasource, "type")}
errors = []
for use in (lambda: SparkDatasource(name="x"), lambda: SparkDatasource.type):
    try:
        use()
        errors.append(None)
    except ge_unused.NotLoadedError as e:
        errors.append(str(e))
out["errors"] = errors
print(json.dumps(out))
"""


def test_a_stand_in_answers_type_tests_and_refuses_any_other_use():
    out = run_json(STAND_IN)
    assert out["same"] and out["pandas_real"] == "great_expectations.datasource.fluent.pandas_datasource"
    assert out["isinstance"] is False and out["issubclass"] is False
    assert out["getattr_default"] == "absent" and out["hasattr"] is False
    assert len(out["errors"]) == 2 and all(
        e and "spark_datasource.SparkDatasource" in e and "cchc.validation.ge_unused" in e for e in out["errors"])


def test_it_is_not_installed_once_great_expectations_is_loaded():
    pytest.importorskip("great_expectations")
    from cchc.validation import ge_unused

    import great_expectations  # noqa: F401  (loaded in this process: too late for stand-ins)

    assert not ge_unused.installed() and ge_unused.install() is False and not ge_unused.installed()
