"""Four Great Expectations helpers that build the configuration once per call.

In Great Expectations 1.24, ``Expectation.configuration`` is a property that
serialises the whole pydantic model into a new ``ExpectationConfiguration``
on every access. ``Expectation._get_domain_kwargs``,
``_get_success_kwargs``, ``_get_runtime_kwargs`` and ``_get_success_kwarg``
read ``self.configuration.kwargs`` once per key (in a dict comprehension
over the domain, success and runtime keys), so validating one quarter serialised the
expectations about 21,000 times: a third of the time of the suites
(benchmarks/bench_validation.py; profile in the closing note of issue 15).

The replacements below do exactly what the originals do, key for key and in
the same order, with the configuration's kwargs read once per call. Nothing
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


def _get_domain_kwargs(self) -> dict:
    kwargs = self.configuration.kwargs
    domain_kwargs = {key: kwargs.get(key, self._get_default_value(key)) for key in self.domain_keys}
    missing = set(self.domain_keys) - set(domain_kwargs)
    if missing:  # as the original (it cannot happen: every domain key was just set)
        return _ORIGINALS["_get_domain_kwargs"](self)
    return domain_kwargs


def _get_success_kwargs(self) -> dict:
    domain_kwargs = self._get_domain_kwargs()
    kwargs = self.configuration.kwargs
    success_kwargs = {key: kwargs.get(key, self._get_default_value(key)) for key in self.success_keys}
    success_kwargs.update(domain_kwargs)
    return success_kwargs


def _get_runtime_kwargs(self, runtime_configuration: dict | None = None) -> dict:
    from great_expectations.expectations import expectation as ge_expectation

    runtime_configuration = runtime_configuration or {}
    success_kwargs = self._get_success_kwargs()
    kwargs = self.configuration.kwargs
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
    for name, fn in REPLACEMENTS.items():
        _ORIGINALS[name] = getattr(Expectation, name)
        setattr(Expectation, name, fn)
    return True


def uninstall() -> None:
    """Put the originals back (used by the equivalence test)."""
    from great_expectations.expectations.expectation import Expectation

    for name, fn in _ORIGINALS.items():
        setattr(Expectation, name, fn)
    _ORIGINALS.clear()
