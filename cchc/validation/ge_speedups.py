"""Four Great Expectations helpers that build the configuration once per call,
and no batch fingerprints.

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

import logging
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


REPLACEMENTS = {"_get_success_kwarg": _get_success_kwarg, "_get_domain_kwargs": _get_domain_kwargs,
                "_get_success_kwargs": _get_success_kwargs, "_get_runtime_kwargs": _get_runtime_kwargs}


def install() -> bool:
    """Install the replacements on ``Expectation`` (once); False, leaving
    Great Expectations untouched, on a version other than FOR_VERSION."""
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
    return True


def uninstall() -> None:
    """Put the originals back (used by the equivalence test)."""
    from great_expectations.execution_engine import pandas_execution_engine
    from great_expectations.expectations.expectation import Expectation

    for name, fn in _ORIGINALS.items():
        if name == "HASH_THRESHOLD":
            pandas_execution_engine.HASH_THRESHOLD = fn
        else:
            setattr(Expectation, name, fn)
    _ORIGINALS.clear()
