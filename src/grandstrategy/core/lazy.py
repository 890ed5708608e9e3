"""Modules imported where they are first used, so that a command's ``--help`` stays fast.

A command module names the services it calls at the top, as usual, but binds them lazily::

    if TYPE_CHECKING:
        from grandstrategy.horizon import service
    else:
        service = lazy.module("grandstrategy.horizon.service")

mypy reads the real import and checks every call; at run time the first ``service.search``
imports the module (an ordinary import, with its usual errors) and later uses find it in
``sys.modules``. Listing a group's commands and their options then costs typer and rich, not
SQLAlchemy, pydantic, NumPy or scikit-learn.
"""

from __future__ import annotations

import importlib
from typing import Any


class LazyModule:
    """Stands for the module ``name`` and imports it on the first attribute read."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        object.__setattr__(self, "_name", name)

    def __getattr__(self, attribute: str) -> Any:
        return getattr(importlib.import_module(self._name), attribute)

    def __setattr__(self, attribute: str, value: Any) -> None:
        raise AttributeError(f"set {attribute!r} on the module {self._name!r} itself")

    def __repr__(self) -> str:
        return f"<lazy module {self._name!r}>"


def module(name: str) -> Any:
    """A stand-in for the module ``name``, imported when one of its names is first read."""
    return LazyModule(name)
