"""Great Expectations' pydantic models are created faster: their base
class's fields are deep-copied without Python's generic copy protocol.

Importing Great Expectations creates about 360 pydantic v1 model classes
(its expectations, data assets, configurations). For each one, pydantic v1
deep-copies every field of its base classes (``ModelMetaclass.__new__``:
``smart_deepcopy(base.__fields__)``): about 3.800 ``ModelField``, 3.800
``FieldInfo`` and 440 ``Validator`` objects in all. These classes keep their
attributes in ``__slots__`` and define no copy hooks, so ``copy.deepcopy``
takes its generic way for each one: ``__reduce_ex__`` builds a state tuple
and a dict of the slots, both are deep-copied, then set one by one. That
was 0,43–0,54 s of the validation helper's start-up of about 2,4 s (three
runs, issue 15), on the critical path of every validation.

:func:`install` registers a copier for those three classes in ``copy``'s own
dispatch table, which does the same thing directly: a new object of the same
class (``cls.__new__(cls)``), recorded in the memo before its contents are
copied, then each slot that is set, in the order of
``copyreg._slotnames`` (the list ``__reduce_ex__`` uses), deep-copied with
the same memo and set. What is copied inside a slot (defaults, dicts,
typing aliases) goes through ``copy.deepcopy`` as before. The result is the
same object graph, shared references included; tests/test_pydantic_copy.py
compares it with the generic copy for every field of every model class of
Great Expectations. The copy takes 0,19–0,23 s instead.

The copier is registered only for a class that still fits this description
(every class of its MRO has ``__slots__`` and none a ``__dict__``; no
``__deepcopy__``, ``__reduce__``, ``__reduce_ex__``, ``__getstate__``,
``__setstate__`` or ``__setattr__`` of its own): otherwise that class keeps
the generic way.
"""
from __future__ import annotations

import copy
import copyreg
import logging

log = logging.getLogger(__name__)

# the hooks that would change how copy.deepcopy copies an object of the class
_HOOKS = ("__deepcopy__", "__reduce__", "__reduce_ex__", "__getstate__", "__setstate__")


def _copy_slotted(x, memo):
    """``copy.deepcopy`` of ``x``, an object whose class qualifies (see
    :func:`plain_slotted`), without the state tuple and dict."""
    cls = x.__class__
    y = cls.__new__(cls)
    memo[id(x)] = y  # before the contents: a cycle back to x finds the copy
    deepcopy = copy.deepcopy
    for name in copyreg._slotnames(cls):
        try:
            value = getattr(x, name)
        except AttributeError:  # an unset slot is not part of the state
            continue
        setattr(y, name, deepcopy(value, memo))
    return y


def plain_slotted(cls: type) -> bool:
    """True if ``copy.deepcopy`` copies objects of ``cls`` the generic way,
    from their slots only, so :func:`_copy_slotted` copies them the same."""
    for klass in cls.__mro__[:-1]:  # all but object
        slots = klass.__dict__.get("__slots__")
        if slots is None:
            return False  # instances have a __dict__
        if "__dict__" in ([slots] if isinstance(slots, str) else list(slots)):
            return False
    for hook in _HOOKS:
        if getattr(cls, hook, None) is not getattr(object, hook, None):
            return False
    return "__setattr__" not in {k for klass in cls.__mro__[:-1] for k in klass.__dict__}


def field_classes() -> tuple[type, ...]:
    """Pydantic v1's field classes (the ones Great Expectations uses), or ()
    when pydantic's v1 API is not installed."""
    try:
        from pydantic.v1.class_validators import Validator
        from pydantic.v1.fields import FieldInfo, ModelField
    except ImportError:
        return ()
    return ModelField, FieldInfo, Validator


def install() -> list[str]:
    """Register the copier for each field class that qualifies (call before
    Great Expectations is imported); returns the names of those registered."""
    done = []
    for cls in field_classes():
        current = copy._deepcopy_dispatch.get(cls)
        if current is _copy_slotted:
            done.append(cls.__name__)
        elif current is None and plain_slotted(cls):
            copy._deepcopy_dispatch[cls] = _copy_slotted
            done.append(cls.__name__)
        else:
            log.debug("pydantic_copy: %s is copied the generic way", cls.__qualname__)
    return done
