"""Issue 15: the copier of cchc.validation.pydantic_copy gives what
``copy.deepcopy``'s generic way gives, for every field of every pydantic
model class of Great Expectations, and Great Expectations' models come out
the same with it."""
from __future__ import annotations

import contextlib
import copy
import copyreg
import pytest

from child_process import run_json

from cchc.validation import pydantic_copy

pytest.importorskip("pydantic.v1")
from pydantic.v1 import BaseModel  # noqa: E402
from pydantic.v1.fields import FieldInfo, ModelField  # noqa: E402


@contextlib.contextmanager
def _copier(on: bool):
    """copy.deepcopy with the copier registered (on) or the generic way (off)."""
    classes = pydantic_copy.field_classes()
    saved = {c: copy._deepcopy_dispatch.pop(c, None) for c in classes}
    try:
        if on:
            for c in classes:
                copy._deepcopy_dispatch[c] = pydantic_copy._copy_slotted
        yield
    finally:
        for c, v in saved.items():
            copy._deepcopy_dispatch.pop(c, None)
            if v is not None:
                copy._deepcopy_dispatch[c] = v


def _both(obj):
    with _copier(False):
        generic = copy.deepcopy(obj)
    with _copier(True):
        fast = copy.deepcopy(obj)
    return generic, fast


def _state(x) -> dict:
    """What deepcopy copies of ``x``: its slots that are set, then its __dict__."""
    out = {}
    for name in copyreg._slotnames(type(x)):
        try:
            out[name] = getattr(x, name)
        except AttributeError:
            pass
    out.update(getattr(x, "__dict__", {}))
    return out


