"""Four Great Expectations helpers that build the configuration once per call,
no batch fingerprints, row conditions applied once per batch frame, each
expectation's runtime kwargs worked out once per validation, and plain
values made JSON-ready without the long type chain.

In Great Expectations 1.24, ``Expectation.configuration`` is a property that
serialises the whole pydantic model into a new ``ExpectationConfiguration``
on every access. ``Expectation._get_domain_kwargs``,
``_get_success_kwargs``, ``_get_runtime_kwargs`` and ``_get_success_kwarg``
read ``self.configuration.kwargs`` once per key (in a dict comprehension
over the domain, success and runtime keys), so validating one quarter serialised the
expectations about 21,000 times: a third of the time of the suites
(benchmarks/bench_validation.py; profile in the closing note of issue 15).

Also, GE fingerprints every batch frame it loads (an MD5 of
``pandas.util.hash_pandas_object``), for the batch markers of a suite-level
result; frames larger than ``HASH_THRESHOLD`` bytes are not fingerprinted,
by GE's own rule. The project keeps only the per-expectation results
(``cchc.validation.suite_run``), never the batch markers, so the threshold
is set to 0: on 1,000,000 rows the fingerprints cost about 2,4 s.

Three more, measured on the bundled quarter 2026Q3 (its eight suites, in
one process, six rounds alternated, median CPU time; issue 15):

- **Row conditions.** GE filters the batch frame again for every metric of a
  row-conditioned expectation (about six per expectation: 221 ``query``
  calls for 37 such expectations), each a pandas ``query`` over every column
  of the frame. Inside :func:`one_validation` the filtered frame is kept per
  (frame, condition) and each caller gets its own shallow copy (pandas'
  copy-on-write keeps one caller's change from reaching another): 17% less.
- **Runtime kwargs.** For each metric of an expectation (about seven) GE's
  ``get_metric_kwargs`` rebuilds the expectation from its configuration and
  works out its runtime kwargs again; inside :func:`one_validation` they are
  worked out once per expectation (:func:`_get_metric_kwargs`): 11% less.
- **JSON-ready values.** ``convert_to_json_serializable`` (metric ids, every
  ``MetricConfiguration``) tries about twenty ``isinstance`` and
  ``numpy.issubdtype`` tests before it reaches ``None``; most of what it is
  given is ``None``, ``str``, ``int``, ``bool``, ``float`` or a plain dict or
  list of them. :func:`_json_ready` answers those at once, as the original
  would, and hands everything else to the original: 11% less.

The replacements below do exactly what the originals do, key for key and in
the same order, with the configuration built once per call: once for a
runtime call, not once for it, once for the success kwargs and once for the
domain kwargs it includes. A subclass with its own ``_get_success_kwargs``
``_get_domain_kwargs`` or ``_get_success_kwarg`` (none in GE 1.24) is still
called. Nothing
else of Great Expectations changes: the suites, the metrics and the results
are its own. They are installed only on the pinned version they were written
against (:data:`FOR_VERSION`, see requirements.txt); on any other version
:func:`install` leaves Great Expectations as it is and says so. Equivalence is
tested on every expectation of every committed suite
(tests/test_ge_speedups.py).
"""
from __future__ import annotations

import contextlib
import copy
import importlib
import json
import logging
import sys
from typing import Any

FOR_VERSION = "1.24.1"
log = logging.getLogger(__name__)
_ORIGINALS: dict[str, Any] = {}


def _success_kwarg(self, kwargs: dict, key: str, default: Any = None) -> Any:
    """The original ``_get_success_kwarg`` with the configuration's kwargs given."""
    if key in kwargs:
        return kwargs[key]
    field = self.__fields__.get(key)
    if field is not None:
        return field.default if not field.required else default
    return _ORIGINALS["_get_success_kwarg"](self, key, default)  # unknown key: the original's warning


def _get_success_kwarg(self, key: str, default: Any = None) -> Any:
    return _success_kwarg(self, self.configuration.kwargs, key, default)


def _domain_kwargs(self, kwargs: dict) -> dict:
    """The original ``_get_domain_kwargs`` with the configuration's kwargs given."""
    domain_kwargs = {key: kwargs.get(key, self._get_default_value(key)) for key in self.domain_keys}
    missing = set(self.domain_keys) - set(domain_kwargs)
    if missing:  # as the original (it cannot happen: every domain key was just set)
        return _ORIGINALS["_get_domain_kwargs"](self)
    return domain_kwargs


def _success_kwargs(self, kwargs: dict) -> dict:
    """The original ``_get_success_kwargs`` with the configuration's kwargs
    given; the domain kwargs through ``self._get_domain_kwargs`` when a
    subclass defines its own."""
    own = type(self)._get_domain_kwargs is not _get_domain_kwargs
    domain_kwargs = self._get_domain_kwargs() if own else _domain_kwargs(self, kwargs)
    success_kwargs = {key: kwargs.get(key, self._get_default_value(key)) for key in self.success_keys}
    success_kwargs.update(domain_kwargs)
    return success_kwargs


