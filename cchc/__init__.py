"""cchc — the pipeline behind the CCHC transparency site of phường Chơn Thành.

Every stage lives in this package as plain functions; notebooks and
``pipeline.py`` only call them. See docs/architecture.md for the map.
"""

__version__ = "0.1.0"
