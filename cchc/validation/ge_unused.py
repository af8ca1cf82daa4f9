"""Great Expectations' Spark and SQL data sources are not loaded in the
validation helper.

The suites run on pandas frames through one in-memory pandas data source
(:func:`cchc.validation.suite_run._gx`). Yet importing Great Expectations
imports every data source it ships: ``great_expectations.datasource.fluent``
imports 21 modules of Spark and SQL data sources (Spark on files, S3,
GCS, Azure and DBFS; Postgres, SQLite, Snowflake, Databricks, Redshift,
BigQuery, Fabric, …), which with their Spark assets define 71 pydantic
models — about 0,3 s of
the validation helper's start-up, on the critical path of every validation
(issue 15). Their engines and drivers (pyspark, SQLAlchemy, the database
clients) are not even installed, so none of them could run here.

:func:`install` puts a finder first on ``sys.meta_path`` that gives each of
those modules (:data:`MODULES`) as a stand-in: a module whose every public
name is an inert class of that name, made on first access
(``from …spark_datasource import SparkDatasource`` still works). Such a class
is never a base or the class of anything Great Expectations builds here, so
``isinstance`` and ``issubclass`` tests against it answer False, exactly as
the real class would; using it in any other way (calling it, reading an
attribute) raises :class:`NotLoadedError`, which names this module. The data
source registry therefore lists only the pandas ones (``add_spark``,
``add_postgres``, … are absent).

Installed only in the validation helper (:mod:`cchc.validation.preload`),
before Great Expectations is imported, and only on the version it was written
against (:data:`cchc.validation.ge_speedups.FOR_VERSION`, as those speedups). The
verdicts are the same as without it: tests/test_ge_unused.py runs every
committed suite on the bundled quarters and on failing inputs in a helper
and in line and compares their Great Expectations results.
"""
from __future__ import annotations

import importlib.abc
import importlib.machinery
import logging
import sys
import types

from .ge_speedups import FOR_VERSION  # the one pinned version both were written against

log = logging.getLogger(__name__)

_FLUENT = "great_expectations.datasource.fluent."
# imported by great_expectations.datasource.fluent (its __init__), and only through it
MODULES = frozenset(_FLUENT + name for name in (
    "alloy_datasource", "aurora_datasource", "bigquery_datasource", "citus_datasource", "databricks_sql_datasource",
    "fabric", "fabric_datasource", "neon_datasource", "postgres_datasource", "redshift_datasource",
    "snowflake_datasource", "spark_azure_blob_storage_datasource", "spark_datasource", "spark_dbfs_datasource",
    "spark_file_path_datasource", "spark_filesystem_datasource", "spark_google_cloud_storage_datasource",
    "spark_s3_datasource", "sql_datasource", "sql_server_datasource", "sqlite_datasource",
))


class NotLoadedError(AttributeError):
    """A stand-in of :mod:`cchc.validation.ge_unused` was used (called, or an
    attribute read): an AttributeError, so ``getattr(cls, name, default)``
    and ``hasattr`` answer as for a missing attribute."""


class _Inert(type):
    """The type of a stand-in class: only identity, isinstance and
    issubclass work; anything else says the module is not loaded."""

    def __call__(cls, *args, **kwargs):
        raise NotLoadedError(cls._not_loaded())

    def __getattr__(cls, attr):
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)  # what Python itself probes (e.g. __mro_entries__)
        raise NotLoadedError(cls._not_loaded())

    def _not_loaded(cls) -> str:
        return (f"{cls.__module__}.{cls.__qualname__}: this Great Expectations data source is not loaded in the "
                "validation helper (cchc.validation.ge_unused)")


class _StandInLoader(importlib.abc.Loader):
    def create_module(self, spec):
        return None  # the default module

    def exec_module(self, module: types.ModuleType) -> None:
        made: dict[str, type] = {}

        def __getattr__(name: str):
            if name.startswith("__") and name.endswith("__"):
                raise AttributeError(name)
            if name not in made:
                made[name] = _Inert(name, (), {"__module__": module.__name__, "__qualname__": name,
                                               "__doc__": "Not loaded (cchc.validation.ge_unused)."})
            return made[name]

        module.__getattr__ = __getattr__
        module.__doc__ = "Stand-in: not loaded in the validation helper (cchc.validation.ge_unused)."


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name in MODULES:
            return importlib.machinery.ModuleSpec(name, _StandInLoader(), is_package=False)
        return None


def installed() -> bool:
    return any(isinstance(f, _Finder) for f in sys.meta_path)


def install() -> bool:
    """Put the finder first (call before Great Expectations is imported);
    False, leaving everything as it is, when Great Expectations is already
    imported or is not the version ``FOR_VERSION``."""
    if installed():
        return True
    if "great_expectations" in sys.modules:
        return False  # too late: the real modules are loaded
    from importlib import metadata

    try:
        version = metadata.version("great_expectations")
    except metadata.PackageNotFoundError:
        return False
    if version != FOR_VERSION:
        log.info("great_expectations %s: its Spark and SQL data sources are loaded (stand-ins written for %s)",
                 version, FOR_VERSION)
        return False
    sys.meta_path.insert(0, _Finder())
    return True
