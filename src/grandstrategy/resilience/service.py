"""Resilience services, in one place for the CLI, the API and the pages.

Every function takes the acting user, checks the action (``resilience.read`` to read,
``resilience.assess`` to write), reads through ``restrict()`` and audits every write in the
caller's transaction. None commits: the CLI's or the request's unit of work does.
"""

from grandstrategy.resilience.analysis import (
    DEFAULT_RECOVERY_DAYS,
    FORMULA,
    compare_scenarios,
    gap_objectives,
    get_scenario,
    list_scenarios,
    objective_from_gap,
    rank,
    run_scenario,
    save_scenario,
    uncertainty,
)
from grandstrategy.resilience.assess import (
    assessments,
    autonomy,
    overview,
    record_assessment,
    set_autonomy,
)
from grandstrategy.resilience.matrices import (
    get_matrix,
    indices,
    list_matrices,
    save_matrix,
    sector_matrix,
)

__all__ = [
    "DEFAULT_RECOVERY_DAYS",
    "FORMULA",
    "assessments",
    "autonomy",
    "compare_scenarios",
    "gap_objectives",
    "get_matrix",
    "get_scenario",
    "indices",
    "list_matrices",
    "list_scenarios",
    "objective_from_gap",
    "overview",
    "rank",
    "record_assessment",
    "run_scenario",
    "save_matrix",
    "save_scenario",
    "sector_matrix",
    "set_autonomy",
    "uncertainty",
]
