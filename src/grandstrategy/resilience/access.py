"""What every resilience service shares: the actions, the catalogue checks, markings."""

from __future__ import annotations

from typing import Any

from grandstrategy.core.authz import Principal
from grandstrategy.core.authz import most_specific_first as most_specific_first  # re-exported
from grandstrategy.core.errors import Conflict, Invalid
from grandstrategy.core.i18n import _
from grandstrategy.core.markings import Marking
from grandstrategy.resilience.catalogue import Catalogue, load_catalogue

READ, ASSESS = "resilience.read", "resilience.assess"


def catalogue() -> Catalogue:
    """The packaged catalogue (cached by the loader)."""
    return load_catalogue()


def sector_title(sector_id: str) -> str:
    """The sector's title in the reader's language (its id if the catalogue lacks it)."""
    cat = catalogue()
    return cat.sector(sector_id).label() if sector_id in cat.sector_ids else sector_id


def check_requirement(requirement: str, criterion: str | None = None) -> None:
    cat = catalogue()
    known = [s.id for s in cat.requirements]
    if requirement not in known:
        raise Invalid(
            _("unknown requirement {name!r}; known: {known}").format(
                name=requirement, known=", ".join(known)
            )
        )
    if criterion is not None:
        ids = [c.id for c in cat.sector(requirement).criteria]
        if criterion not in ids:
            raise Invalid(
                _("unknown criterion {name!r} of {requirement}; known: {known}").format(
                    name=criterion, requirement=requirement, known=", ".join(ids)
                )
            )


def check_marking(user: Principal, marking: str) -> Marking:
    m = Marking.parse(marking)
    if not user.can_read(m):
        raise Invalid(
            _(
                "marking {marking} is above your own clearance; you could not read the record"
            ).format(marking=m)
        )
    return m


def replaced(visible: list[Any], marking: Marking, what: str, name: str) -> Any | None:
    """Which visible record a save under ``name`` at ``marking`` replaces (None: a new one).

    The one at the same marking; else the only one the user sees (it is re-marked). Records
    the user cannot see never count: at a marking the user may read every record is visible,
    so a save never collides with a hidden one.
    """
    same = [r for r in visible if r.marking == marking]
    if same:
        return same[0]
    if len(visible) == 1:
        return visible[0]
    if visible:
        markings = ", ".join(str(r.marking) for r in visible)
        raise Conflict(
            _(
                "you see several {what} named {name!r} ({markings}); save with one of those "
                "markings to replace that one"
            ).format(what=what, name=name, markings=markings)
        )
    return None
