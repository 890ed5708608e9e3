"""Delivery services, in one place for the CLI, the API and the pages.

Every function takes the acting user, checks the action (``delivery.read`` to read,
``delivery.report`` for owners, ``delivery.judge`` for the secretariat, ``delivery.manage``
for the deployments register), reads through ``restrict()`` and audits every write in the
caller's transaction. None commits: the CLI's or the request's unit of work does.
"""

from sqlalchemy.orm import Session

from grandstrategy.core.authz import Principal
from grandstrategy.delivery.access import memberships
from grandstrategy.delivery.allies import history as budget_history
from grandstrategy.delivery.allies import path as budget_path
from grandstrategy.delivery.allies import standard_paths
from grandstrategy.delivery.capabilities import capability_values, record_target
from grandstrategy.delivery.charts import capability_svg, history_svg, paths_svg, trajectory_svg
from grandstrategy.delivery.choices import DEFAULT_CYCLE_DAYS
from grandstrategy.delivery.dashboard import dashboard, objective_delivery, owed
from grandstrategy.delivery.fiveyear import editions, five_year_review
from grandstrategy.delivery.packs import stocktake
from grandstrategy.delivery.render import Output
from grandstrategy.delivery.reviews import (
    DEFAULT_DEPARTMENTS,
    add_deployment,
    deployment,
    deployments,
    open_round,
    propose,
    review_pack,
    review_round,
    review_years,
    sign_off,
    update_deployment,
)
from grandstrategy.delivery.tracking import add_milestone, check_in, comment, judge


def my_actors(session: Session, *, user: Principal) -> list[str]:
    """The actors the user belongs to (for pages that offer owners their forms)."""
    return memberships(session, user)


__all__ = [
    "DEFAULT_CYCLE_DAYS",
    "DEFAULT_DEPARTMENTS",
    "Output",
    "add_deployment",
    "add_milestone",
    "budget_history",
    "budget_path",
    "capability_svg",
    "capability_values",
    "check_in",
    "comment",
    "dashboard",
    "deployment",
    "deployments",
    "editions",
    "five_year_review",
    "history_svg",
    "judge",
    "my_actors",
    "objective_delivery",
    "open_round",
    "owed",
    "paths_svg",
    "propose",
    "record_target",
    "review_pack",
    "review_round",
    "review_years",
    "sign_off",
    "standard_paths",
    "stocktake",
    "trajectory_svg",
    "update_deployment",
]
