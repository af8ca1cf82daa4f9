"""Three Great Expectations helpers that build the configuration once per call.

In Great Expectations 1.24, ``Expectation.configuration`` is a property that
serialises the whole pydantic model into a new ``ExpectationConfiguration``
on every access. ``Expectation._get_domain_kwargs``,
``_get_success_kwargs`` and ``_get_success_kwarg`` read
``self.configuration.kwargs`` once per key (in a dict comprehension over the
domain and success keys), so validating one quarter serialised the
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


def _get_success_kwarg(self, key: str, default: Any = None) -> Any:
    kwargs = self.configuration.kwargs
    if key in kwargs:
        return kwargs[key]
    field = self.__fields__.get(key)
    if field is not None:
        return field.default if not field.required else default
    return _ORIGINALS["_get_success_kwarg"](self, key, default)  # unknown key: the original's warning


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


REPLACEMENTS = {"_get_success_kwarg": _get_success_kwarg, "_get_domain_kwargs": _get_domain_kwargs,
                "_get_success_kwargs": _get_success_kwargs}


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
