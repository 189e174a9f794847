"""inspect(): registered inspectors, self-inspecting types and the error for the rest."""

from __future__ import annotations

import pytest

from accord import exc
from accord.inspection import inspect, register_inspector, register_self_inspecting


class _Thing:
    pass


class _SubThing(_Thing):
    pass


class _Inspector:
    def __init__(self, subject: object) -> None:
        self.subject = subject


@register_self_inspecting
class _SelfInspecting:
    pass


register_inspector(_Thing)(_Inspector)


def test_inspector_is_found_through_subclasses() -> None:
    thing = _SubThing()
    found = inspect(thing)
    assert isinstance(found, _Inspector)
    assert found.subject is thing


def test_self_inspecting_object_is_returned_as_is() -> None:
    obj = _SelfInspecting()
    assert inspect(obj) is obj


def test_uninspectable_object_raises_a_named_error() -> None:
    with pytest.raises(exc.NoInspectionAvailable, match="'int'"):
        inspect(5)
    assert inspect(5, raiseerr=False) is None
