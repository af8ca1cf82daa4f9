"""Optional imports this project never uses, kept out of its processes.

jsonschema (imported by altair and by Great Expectations) imports the
optional ``rfc3987_syntax`` when it is installed (here it comes with
jupyter-events) to check the "iri" string format, and that module compiles a
Lark grammar at import: about 1.5 s of CPU in every notebook kernel and every
validation process. Neither altair's Vega-Lite schemas as used here nor the
Great Expectations suites ever check an IRI, so the module is marked absent
(``None`` in ``sys.modules``: jsonschema then skips that one format check).
"""
from __future__ import annotations

import sys


def skip_iri_grammar() -> None:
    """Call before the first import of altair or great_expectations."""
    if "jsonschema" not in sys.modules:  # too late once jsonschema chose its format checkers
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
