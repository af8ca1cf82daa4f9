"""Issue 15: the Great Expectations kwargs helpers of cchc.validation.ge_speedups
give exactly what the originals give, for every expectation of every committed
suite, and a quarter validates to the same outcome with or without them."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def originals_back():
    from cchc.validation import ge_speedups, outcomes, suite_run

    suite_run._gx()  # installs the speedups
    yield ge_speedups
    ge_speedups.install()
    outcomes._MEMO.clear()


def _suite_expectations():
    import great_expectations as gx

    out = []
    for path in sorted((ROOT / "expectations").glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        suite = gx.ExpectationSuite(name=doc["name"], expectations=doc["expectations"])
        out += [(path.name, e) for e in suite.expectations]
    return out


def _helpers(e):
    keys = list(dict.fromkeys([*e.domain_keys, *e.success_keys, *e.configuration.kwargs, "no_such_kwarg"]))
    runtime = [None, {}, {"result_format": "COMPLETE"}, {"result_format": {"result_format": "SUMMARY",
                                                                            "partial_unexpected_count": 5}}]
    return (e._get_domain_kwargs(), e._get_success_kwargs(),
            {k: e._get_success_kwarg(k, "<default>") for k in keys},
            [e._get_runtime_kwargs(r) for r in runtime])


def test_helpers_equal_the_originals_on_every_committed_expectation(originals_back):
    import great_expectations
    from great_expectations.expectations.expectation import Expectation

    ge_speedups = originals_back
    assert great_expectations.__version__ == ge_speedups.FOR_VERSION  # else the speedups are not in use
    assert all(getattr(Expectation, n) is f for n, f in ge_speedups.REPLACEMENTS.items())
    exps = _suite_expectations()
    assert len(exps) > 150
    fast = [_helpers(e) for _, e in exps]
    ge_speedups.uninstall()
    assert all(getattr(Expectation, n) is not f for n, f in ge_speedups.REPLACEMENTS.items())
    slow = [_helpers(e) for _, e in exps]
    for (file, e), a, b in zip(exps, fast, slow):
        assert a == b, (file, e.expectation_type)


# each fails a row-conditioned expectation (date_invalid, invalid_value, required_value, payment_without_obligation)
_FAILING_CASES = ("date_impossible", "status_text", "received_date_blank", "payment_without_obligation")


def test_a_quarter_validates_the_same_with_and_without(originals_back, tmp_path):
    import sys

    from cchc.validation import outcomes as memo
    from cchc.validation import validate_quarter

    from great_expectations.execution_engine import pandas_execution_engine

    sys.path.insert(0, str(ROOT / "tests" / "bad_inputs"))
    from corpus import build_case

    folders = [(ROOT / "data" / "2026Q4", None)]
    folders += [(build_case(c, tmp_path / c), tmp_path / c) for c in _FAILING_CASES]
    ge_speedups = originals_back
    outcomes = []
    for installed in (True, False):
        if not installed:
            ge_speedups.uninstall()
        # installed: no batch fingerprints; uninstalled: GE's own threshold (the bundled frames are fingerprinted)
        assert pandas_execution_engine.HASH_THRESHOLD == (0 if installed else 1e9)
        runs = []
        for folder, data_dir in folders:
            memo._MEMO.clear()
            qv = validate_quarter(folder, ROOT / "data" / "plan", data_dir=data_dir)
            runs.append((qv.checks_evaluated, qv.checks_passed, [f.private_dict() for f in qv.failures],
                         json.dumps(qv.ge_results, sort_keys=True, default=str)))
        outcomes.append(runs)
    assert outcomes[0][0][0] > 200 and outcomes[0][0][2]  # the sample's deliberate catalogue warning is there
    conditioned = {e["meta"]["check"] for path in (ROOT / "expectations").glob("*.json")
                   for e in json.loads(path.read_text(encoding="utf-8"))["expectations"]
                   if "row_condition" in e["kwargs"]}
    for case, run in zip(_FAILING_CASES, outcomes[0][1:]):  # each case fails a row-conditioned check
        assert any(f["level"] == "error" and f["check"] in conditioned for f in run[2]), case
    assert outcomes[0] == outcomes[1]


def _json_samples():
    import datetime
    import enum
    import math

    import numpy as np
    import pandas as pd
    from great_expectations.core.id_dict import IDDict

    class Colour(enum.Enum):
        RED = "red"

    plain = [None, "", "văn bản", 0, -7, 2**70, True, False, 1.5, -0.0, math.inf, -math.inf, math.nan]
    return plain + [
        {"a": 1, 2: "b", None: [1, 2.5, math.nan], (1, 2): {"x": None}},
        [1, (2, 3), {4, 5}, {"k": [None, True]}],
        (None, "s", [math.nan]),
        {"nested": {"deeper": {"deepest": ["x", 1, 2.0, False]}}},
        IDDict({"column": "MaHoSo", "batch_id": "b", "row_condition": {"type": "x", "value": 1}}),
        np.int64(3), np.float64(2.25), np.float32(0.1), np.bool_(True), np.array([1, 2, 3]),
        pd.Index(["a", "b"]), datetime.date(2026, 12, 3), datetime.datetime(2026, 12, 3, 6, 30),
        Colour.RED, range(3), {"mixed": [np.int64(1), Colour.RED, datetime.time(8, 0), b"bytes"]},
    ]


def test_the_json_helper_gives_what_the_original_gives(originals_back):
    from great_expectations import util
    from great_expectations.core import id_dict

    ge_speedups = originals_back
    assert id_dict.convert_to_json_serializable is ge_speedups._json_ready  # a module that imported it by name
    assert util.convert_to_json_serializable is ge_speedups._json_ready
    fast = [json.dumps(ge_speedups._json_ready(v), sort_keys=True) for v in _json_samples()]
    ge_speedups.uninstall()
    assert id_dict.convert_to_json_serializable is util.convert_to_json_serializable is not ge_speedups._json_ready
    slow = [json.dumps(util.convert_to_json_serializable(v), sort_keys=True) for v in _json_samples()]
    assert fast == slow


def test_row_conditions_are_applied_once_per_frame_inside_one_validation(originals_back, monkeypatch):
    import pandas as pd
    from great_expectations.execution_engine import pandas_execution_engine

    ge_speedups = originals_back
    engine_type = pandas_execution_engine.PandasExecutionEngine
    assert engine_type._apply_row_condition_filter is ge_speedups._apply_row_condition_filter
    calls = []
    original = ge_speedups._ORIGINALS["_apply_row_condition_filter"]

    def counted(self, data, row_condition, domain_kwargs):
        calls.append(id(data))
        return original(self, data, row_condition, domain_kwargs)

    monkeypatch.setitem(ge_speedups._ORIGINALS, "_apply_row_condition_filter", counted)
    engine = engine_type()
    frame = pd.DataFrame({"a": [1, 2, 3, 4], "b": ["x", "y", "x", "y"]})
    other = frame.copy()
    cond = "a > 1"
    kwargs = {"condition_parser": "pandas"}
    outside = [engine._apply_row_condition_filter(frame, cond, kwargs) for _ in range(2)]
    assert len(calls) == 2  # no memo outside one_validation
    calls.clear()
    with ge_speedups.one_validation():
        first = engine._apply_row_condition_filter(frame, cond, kwargs)
        first["a"] = 0  # one caller's change ...
        second = engine._apply_row_condition_filter(frame, cond, kwargs)
        third = engine._apply_row_condition_filter(frame, "a > 2", kwargs)
        fourth = engine._apply_row_condition_filter(other, cond, kwargs)
    assert len(calls) == 3  # frame/"a > 1" once, frame/"a > 2", other/"a > 1"
    assert second is not first and second["a"].tolist() == [2, 3, 4]  # ... never reaches another
    assert third["a"].tolist() == [3, 4] and fourth["a"].tolist() == [2, 3, 4]
    assert frame["a"].tolist() == [1, 2, 3, 4] and outside[0].equals(outside[1])
    assert ge_speedups._RUN is None  # let go when the validation ends


def test_other_versions_are_left_alone(monkeypatch):
    import great_expectations
    from great_expectations.expectations.expectation import Expectation

    from cchc.validation import ge_speedups

    before = {n: getattr(Expectation, n) for n in ge_speedups.REPLACEMENTS}
    saved = dict(ge_speedups._ORIGINALS)
    ge_speedups._ORIGINALS.clear()
    monkeypatch.setattr(great_expectations, "__version__", "9.9.9")
    from great_expectations.execution_engine import pandas_execution_engine

    threshold = pandas_execution_engine.HASH_THRESHOLD
    try:
        assert ge_speedups.install() is False
        assert {n: getattr(Expectation, n) for n in ge_speedups.REPLACEMENTS} == before
        assert pandas_execution_engine.HASH_THRESHOLD == threshold
    finally:
        ge_speedups._ORIGINALS.update(saved)


def test_a_subclass_with_its_own_helpers_is_still_called(originals_back):
    """The replacements build the configuration once for a whole runtime
    call, but an expectation class that defines its own domain, success or
    single-kwarg helper gets it called, as with the originals."""
    import great_expectations as gx

    class ExpectOwnHelpersForTest(gx.expectations.ExpectColumnValuesToNotBeNull):
        def _get_domain_kwargs(self):
            return {**super()._get_domain_kwargs(), "own_domain": True}

        def _get_success_kwarg(self, key, default=None):
            return "own" if key == "catch_exceptions" else super()._get_success_kwarg(key, default)

    e = ExpectOwnHelpersForTest(column="MaHoSo")
    fast = (e._get_success_kwargs(), e._get_runtime_kwargs(), e._get_runtime_kwargs({"catch_exceptions": False}))
    assert fast[0]["own_domain"] and fast[1]["own_domain"] and fast[1]["catch_exceptions"] == "own"
    assert fast[2]["catch_exceptions"] is False
    originals_back.uninstall()
    assert fast == (e._get_success_kwargs(), e._get_runtime_kwargs(), e._get_runtime_kwargs({"catch_exceptions": False}))


def _dependencies(exps, runtime):
    """Every metric each expectation asks for: name, id, domain and value kwargs."""
    from great_expectations.execution_engine import PandasExecutionEngine

    engine = PandasExecutionEngine()
    out = []
    for _, e in exps:
        config = e.configuration
        config.kwargs["batch_id"] = "cchc_inputs-ho_so"  # as the validator adds it
        deps = config.to_domain_obj().get_validation_dependencies(execution_engine=engine,
                                                                  runtime_configuration=runtime)
        out.append(sorted((name, mc.id, json.dumps(mc.metric_domain_kwargs, sort_keys=True, default=str),
                           json.dumps(mc.metric_value_kwargs, sort_keys=True, default=str))
                          for name, mc in deps.metric_configurations.items()))
    return out


def test_metric_kwargs_equal_the_originals_on_every_committed_expectation(originals_back):
    """Inside one validation each expectation's runtime kwargs are worked out
    once; every metric it asks for has the same id and kwargs as with GE's own
    get_metric_kwargs, for the result formats the project and GE use."""
    from great_expectations.expectations import expectation, registry

    ge_speedups = originals_back
    assert registry.get_metric_kwargs is expectation.get_metric_kwargs is ge_speedups._get_metric_kwargs
    exps = _suite_expectations()
    runtimes = [{"result_format": dict(ge_speedups_result_format())}, {"result_format": "COMPLETE"},
                {"result_format": "BASIC", "catch_exceptions": False}]
    fast = []
    for runtime in runtimes:
        with ge_speedups.one_validation():
            fast.append(_dependencies(exps, runtime))
            fast.append(_dependencies(exps, runtime))  # the second time from what the first kept
        assert ge_speedups._RUN is None
    ge_speedups.uninstall()
    assert registry.get_metric_kwargs is expectation.get_metric_kwargs is not ge_speedups._get_metric_kwargs
    slow = []
    for runtime in runtimes:
        slow += [_dependencies(exps, runtime)] * 2
    assert sum(len(d) for d in slow[0]) > 800  # metrics asked for by every committed expectation
    assert fast == slow


def ge_speedups_result_format() -> dict:
    from cchc.validation.suite_run import RESULT_FORMAT

    return RESULT_FORMAT
