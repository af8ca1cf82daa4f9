"""Which parts of its context a page notebook read, so that a rebuild runs
again only the pages whose parts changed.

A page's context holds every quarter's figures, but most pages show a few of
them: the procedure pages show the procedures table, not the survey. When
one quarter's survey file changes, the cache key of every site page changes
(it names the whole context), yet the procedure pages would come out byte
for byte the same.

**In a kernel of the build** (:mod:`cchc.build.warm`), :func:`start` turns
recording on before each notebook. The context the notebook then loads with
:func:`cchc.pages.site_context` or :func:`cchc.pages.quarter_context`
(:func:`watch`) records every part read, as a path from the context:

- ``["a", name]``: an attribute of the context or of a quarter's results;
- ``["i", key]``: one entry of ``results``, ``manifests`` or ``quality`` (site
  context) or of a quarter's ``breakdowns``;
- a path ending in ``["k"]``: the keys of such a mapping (its length, a loop
  over it, ``in``);
- a path ending in ``["t"]``: which kind of value is there (a quarter's
  results, or nothing), when the code goes on to read parts of it.

A path without an end marker stands for the whole value there. Anything the
recorder does not follow (a copy, a pickle, ``vars()``) counts as reading the
whole object. :func:`save` writes the paths after the last cell, with
``"files": true`` when the notebook opened a file of the data or plan folders
itself (not through its context): such a page is never reused this way.

**In the build**, :func:`digests` gives the digest of each path in the context
file of this build (:func:`cchc.digest.value_digest`). The build keeps, per page (notebook,
package and title), the paths and digests of its last run
(:mod:`cchc.build.execute`); when every digest is the same, the page's output
is the same and its notebook is not run again.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from .digest import value_digest

#: (owner class, attribute) whose mapping is followed entry by entry
MAPPINGS = {("SiteContext", "results"), ("SiteContext", "manifests"), ("SiteContext", "quality"),
            ("QuarterResults", "breakdowns")}
#: classes whose attributes are followed one by one
OBJECTS = ("SiteContext", "QuarterContext", "QuarterResults")
_PATH = "_cchc_read_path"

_reads: set | None = None  # paths read by the current notebook, as JSON strings; None: not recording
_roots: set = set()  # context files loaded by the current notebook
_folders: tuple = ()  # folders a page must not read by itself (data, plan)
_opened: list = [False]  # a file in those folders was opened
_hooked = False
_classes: dict = {}


# --------------------------------------------------------------------------- kernel side
def start(folders=()) -> None:
    """Record from now on (before a notebook's first cell); ``folders``: the
    data and plan folders (a page that opens a file there itself is marked)."""
    global _reads, _folders, _hooked
    _reads = set()
    _roots.clear()
    _folders = tuple(os.path.realpath(f) for f in folders if f)
    _opened[0] = False
    if not _hooked:
        sys.addaudithook(_audit)  # cannot be removed; it does nothing while not recording
        _hooked = True


def save(path) -> None:
    """Write what was read since :func:`start` to ``path`` (JSON) and stop recording."""
    global _reads
    reads, _reads = _reads, None
    doc = {"contexts": sorted(_roots), "reads": sorted(reads or ()), "files": _opened[0]}
    Path(path).write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def _audit(event: str, args) -> None:
    if _reads is None or event != "open" or not _folders or _opened[0]:
        return
    target = args[0] if args else None
    if isinstance(target, (str, bytes, os.PathLike)):
        try:
            where = os.path.realpath(os.fsdecode(target))
        except (TypeError, ValueError):
            return
        if any(where == f or where.startswith(f + os.sep) for f in _folders):
            _opened[0] = True


def watch(ctx, context_file):
    """``ctx`` loaded from ``context_file``, recording what is read of it while
    :func:`start` is in effect; unchanged otherwise."""
    if _reads is None:
        return ctx
    _roots.add(os.path.realpath(str(context_file)))
    return _follow((), ctx)


def _record(path: tuple) -> None:
    if _reads is not None:
        _reads.add(json.dumps(path, ensure_ascii=False))


def _follow(path: tuple, value):
    """The value read at ``path``: recorded as a whole, or (a followed object,
    made to record what is read of it, or a followed mapping) only its kind."""
    if isinstance(value, _Mapping):
        _record(path + (("t",),))
        return value
    if _followed_class(type(value)) is not None:
        _record(path + (("t",),))
        cls = _tracked_class(type(value))
        if type(value) is not cls:
            value.__dict__[_PATH] = path
            value.__class__ = cls
        return value
    _record(path)
    return value


def _followed_class(cls):
    """The context class ``cls`` is (or follows), if it is one of :data:`OBJECTS`."""
    for c in cls.__mro__:
        if c.__name__ in OBJECTS and c.__module__.startswith("cchc."):
            return c
    return None


def _tracked_class(cls):
    cls = _followed_class(cls)
    sub = _classes.get(cls)
    if sub is not None:
        return sub
    owner = cls.__name__

    def __getattribute__(self, name):
        value = object.__getattribute__(self, name)
        if name.startswith("__") or name == _PATH:
            if name == "__dict__":  # vars(), an update from outside: everything may be read
                _record(_path_of(self))
            return value
        if callable(value) and getattr(value, "__self__", None) is self:
            return value  # a method: what it reads through self is recorded
        path = _path_of(self) + (("a", name),)
        if (owner, name) in MAPPINGS and type(value) is dict and name in object.__getattribute__(self, "__dict__"):
            # followed from now on, in place: the notebook sees one mapping, as without recording
            value = _Mapping(value, path)
            object.__setattr__(self, name, value)
        return _follow(path, value)

    def __reduce_ex__(self, protocol):  # copy, deepcopy, pickle: the whole object is read
        _record(_path_of(self))
        state = {k: v for k, v in object.__getattribute__(self, "__dict__").items() if k != _PATH}
        return _plain, (cls, state)

    sub = type("_Tracked" + owner, (cls,), {"__getattribute__": __getattribute__,
                                            "__reduce_ex__": __reduce_ex__, "__module__": cls.__module__})
    _classes[cls] = sub
    return sub


def _plain(cls, state: dict):
    """A copy (or an unpickled one) of a followed object: the plain class, not followed."""
    obj = cls.__new__(cls)
    obj.__dict__.update(state)
    return obj


def _path_of(obj) -> tuple:
    try:
        return object.__getattribute__(obj, _PATH)
    except AttributeError:  # made by dataclasses.replace and the like: the whole object counts
        return ()


class _Mapping(dict):
    """A followed mapping: each entry read is recorded; looking at all of them
    records the keys and every entry."""

    def __init__(self, items: dict, path: tuple):
        super().__init__(items)
        self._path = path

    def _entry(self, key):
        if not isinstance(key, str):
            _record(self._path)
            return dict.__getitem__(self, key)
        if not dict.__contains__(self, key):
            self._keys()  # its absence is what was read
            raise KeyError(key)
        return _follow(self._path + (("i", key),), dict.__getitem__(self, key))

    def _keys(self) -> None:
        _record(self._path + (("k",),))

    def __getitem__(self, key):
        return self._entry(key)

    def get(self, key, default=None):
        if dict.__contains__(self, key):
            return self._entry(key)
        self._keys()
        return default

    def __contains__(self, key):
        self._keys()
        return dict.__contains__(self, key)

    def __len__(self):
        self._keys()
        return dict.__len__(self)

    def __iter__(self):
        self._keys()
        return dict.__iter__(self)

    def keys(self):
        self._keys()
        return dict.keys(self)

    def items(self):
        self._keys()
        return [(k, self._entry(k)) for k in dict.keys(self)]

    def values(self):
        return [v for _, v in self.items()]

    def __eq__(self, other):
        _record(self._path)
        return dict.__eq__(self, other)

    __hash__ = None

    def __reduce_ex__(self, protocol):
        _record(self._path)
        return dict, (dict(dict.items(self)),)

    def copy(self):
        _record(self._path)
        return dict(dict.items(self))


# --------------------------------------------------------------------------- build side
def digests(ctx, paths: list[str]) -> list[str]:
    """The digest of every path (JSON, as :func:`save` wrote them) in ``ctx``."""
    return [_digest(ctx, json.loads(p)) for p in paths]


def _digest(ctx, path: list) -> str:
    value = ctx
    for i, step in enumerate(path):
        op = step[0]
        if op in ("k", "t") and i == len(path) - 1:  # the keys of the mapping there, or its kind
            value = ("keys", list(value.keys()) if isinstance(value, dict) else None) if op == "k" \
                else ("type", type(value).__name__)
            break
        try:
            value = getattr(value, step[1]) if op == "a" else value[step[1]]
        except (AttributeError, KeyError, TypeError, IndexError):
            return "missing"
    try:
        return value_digest(value)
    except Exception:  # noqa: BLE001 - something that cannot be pickled never matches
        return "unpicklable"
