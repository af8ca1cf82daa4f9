"""Imported once by the helper process that the validation workers are forked
from (:mod:`cchc.validation.parallel`): Great Expectations, its context and
the committed suites are loaded there, so every worker starts with them
instead of paying about 1,8 s to import them itself.

Great Expectations' Spark and SQL data sources, which the suites never use,
are stand-ins here (:mod:`cchc.validation.ge_unused`), and its pydantic
models are created with a direct copier of their base fields
(:mod:`cchc.validation.pydantic_copy`).

The cyclic garbage collector is off while they load: importing Great
Expectations adds about 160.000 objects that the collector tracks (its
pydantic models, among others) and no garbage worth collecting, and the
collector's passes over them cost about a tenth of the import (0,2–0,3 s,
measured with ``gc.disable()`` around the import, five pairs). What is
loaded is then frozen (never scanned again, here or in the workers) and the
collector is switched back on.

GE's batch definitions are not made here, although each costs a worker
about 13 ms (GE writes its whole configuration as YAML for every new data
asset): the helper is on the critical path of every validation (the
workers wait for it), so making all eight here delayed them by as much as
it saved them, and delayed a one-file validation by 0,1 s (issue 15)."""
from __future__ import annotations

import gc

gc.disable()  # until everything below is loaded (see the docstring)
import logging  # noqa: E402

from ..lean_imports import defer_in_validation_helper  # noqa: E402

defer_in_validation_helper()  # before Great Expectations: see cchc.lean_imports
from . import ge_unused  # noqa: E402

ge_unused.install()  # its Spark and SQL data sources as stand-ins: see that module

from .. import contract  # noqa: E402
from . import core  # noqa: F401 - what the workers run (core.run_suite_job)
from .suite_run import _gx, load_suite_doc  # noqa: E402

# GE configures its own loggers on import; keep its INFO chatter out of the build log
logging.getLogger("great_expectations").setLevel(logging.WARNING)
try:
    _gx()
    for _name in contract.inputs():
        load_suite_doc(_name)
except Exception:  # noqa: BLE001 - a worker meets the same error again and reports it
    pass
# what is loaded now stays: no collector passes over it in the workers (nor copies of its pages)
gc.freeze()
gc.enable()