def _get_domain_kwargs(self) -> dict:
    return _domain_kwargs(self, self.configuration.kwargs)


def _get_success_kwargs(self) -> dict:
    return _success_kwargs(self, self.configuration.kwargs)


def _get_runtime_kwargs(self, runtime_configuration: dict | None = None) -> dict:
    from great_expectations.expectations import expectation as ge_expectation

    runtime_configuration = runtime_configuration or {}
    kwargs = self.configuration.kwargs  # once, for the success, domain and runtime keys
    own = type(self)._get_success_kwargs is not _get_success_kwargs
    success_kwargs = self._get_success_kwargs() if own else _success_kwargs(self, kwargs)
    if type(self)._get_success_kwarg is not _get_success_kwarg:
        runtime_kwargs = {key: runtime_configuration.get(key, self._get_success_kwarg(key))
                          for key in self.runtime_keys}
    else:
        runtime_kwargs = {key: runtime_configuration.get(key, _success_kwarg(self, kwargs, key))
                          for key in self.runtime_keys}
    runtime_kwargs.update(success_kwargs)
    runtime_kwargs["result_format"] = ge_expectation.parse_result_format(runtime_kwargs["result_format"])
    return runtime_kwargs


class _Run:
    """What one validation keeps (see :func:`one_validation`)."""

    def __init__(self) -> None:
        self.rows: dict = {}  # (id(frame), JSON of condition and parser) -> (frame, filtered frame)
        self.runtime: dict = {}  # (type, kwargs, runtime configuration) -> runtime kwargs


_RUN: _Run | None = None


@contextlib.contextmanager
def one_validation():
    """While this is open (one ``validate_expectation_suite`` call), row
    conditions are applied once per batch frame and each expectation's
    runtime kwargs are worked out once; all is let go when it closes."""
    global _RUN
    outer, _RUN = _RUN, _Run()
    try:
        yield
    finally:
        _RUN = outer


def _json_key(*values: Any) -> str | None:
    """A text that only equal plain values share; None for anything else."""
    try:
        return json.dumps(values, sort_keys=True)
    except (TypeError, ValueError):
        return None


def _condition_key(row_condition: Any, domain_kwargs: dict):
    if isinstance(row_condition, (dict, str)):
        return _json_key(row_condition, domain_kwargs.get("condition_parser"))
    return None  # a Condition object: filtered every time, as GE does


def _apply_row_condition_filter(self, data, row_condition, domain_kwargs):
    """The original filter, once per frame and condition inside
    :func:`one_validation`; every caller gets a shallow copy of its own."""
    original = _ORIGINALS["_apply_row_condition_filter"]
    key = _condition_key(row_condition, domain_kwargs) if _RUN is not None else None
    if key is None:
        return original(self, data, row_condition, domain_kwargs)
    key = (id(data), key)
    kept = _RUN.rows.get(key)
    if kept is None or kept[0] is not data:  # the frame is held, so its id is not reused meanwhile
        kept = _RUN.rows[key] = (data, original(self, data, row_condition, domain_kwargs))
    return kept[1].copy(deep=False)


def _get_metric_kwargs(metric_name: str, configuration=None, runtime_configuration: dict | None = None) -> dict:
    """``registry.get_metric_kwargs`` with the expectation's runtime kwargs
    worked out once per expectation inside :func:`one_validation`.

    GE asks for every metric of an expectation (about seven each) and each
    time rebuilds the expectation from its configuration (a pydantic model)
    and its runtime kwargs from that. Those depend only on the
    configuration's type and kwargs and on the runtime configuration, so
    they are kept under that key (plain JSON values only; anything else
    goes to the original) and each call gets a deep copy. From them, as the
    original: the metric's domain kwargs (a blank value takes the metric's
    default; ``batch_id`` the configuration's when the runtime kwargs have
    none) and its value kwargs (only ``None`` takes the default)."""
    original = _ORIGINALS["get_metric_kwargs"]
    if _RUN is None or not configuration:  # outside a validation: GE's own, untouched
        return original(metric_name, configuration=configuration, runtime_configuration=runtime_configuration)
    definition = _registered_metrics().get(metric_name)
    key = _json_key(configuration.type, configuration.kwargs, runtime_configuration)
    if key is None or definition is None or not all(
            k in definition for k in ("metric_domain_keys", "metric_value_keys", "default_kwarg_values")):
        return original(metric_name, configuration=configuration, runtime_configuration=runtime_configuration)
    from great_expectations.core.id_dict import IDDict

    if key not in _RUN.runtime:
        try:
            expectation = configuration.to_domain_obj()
            _RUN.runtime[key] = expectation._get_runtime_kwargs(runtime_configuration=runtime_configuration)
        except KeyError:  # the original turns it into its own error
            return original(metric_name, configuration=configuration, runtime_configuration=runtime_configuration)
    runtime = copy.deepcopy(_RUN.runtime[key])
    domain_keys, value_keys = definition["metric_domain_keys"], definition["metric_value_keys"]
    defaults = definition["default_kwarg_values"]
    if "batch_id" in domain_keys and runtime.get("batch_id") is None:
        runtime["batch_id"] = configuration.kwargs.get("batch_id")
    domain = {k: runtime.get(k) or defaults.get(k) for k in domain_keys}
    value = {k: defaults.get(k) if runtime.get(k) is None else runtime.get(k) for k in value_keys}
    return {"metric_domain_keys": domain_keys, "metric_value_keys": value_keys,
            "metric_domain_kwargs": IDDict(domain), "metric_value_kwargs": IDDict(value)}


