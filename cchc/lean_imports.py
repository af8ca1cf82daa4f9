"""Optional imports this project never uses, kept out of its processes.

jsonschema (imported by altair and by Great Expectations) imports the
optional ``rfc3987_syntax`` when it is installed (here it comes with
jupyter-events) to check the "iri" string format, and that module compiles a
Lark grammar at import: about 1.5 s of CPU in every notebook kernel and every
validation process. Neither altair's Vega-Lite schemas as used here nor the
Great Expectations suites ever check an IRI, so the module is marked absent
(``None`` in ``sys.modules``: jsonschema then skips that one format check).

Great Expectations also imports ``scipy.stats`` on its own import (``from
scipy import stats``), for expectations this project never runs (KL
divergence, KS tests): about 0.8 s of every validation process.
:func:`defer_unused_ge_imports` registers it as a lazy module
(:class:`importlib.util.LazyLoader`): the import binds the name, and the
module is executed only when one of its attributes is first used — by code
that really needs it, in which case it is then loaded in full. (``altair``,
also imported by GE, cannot be deferred this way on Python 3.11: a plain
``import altair`` reads the module's ``__spec__``, which loads it.)
"""
from __future__ import annotations

import importlib.util
import sys

# imported by Great Expectations at import time, used by nothing the suites run
GE_UNUSED = ("scipy.stats",)


def skip_iri_grammar() -> None:
    """Call before the first import of altair or great_expectations."""
    if "jsonschema" not in sys.modules:  # too late once jsonschema chose its format checkers
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


def defer(name: str) -> None:
    """Make ``import name`` cheap until the module is first used (a no-op when
    it is already imported or not installed)."""
    if name in sys.modules:
        return
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return
    if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
        return
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    parent, _, child = name.rpartition(".")
    if parent and parent in sys.modules:
        setattr(sys.modules[parent], child, module)


def defer_unused_ge_imports() -> None:
    """Call before the first import of great_expectations."""
    if "great_expectations" not in sys.modules:
        for name in GE_UNUSED:
            defer(name)
