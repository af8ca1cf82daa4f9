"""Optional imports this project never uses, kept out of its processes.

jsonschema (imported by altair and by Great Expectations) imports two
optional modules when they are installed, for string formats that no schema
here uses:

- ``rfc3987_syntax`` (it comes with jupyter-events) checks the "iri" format,
  and compiles a Lark grammar at import: about 1,5 s of CPU in every notebook
  kernel and every validation process, and 1,07 s in the build's own process,
  where nbformat (papermill, nbclient, nbconvert) imports jsonschema;
- ``isoduration`` (with ``arrow``) checks the "duration" format: about 0,07 s.

Neither altair's Vega-Lite schema (its formats: "uri", "uri-reference",
"color-hex"), nbformat's notebook schemas, Frictionless' profiles (formats
"uri", "csv", …) nor the Great Expectations suites ever check an IRI or a
duration, so both modules are marked absent (``None`` in ``sys.modules``:
jsonschema then skips those two format checks and nothing else), when the
``cchc`` package is imported: every process of the project imports it before
jsonschema.

Great Expectations also imports, on its own import, modules that the suites
never run:

- ``scipy.stats`` (``from scipy import stats``), for KL divergence and KS
  tests: about 0,8 s of every validation process;
- ``altair`` (``import altair as alt``), to draw the KL divergence
  expectation's charts: about 0,35 s;
- ``asyncio``, through ``tqdm.auto``, for progress bars that are switched off:
  about 0,12 s;
- ``jsonschema`` (``import jsonschema``), for the metric of the JSON-schema
  expectation, which no suite here has: about 0,08 s.

:func:`defer` registers such a module as deferred: ``import name`` binds it,
and the module is executed only when one of its attributes is first used —
by code that really needs it, in which case it is then loaded in full.
Python 3.11's own ``importlib.util.LazyLoader`` cannot do this for a plain
``import name`` of a module already in ``sys.modules``: the import statement
reads the module's ``__spec__``, and any attribute read loads it. Here
reading ``__spec__`` (or ``__name__``) does not.

scipy.stats is deferred in every process that starts Great Expectations.
The other three are deferred only in the validation helper
(:mod:`cchc.validation.preload`), a process that exists to run the suites: in
the build's own process the notebook kernels' client needs asyncio at once,
charts need altair, and nbformat checks every notebook with jsonschema.
"""
from __future__ import annotations

import importlib.util
import sys
import threading
import types

# imported by Great Expectations at import time, used by nothing the suites run
GE_UNUSED = ("scipy.stats",)
# the same, deferred only in the validation helper process (see the docstring)
HELPER_UNUSED = ("altair", "asyncio", "jsonschema")
# optional format checkers of jsonschema for formats no schema here uses
UNUSED_FORMAT_CHECKERS = ("rfc3987_syntax", "isoduration")

# attributes read without loading the module: what ``import name`` reads
_UNLOADED = frozenset({"__spec__", "__name__", "__class__"})
_LOCK = threading.RLock()
_LOADING: set[str] = set()


class DeferredModule(types.ModuleType):
    """A module in ``sys.modules`` whose code runs on first attribute use."""

    # (no super(): once loaded, the module's class is no longer this one)
    def __getattribute__(self, attr: str):
        if attr not in _UNLOADED:
            _load(self)
        return types.ModuleType.__getattribute__(self, attr)

    def __delattr__(self, attr: str) -> None:
        _load(self)
        types.ModuleType.__delattr__(self, attr)


def _load(module: types.ModuleType) -> None:
    with _LOCK:
        if type(module) is not DeferredModule:
            return  # loaded meanwhile
        name = object.__getattribute__(module, "__name__")
        if name in _LOADING:
            return  # its own code is running: plain attribute lookups
        _LOADING.add(name)
        try:
            object.__getattribute__(module, "__spec__").loader.exec_module(module)
            module.__class__ = types.ModuleType  # from now on an ordinary module
        finally:
            _LOADING.discard(name)


def skip_iri_grammar() -> None:
    """Call before the first import of jsonschema (altair, Great Expectations,
    nbformat import it); the package does, when it is imported."""
    if "jsonschema" not in sys.modules:  # too late once jsonschema chose its format checkers
        for name in UNUSED_FORMAT_CHECKERS:
            sys.modules.setdefault(name, None)  # type: ignore[arg-type]


def defer(name: str) -> None:
    """Make ``import name`` cheap until the module is first used (a no-op when
    it is already imported or not installed)."""
    with _LOCK:
        if name in sys.modules:
            return
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            return
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return
        module = importlib.util.module_from_spec(spec)
        module.__class__ = DeferredModule
        sys.modules[name] = module
        parent, _, child = name.rpartition(".")
        if parent and parent in sys.modules:
            setattr(sys.modules[parent], child, module)


def _defer_before_ge(names: tuple[str, ...]) -> None:
    if "great_expectations" not in sys.modules:  # too late once GE has imported them
        for name in names:
            defer(name)


def defer_unused_ge_imports() -> None:
    """Call before the first import of great_expectations."""
    _defer_before_ge(GE_UNUSED)


def defer_in_validation_helper() -> None:
    """Call first in the validation helper process, before Great Expectations."""
    _defer_before_ge(HELPER_UNUSED)
