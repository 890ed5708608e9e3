"""The delivery part of the illustrative example (``examples/delivery``): a year of
check-ins, milestones and judgements, the deployments register with a review round,
capability targets, and Defence's departmental strategy. Loaded through the service, as
the local operator, once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grandstrategy.core.authz import Principal
from grandstrategy.delivery import service
from grandstrategy.delivery.models import CheckIn
from grandstrategy.delivery.schemas import (
    CapabilityTargetCreate,
    CheckInCreate,
    DeploymentCreate,
    JudgementCreate,
    MilestoneCreate,
    ProposalCreate,
)
from grandstrategy.strategy import service as strategy_service


@dataclass(frozen=True)
class ExampleReport:
    objectives: int
    checkins: int
    judgements: int
    milestones: int
    deployments: int = 0
    proposals: int = 0
    capability_targets: int = 0
    departmental_objectives: int = 0


def folder() -> Path:
    return Path(str(resources.files("grandstrategy.examples").joinpath("delivery")))


def _yaml(name: str) -> Any:
    return yaml.safe_load((folder() / name).read_text(encoding="utf-8"))


def _tracking(
    session: Session, user: Principal, tracking: dict[str, Any]
) -> tuple[int, int, int, int]:
    """Milestones, check-ins and judgements per objective: (objectives, check-ins,
    judgements, milestones) recorded."""
    counts = [0, 0, 0, 0]
    for oid, spec in tracking.items():
        marking = spec.get("marking", "UNCLASSIFIED")
        counts[0] += 1
        for m in spec.get("milestones", []):
            service.add_milestone(session, user=user, objective=oid,
                                  data=MilestoneCreate(marking=marking, **m))  # fmt: skip
            counts[3] += 1
        for c in spec.get("checkins", []):
            data = CheckInCreate(
                status=c["status"],
                values=[{"name": k, "value": v} for k, v in c.get("values", {}).items()],
                narrative=c.get("note", ""),
                evidence=c.get("evidence", []),
                next_milestone=c.get("next", ""),
                reported_on=c["date"],
                marking=marking,
            )
            service.check_in(session, user=user, objective=oid, data=data)
            counts[1] += 1
        for j in spec.get("judgements", []):
            data_j = JudgementCreate(rating=j["rating"], reason=j["reason"], judged_on=j["date"],
                                     marking=marking)  # fmt: skip
            service.judge(session, user=user, objective=oid, data=data_j)
            counts[2] += 1
    return counts[0], counts[1], counts[2], counts[3]


def _deployments(session: Session, user: Principal) -> tuple[int, int]:
    spec = _yaml("deployments.yaml")
    for d in spec["deployments"]:
        service.add_deployment(session, user=user, data=DeploymentCreate(**d))
    review = spec["review"]
    year = int(review["year"])
    service.open_round(session, user=user, year=year, departments=review["departments"])
    for p in review["proposals"]:
        service.propose(session, user=user, year=year, data=ProposalCreate(**p))
    for s in review["signoffs"]:
        service.sign_off(session, user=user, year=year, department=s["department"],
                         note=s.get("note", ""))  # fmt: skip
    return len(spec["deployments"]), len(review["proposals"])


def _editions(session: Session, user: Principal) -> tuple[int, int, int, int]:
    """Approve the strategy as loaded (with the short-term objectives the approved edition
    held), fine-tune it (records added, changed, removed) and approve it again: two frozen
    editions for the five-yearly review. The first is dated as the Council decided it."""
    spec = _yaml("editions.yaml")
    strategy = strategy_service.current(session, user)
    if strategy_service.editions(session, user=user, strategy=strategy):
        return 0, 0, 0, 0  # the strategy already has editions: leave it alone
    first = spec["first"]
    for a in first.get("add", []):
        strategy_service.create_record(session, user=user, component=a["component"],
                                       data=dict(a["record"]))  # fmt: skip
    decided = dt.datetime.combine(first["decided_on"], dt.time(12), dt.UTC)
    strategy_service.freeze(session, user=user, strategy=strategy, status="approved",
                            note=first["note"], decided_at=decided)  # fmt: skip
    for a in spec.get("add", []):
        strategy_service.create_record(session, user=user, component=a["component"],
                                       data=dict(a["record"]))  # fmt: skip
    for c in spec.get("changes", []):
        strategy_service.update_record(session, user=user, component=c["component"],
                                       rid=c["id"], changes=dict(c["changes"]))  # fmt: skip
    for r in spec.get("remove", []):
        strategy_service.delete_record(session, user=user, component=r["component"],
                                       rid=r["id"])  # fmt: skip
    tracked = _tracking(session, user, spec.get("tracking", {}))
    strategy_service.freeze(session, user=user, strategy=strategy, status="approved",
                            note=spec["second"]["note"])  # fmt: skip
    return tracked


def _capabilities(session: Session, user: Principal) -> int:
    count = 0
    for cap, measures in _yaml("capability_targets.yaml").items():
        for measure, years in measures.items():
            for y in years:
                data = CapabilityTargetCreate(capability=cap, measure=measure, **y)
                service.record_target(session, user=user, data=data)
                count += 1
    return count


def _departmental(session: Session, user: Principal) -> int:
    """Defence's departmental strategy, each objective serving a national one."""
    spec = _yaml("departmental.yaml")
    key = strategy_service.derive(session, user=user, actor=spec["actor"]).id
    for o in spec["objectives"]:
        strategy_service.add_objective(session, user=user, key=key, data=dict(o))
    return len(spec["objectives"])


def load_example(
    session: Session, *, user: Principal, editions: bool = False
) -> ExampleReport | None:
    """Load everything once (after the strategy example); None when check-ins exist.

    With ``editions`` (first-run setup) the strategy is also approved twice, with records
    added, changed and removed between and the check-ins that make one objective met and one
    missed, so the five-yearly review has two frozen editions to compare.
    ``example load`` leaves the strategy a draft: other work starts from the draft."""
    if session.execute(select(func.count()).select_from(CheckIn)).scalar_one():
        return None
    objectives, checkins, judgements, milestones = _tracking(session, user, _yaml("tracking.yaml"))
    deployments, proposals = _deployments(session, user)
    targets = _capabilities(session, user)
    departmental = _departmental(session, user)
    if editions:
        more = _editions(session, user)
        objectives, checkins = objectives + more[0], checkins + more[1]
        judgements, milestones = judgements + more[2], milestones + more[3]
    return ExampleReport(
        objectives, checkins, judgements, milestones, deployments, proposals, targets, departmental
    )
