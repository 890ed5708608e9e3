"""What every resilience service shares: the actions, the catalogue checks, markings."""

from __future__ import annotations

from grandstrategy.core.authz import Principal
from grandstrategy.core.authz import most_specific_first as most_specific_first  # re-exported
from grandstrategy.core.errors import Invalid
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
