"""cchc — the pipeline behind the CCHC transparency site of phường Chơn Thành.

Every stage lives in this package as plain functions; notebooks and
``pipeline.py`` only call them. See docs/architecture.md for the map.
"""

from .lean_imports import skip_iri_grammar

__version__ = "0.1.0"

# before anything imports jsonschema: every process of the project (the build, its notebook kernels, the
# validation helper and its workers) imports this package first (see cchc.lean_imports)
skip_iri_grammar()