def _same_graph(orig, a, b, pairs: dict, path: str = "") -> None:
    """``a`` and ``b`` (two deep copies of ``orig``) are the same object graph:
    the same types and values, the same objects shared with the original, and
    the same objects shared within the copy."""
    assert type(a) is type(b), path
    assert (a is orig) == (b is orig), f"{path}: one copy shares the original, the other does not"
    if id(a) in pairs:
        assert pairs[id(a)] is b, f"{path}: shared in one copy only"
        return
    pairs[id(a)] = b
    if a is b:
        return  # the original itself (atomic, or kept by both)
    if isinstance(a, dict):
        assert list(a) == list(b), path
        for (k, v), ka, kb in zip(orig.items(), a, b):
            _same_graph(k, ka, kb, pairs, f"{path}[{k!r}] key")
            _same_graph(v, a[ka], b[kb], pairs, f"{path}[{k!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b) == len(orig), path
        for i, (o, x, y) in enumerate(zip(orig, a, b)):
            _same_graph(o, x, y, pairs, f"{path}[{i}]")
    elif isinstance(a, (set, frozenset)):
        assert a == b, path
    else:
        so, sa, sb = _state(orig), _state(a), _state(b)
        assert list(sa) == list(sb) == list(so), f"{path}: attributes {list(sa)} / {list(sb)}"
        for k in sa:
            _same_graph(so[k], sa[k], sb[k], pairs, f"{path}.{k}")
        if not sa and type(a).__eq__ is not object.__eq__:  # a value without Python state (e.g. a date)
            assert a == b, path


def _ge_model_classes() -> list[type]:
    from cchc.validation import suite_run

    suite_run._gx()  # Great Expectations imported, its models created
    found, todo = [], [BaseModel]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("great_expectations"):
                found.append(sub)
    return sorted(set(found), key=lambda c: (c.__module__, c.__qualname__))


def test_the_copier_gives_the_generic_copy_of_every_ge_models_fields():
    classes = _ge_model_classes()
    assert len(classes) > 300  # the expectations, assets and configurations of GE 1.24
    fields = 0
    for cls in classes:
        generic, fast = _both(cls.__fields__)
        _same_graph(cls.__fields__, generic, fast, {}, cls.__qualname__)
        fields += len(cls.__fields__)
    assert fields > 2000


def test_a_cycle_and_shared_parts_are_copied_as_the_generic_way_copies_them():
    field = ModelField.infer(name="x", value=[1, [2]], annotation=list, class_validators=None,
                             config=BaseModel.__config__)
    field.field_info.extra["self"] = field  # a cycle back to the field
    field.field_info.extra["default again"] = field.default  # a list shared twice
    field.field_info.extra["info"] = FieldInfo(default=field.default)  # and inside another slotted object
    generic, fast = _both({"x": field, "y": field})
    _same_graph({"x": field, "y": field}, generic, fast, {})
    assert fast["x"] is fast["y"] and fast["x"].field_info.extra["self"] is fast["x"]
    assert fast["x"].default is fast["x"].field_info.extra["default again"] is not field.default
    assert fast["x"].field_info.extra["info"].default is fast["x"].default


def test_a_copier_that_forgets_the_memo_is_caught():
    """The comparison above fails when the copy differs: a copier that
    records the copy in the memo only after its contents breaks the cycle."""
    def late_memo(x, memo):
        cls = x.__class__
        y = cls.__new__(cls)
        for name in copyreg._slotnames(cls):
            with contextlib.suppress(AttributeError):
                setattr(y, name, copy.deepcopy(getattr(x, name), memo))
        memo[id(x)] = y
        return y

    field = ModelField.infer(name="x", value=1, annotation=int, class_validators=None, config=BaseModel.__config__)
    field.field_info.extra["self"] = field
    with _copier(False):
        generic = copy.deepcopy(field)
    saved = copy._deepcopy_dispatch.pop(FieldInfo, None)
    copy._deepcopy_dispatch[ModelField] = late_memo
    try:
        wrong = copy.deepcopy(field)
    finally:
        copy._deepcopy_dispatch.pop(ModelField, None)
        if saved is not None:
            copy._deepcopy_dispatch[FieldInfo] = saved
        pydantic_copy.install()
    with pytest.raises(AssertionError):
        _same_graph(field, generic, wrong, {})


def test_only_classes_copied_from_their_slots_alone_qualify():
    assert all(pydantic_copy.plain_slotted(c) for c in pydantic_copy.field_classes())

    class WithDict(ModelField):  # no __slots__ of its own: its objects have a __dict__
        pass

    class WithHook(ModelField):
        __slots__ = ()

        def __deepcopy__(self, memo):
            return self

    class WithState(FieldInfo):
        __slots__ = ()

        def __getstate__(self):
            return {}

    assert not any(pydantic_copy.plain_slotted(c) for c in (WithDict, WithHook, WithState))


DUMP = r"""
import json, re, sys
if sys.argv[1] == "on":
    from cchc.validation import pydantic_copy
    assert pydantic_copy.install() == ["ModelField", "FieldInfo", "Validator"]
import great_expectations
from pydantic.v1 import BaseModel
def tidy(x):
    return re.sub(r" at 0x[0-9a-f]+", "", repr(x))
out, todo = {}, [BaseModel]
while todo:
    cls = todo.pop()
    for sub in cls.__subclasses__():
        todo.append(sub)
        if sub.__module__.startswith("great_expectations"):
            out[f"{sub.__module__}.{sub.__qualname__}"] = [
                [n, tidy(f.outer_type_), tidy(f.default), f.required, f.alias, f.shape, tidy(f.field_info),
                 sorted(v.func.__qualname__ for v in (f.class_validators or {}).values()),
                 [tidy(s.outer_type_) for s in (f.sub_fields or [])]]
                for n, f in sub.__fields__.items()]
print(json.dumps(out, sort_keys=True))
"""


def test_great_expectations_models_are_the_same_with_the_copier():
    """Great Expectations imported in two fresh processes, with and without
    the copier: every model class has the same fields."""
    outs = {mode: run_json(DUMP, mode) for mode in ("off", "on")}
    assert len(outs["on"]) > 300
    assert outs["on"] == outs["off"]


def test_the_validation_helper_creates_ges_models_with_the_copier():
    assert run_json("import copy, json, cchc.validation.preload\n"
                    "from pydantic.v1.fields import ModelField\n"
                    "from cchc.validation import pydantic_copy\n"
                    "print(json.dumps(copy._deepcopy_dispatch.get(ModelField) is pydantic_copy._copy_slotted))") is True
