"""Input checked against a pydantic model, with every problem named: the one way the CLI and
the pages turn a ValidationError into an :class:`Invalid` a person can act on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from grandstrategy.core.errors import Invalid

M = TypeVar("M", bound=BaseModel)


def problems(exc: ValidationError, label: Callable[[str], str] | None = None) -> list[str]:
    """One line per problem: ``field.sub: what is wrong``; ``label`` renames the top field
    (e.g. to what a form calls it)."""
    out = []
    for e in exc.errors():
        loc = [str(p) for p in e["loc"]]
        where = (label(loc[0]) if label and loc else ".".join(loc[:1])) + "".join(
            f".{p}" for p in loc[1:]
        )
        out.append(f"{where or '(record)'}: {str(e['msg']).removeprefix('Value error, ')}")
    return out


def validated(
    model: type[M],
    data: dict[str, Any],
    message: str,
    *,
    label: Callable[[str], str] | None = None,
) -> M:
    """``model`` built from ``data``, or :class:`Invalid` with ``message`` and each problem."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise Invalid(message, details=problems(exc, label)) from None
