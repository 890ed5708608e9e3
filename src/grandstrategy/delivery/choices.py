"""Delivery's closed vocabularies and defaults as plain values, without pydantic.

The schemas use them for validation; the command line names them in its options, so that a
command's ``--help`` lists the choices and defaults without importing the schemas' libraries."""

from __future__ import annotations

from enum import StrEnum

# Days between two check-ins on an objective, unless the reader asks for another cycle.
DEFAULT_CYCLE_DAYS = 90


class OwnerStatus(StrEnum):
    on_track = "on-track"
    at_risk = "at-risk"
    off_track = "off-track"
    done = "done"


class Rating(StrEnum):
    green = "green"
    amber_green = "amber-green"
    amber_red = "amber-red"
    red = "red"
