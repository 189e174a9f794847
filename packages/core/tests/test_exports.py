"""Every accord module with an ``__all__`` keeps it sorted and defined, with docstrings."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import accord
import accord.dialects


def _modules_with_all() -> list[str]:
    names = []
    # accord.dialects is a namespace package too: walk_packages does not descend into it.
    found = [
        *pkgutil.walk_packages(accord.__path__, prefix="accord."),
        *pkgutil.walk_packages(accord.dialects.__path__, prefix="accord.dialects."),
    ]
    for info in found:
        if info.name.endswith(".__main__"):
            continue
        module = importlib.import_module(info.name)
        if hasattr(module, "__all__"):
            names.append(info.name)
    return sorted(names)


MODULES = _modules_with_all()


def test_every_distribution_is_walked() -> None:
    roots = {name.split(".")[1] for name in MODULES}
    assert {"engine", "event", "orm", "sql", "dialects", "scoping", "testing", "exc"} <= roots


@pytest.mark.parametrize("modname", MODULES)
def test_module_all_is_sorted_and_defined(modname: str) -> None:
    module = importlib.import_module(modname)
    names = list(module.__all__)
    assert names == sorted(names)
    missing = [name for name in names if not hasattr(module, name)]
    assert not missing, f"{modname} exports undefined names {missing}"


@pytest.mark.parametrize("modname", MODULES)
def test_public_classes_and_functions_have_docstrings(modname: str) -> None:
    module = importlib.import_module(modname)
    assert module.__doc__, f"{modname} has no module docstring"
    undocumented = [
        name
        for name in module.__all__
        if (isinstance(obj := getattr(module, name), type) or hasattr(obj, "__code__"))
        and not obj.__doc__
    ]
    assert not undocumented, f"{modname}: {undocumented}"