def _registered_metrics() -> dict:
    from great_expectations.expectations import registry

    return registry._registered_metrics


def _json_ready(data: Any) -> Any:
    """``convert_to_json_serializable`` with the common plain values first:
    the same result as the original for every input (exact types only, so a
    subclass, e.g. GE's ``IDDict`` or an ``Enum`` of ``str``, takes the
    original's path)."""
    kind = type(data)
    if data is None or kind is str or kind is int or kind is bool:
        return data
    if kind is float:
        return None if data != data else data  # NaN -> None, as the original
    if kind is dict:
        return {str(k): _json_ready(v) for k, v in data.items()}
    if kind is list or kind is tuple or kind is set:
        return [_json_ready(v) for v in data]
    return _ORIGINALS["convert_to_json_serializable"](data)


# module-level functions that GE modules import by name: the replacement goes into every one that holds them
FUNCTIONS = {"convert_to_json_serializable": ("great_expectations.util", _json_ready),
             "get_metric_kwargs": ("great_expectations.expectations.registry", _get_metric_kwargs)}


def _swap(name: str, old: Any, new: Any) -> None:
    """Point every loaded Great Expectations module that holds ``old`` under
    ``name`` at ``new``. A GE module imported later keeps the original:
    slower, never different. Only GE's modules are looked at: reading
    another's ``__dict__`` would load a module that :mod:`cchc.lean_imports`
    deferred."""
    for module_name, module in list(sys.modules.items()):
        if module_name.partition(".")[0] == "great_expectations" and module is not None:
            if module.__dict__.get(name) is old:
                setattr(module, name, new)


REPLACEMENTS = {"_get_success_kwarg": _get_success_kwarg, "_get_domain_kwargs": _get_domain_kwargs,
                "_get_success_kwargs": _get_success_kwargs, "_get_runtime_kwargs": _get_runtime_kwargs}


def install() -> bool:
    """Install the replacements (once): the kwargs helpers on
    ``Expectation``, the row-condition filter on ``PandasExecutionEngine``
    and the JSON and metric-kwargs functions in every loaded GE module that
    imported them; False, leaving Great Expectations untouched, on a version
    other than FOR_VERSION."""
    import great_expectations
    from great_expectations.expectations.expectation import Expectation

    if _ORIGINALS:
        return True
    if great_expectations.__version__ != FOR_VERSION:
        log.info("great_expectations %s: kwargs helpers left as they are (written for %s)",
                 great_expectations.__version__, FOR_VERSION)
        return False
    from great_expectations.execution_engine import pandas_execution_engine

    for name, fn in REPLACEMENTS.items():
        _ORIGINALS[name] = getattr(Expectation, name)
        setattr(Expectation, name, fn)
    _ORIGINALS["HASH_THRESHOLD"] = pandas_execution_engine.HASH_THRESHOLD
    pandas_execution_engine.HASH_THRESHOLD = 0  # no batch fingerprints (see the module's docstring)
    engine = pandas_execution_engine.PandasExecutionEngine
    _ORIGINALS["_apply_row_condition_filter"] = engine._apply_row_condition_filter
    engine._apply_row_condition_filter = _apply_row_condition_filter
    for name, (home, fn) in FUNCTIONS.items():
        _ORIGINALS[name] = getattr(importlib.import_module(home), name)
        _swap(name, _ORIGINALS[name], fn)
    return True


def uninstall() -> None:
    """Put the originals back (used by the equivalence test)."""
    from great_expectations.execution_engine import pandas_execution_engine
    from great_expectations.expectations.expectation import Expectation

    for name, fn in _ORIGINALS.items():
        if name == "HASH_THRESHOLD":
            pandas_execution_engine.HASH_THRESHOLD = fn
        elif name == "_apply_row_condition_filter":
            pandas_execution_engine.PandasExecutionEngine._apply_row_condition_filter = fn
        elif name in FUNCTIONS:
            _swap(name, FUNCTIONS[name][1], fn)
        else:
            setattr(Expectation, name, fn)
    _ORIGINALS.clear()
