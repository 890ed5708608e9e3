"""Resilience services, in one place for the CLI, the API and the pages.

Every function takes the acting user, checks the action (``resilience.read`` to read,
``resilience.assess`` to write), reads through ``restrict()`` and audits every write in the
caller's transaction. None commits: the CLI's or the request's unit of work does.
"""

from grandstrategy.resilience.assess import (
    assessments,
    autonomy,
    overview,
    record_assessment,
    set_autonomy,
)
from grandstrategy.resilience.bare_iim import run_iim_file
from grandstrategy.resilience.catalogue import Sector, load_catalogue
from grandstrategy.resilience.charts import (
    cascade_svg,
    gaps_svg,
    maturity_heatmap_svg,
    network_svg,
    trend_svg,
)
from grandstrategy.resilience.gaps import FORMULA, gap_objectives, objective_from_gap, rank
from grandstrategy.resilience.matrix_store import (
    activate_matrix,
    get_matrix,
    indices,
    list_matrices,
    save_consequence_matrix,
    save_matrix,
    sector_matrix,
)
from grandstrategy.resilience.scenarios import (
    DEFAULT_RECOVERY_DAYS,
    compare_scenarios,
    get_scenario,
    list_scenarios,
    run_scenario,
    save_scenario,
    uncertainty,
)
from grandstrategy.resilience.sector_matrix import SectorMatrix

# Besides its own functions, the service names what the adapters need from the pure modules
# behind it (catalogue, charts, the IIM maths), so that they import this module only.
__all__ = [
    "DEFAULT_RECOVERY_DAYS",
    "FORMULA",
    "Sector",
    "SectorMatrix",
    "activate_matrix",
    "assessments",
    "autonomy",
    "cascade_svg",
    "compare_scenarios",
    "gap_objectives",
    "gaps_svg",
    "get_matrix",
    "get_scenario",
    "indices",
    "list_matrices",
    "list_scenarios",
    "load_catalogue",
    "maturity_heatmap_svg",
    "network_svg",
    "objective_from_gap",
    "overview",
    "rank",
    "record_assessment",
    "run_iim_file",
    "run_scenario",
    "save_consequence_matrix",
    "save_matrix",
    "save_scenario",
    "sector_matrix",
    "set_autonomy",
    "trend_svg",
    "uncertainty",
]
