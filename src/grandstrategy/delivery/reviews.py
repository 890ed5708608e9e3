"""The deployments register and its yearly review round.

Each year Foreign Affairs, Defence and Development (configurable actors) review every
operational deployment together: for each a proposal to continue, end or reorient it, with a
rationale, and proposals for new deployments tied to crisis scenarios. The round is complete
when every department has signed it off; each sign-off is recorded and audited. The review
pack is built only from what the reader may see and carries the highest marking in it.

A deployment names the objectives it serves and the threats it answers. On entry each must be
an objective or threat of the current strategy that the manager sees; on reading, a reader is
shown only those they see, and a manager who corrects a deployment keeps the links hidden
from them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from grandstrategy.core import audit, formats
from grandstrategy.core.authz import Principal, allowed, most_specific_first, require, restrict
from grandstrategy.core.errors import Conflict, Forbidden, Invalid, NotFound
from grandstrategy.core.i18n import _, lazy
from grandstrategy.core.markings import UNCLASSIFIED, Marking, combine
from grandstrategy.core.terms import term
from grandstrategy.delivery import render
from grandstrategy.delivery.access import MANAGE, READ, REPORT, check_marking, is_operator
from grandstrategy.delivery.access import memberships as my_actors
from grandstrategy.delivery.models import Deployment, Proposal, ReviewRound, SignOff
from grandstrategy.delivery.schemas import (
    DeploymentCreate,
    DeploymentRead,
    ProposalCreate,
    ProposalRead,
    ReviewRoundRead,
    SignOffRead,
)
from grandstrategy.strategy import service as strategy_service

DEFAULT_DEPARTMENTS = ("foreign-affairs", "defence", "dgd")


@dataclass(frozen=True)
class Links:
    """The current strategy's objectives and threats the reader sees: id -> title."""

    objectives: dict[str, str]
    threats: dict[str, str]


NO_LINKS = Links({}, {})
LINK_LABELS = {"objectives": lazy("Objectives served"), "threats": lazy("Threats addressed")}


def _links(session: Session, user: Principal) -> Links:
    if not allowed(user, "strategy.read"):
        return NO_LINKS
    try:
        strategy_service.get_strategy(session, user=user)
    except NotFound:  # no strategy yet: a deployment serves nothing named
        return NO_LINKS
    found = [
        {r.id: getattr(r, "title", r.id)
         for r in strategy_service.list_records(session, user=user, component=c)}
        for c in ("objectives", "threats")
    ]  # fmt: skip
    return Links(*found)


def _check_links(links: Links, data: DeploymentCreate) -> None:
    """Every objective and threat named must be one the manager sees, else Invalid."""
    for field, known, given in (
        ("objectives", links.objectives, data.objectives),
        ("threats", links.threats, data.threats),
    ):
        unknown = [x for x in given if x not in known]
        if unknown:
            label = f"{_(LINK_LABELS[field])} ({field})"  # as the form names the field
            raise Invalid(
                _("{field}: not in the strategy: {ids}").format(field=label, ids=", ".join(unknown))
            )


def _deployment_read(r: Deployment, links: Links) -> DeploymentRead:
    return DeploymentRead(
        key=r.key,
        name=r.name,
        framework=r.framework,
        theatre=r.theatre,
        personnel=r.personnel,
        annual_cost=r.annual_cost,
        start=r.start,
        end=r.end,
        objectives=[o for o in r.objectives if o in links.objectives],
        threats=[t for t in r.threats if t in links.threats],
        marking=str(r.marking),
    )


def _record(session: Session, user: Principal, action: str, kind: str, oid: Any,
            marking: Marking, after: Any) -> None:  # fmt: skip
    audit.record(session, actor=user, action=action, object_type=kind, object_id=oid,
                 marking=marking, after=after)  # fmt: skip


def _visible(session: Session, user: Principal, key: str) -> Deployment | None:
    """The deployment of ``key`` the user sees: of those they may read, the most highly
    marked (keys are unique per marking)."""
    q = most_specific_first(
        restrict(select(Deployment), user).where(Deployment.key == key), Deployment
    )
    return session.execute(q.limit(1)).scalar()


def _same_key_and_marking(
    session: Session, user: Principal, key: str, marking: Marking
) -> Deployment | None:
    """The deployment at exactly ``marking`` with ``key``: the user may read ``marking``, so
    it is never hidden from them and a clash names nothing they may not see."""
    q = restrict(select(Deployment), user).where(
        Deployment.key == key,
        Deployment.marking_level == marking.level,
        Deployment.marking_compartments == marking.column_compartments,
    )
    return session.execute(q).scalar()


def add_deployment(session: Session, *, user: Principal, data: DeploymentCreate) -> DeploymentRead:
    """Enter a deployment in the register."""
    require(user, MANAGE)
    marking = check_marking(user, data.marking)
    if data.end is not None and data.end < data.start:
        raise Invalid(_("a deployment cannot end before it starts"))
    if _same_key_and_marking(session, user, data.key, marking) is not None:
        raise Conflict(_("the key {key!r} is taken; choose another").format(key=data.key))
    links = _links(session, user)
    _check_links(links, data)
    row = Deployment(created_by=user.username,
                     **data.model_dump(exclude={"marking"}, mode="python"))  # fmt: skip
    row.framework = data.framework.value
    row.marking = marking
    session.add(row)
    session.flush()
    out = _deployment_read(row, links)
    _record(session, user, "delivery.deployment", "deployment", row.key, marking,
            out.model_dump(mode="json"))  # fmt: skip
    return out


def update_deployment(
    session: Session, *, user: Principal, key: str, data: DeploymentCreate
) -> DeploymentRead:
    """Correct a deployment the user may see (its key stays); audited with before and after,
    at the higher of the old and new markings."""
    require(user, MANAGE)
    row = _visible(session, user, key)
    if row is None:
        raise NotFound(_("deployment {key!r} not found").format(key=key))
    if data.key != key:
        raise Invalid(_("key: a deployment's key cannot be changed"))
    marking = check_marking(user, data.marking)
    if data.end is not None and data.end < data.start:
        raise Invalid(_("a deployment cannot end before it starts"))
    other = _same_key_and_marking(session, user, key, marking)
    if other is not None and other.id != row.id:
        raise Conflict(
            _("you see another deployment {key!r} marked {marking}; choose another marking").format(
                key=key, marking=marking
            )
        )
    links = _links(session, user)
    _check_links(links, data)
    before = _deployment_read(row, links)
    hidden_objectives = [o for o in row.objectives if o not in links.objectives]
    hidden_threats = [t for t in row.threats if t not in links.threats]
    for name, value in data.model_dump(exclude={"key", "marking"}, mode="python").items():
        setattr(row, name, value)
    row.objectives = [*data.objectives, *hidden_objectives]
    row.threats = [*data.threats, *hidden_threats]
    row.framework = data.framework.value
    old_marking, row.marking = row.marking, marking
    session.flush()
    out = _deployment_read(row, links)
    if out != before:
        audit.record(
            session,
            actor=user,
            action="delivery.deployment",
            object_type="deployment",
            object_id=key,
            marking=old_marking.join(marking),
            before=before.model_dump(mode="json"),
            after=out.model_dump(mode="json"),
        )
    return out


def deployment(session: Session, *, user: Principal, key: str) -> DeploymentRead:
    """One deployment of the register, or NotFound when absent or hidden."""
    require(user, READ)
    row = _visible(session, user, key)
    if row is None:
        raise NotFound(_("deployment {key!r} not found").format(key=key))
    audit.record_read(session, user, row, "deployment", key)
    return _deployment_read(row, _links(session, user))


def deployments(
    session: Session, *, user: Principal, year: int | None = None
) -> list[DeploymentRead]:
    """The register (deployments active during ``year`` if given), oldest first."""
    require(user, READ)
    q = restrict(select(Deployment), user).order_by(Deployment.start, Deployment.key)
    if year is not None:
        q = q.where(Deployment.start <= dt.date(year, 12, 31))
        q = q.where((Deployment.end.is_(None)) | (Deployment.end >= dt.date(year, 1, 1)))
    rows = list(session.execute(q).scalars())
    links = _links(session, user) if rows else NO_LINKS
    return [_deployment_read(r, links) for r in rows]


def review_years(session: Session, *, user: Principal) -> list[int]:
    """The years whose review round the reader may see, newest first."""
    require(user, READ)
    q = restrict(select(ReviewRound), user).order_by(ReviewRound.year.desc())
    return [r.year for r in session.execute(q).scalars()]


def _round(session: Session, user: Principal, year: int) -> ReviewRound:
    row = session.execute(
        restrict(select(ReviewRound), user).where(ReviewRound.year == year)
    ).scalar()
    if row is None:
        raise NotFound(_("no review round for {year}").format(year=year))
    return row


def open_round(
    session: Session,
    *,
    user: Principal,
    year: int,
    departments: list[str] | None = None,
    marking: str = "UNCLASSIFIED",
) -> ReviewRoundRead:
    """Open the yearly review; ``departments`` (default Foreign Affairs, Defence,
    Development) must each sign it off."""
    require(user, MANAGE)
    m = check_marking(user, marking)
    depts = sorted(set(departments or DEFAULT_DEPARTMENTS))
    if session.execute(select(ReviewRound.id).where(ReviewRound.year == year)).scalar():
        raise Conflict(_("the review round of {year} is already open").format(year=year))
    row = ReviewRound(year=year, departments=depts, created_by=user.username)
    row.marking = m
    session.add(row)
    session.flush()
    _record(session, user, "delivery.review_round", "review", year, m, {"departments": depts})
    return review_round(session, user=user, year=year)


def propose(session: Session, *, user: Principal, year: int, data: ProposalCreate) -> ProposalRead:
    """Continue, end or reorient a deployment, or start a new one for a crisis scenario."""
    rnd = _round(session, user, year)
    if not allowed(user, MANAGE):
        require(user, REPORT)
        if not (set(my_actors(session, user)) & set(rnd.departments)):
            raise Forbidden(_("only the reviewing departments or the secretariat may propose"))
    floor = rnd.marking
    if data.action.value == "new":
        if not data.title or not data.scenario:
            raise Invalid(_("a new deployment needs a title and the crisis scenario it meets"))
        if data.deployment is not None:
            raise Invalid(_("a new deployment names no existing deployment"))
    else:
        if data.deployment is None:
            raise Invalid(_("name the deployment to {action}").format(action=data.action.value))
        dep = _visible(session, user, data.deployment)
        if dep is None:
            raise NotFound(_("deployment {key!r} not found").format(key=data.deployment))
        floor = floor.join(dep.marking)
    m = check_marking(user, data.marking, floor)
    row = Proposal(round_id=rnd.id, deployment=data.deployment, action=data.action.value,
                   title=data.title, rationale=data.rationale, scenario=data.scenario,
                   created_by=user.username)  # fmt: skip
    row.marking = m
    session.add(row)
    session.flush()
    out = ProposalRead.model_validate({**data.model_dump(), "id": row.id, "marking": str(m)})
    _record(session, user, "delivery.proposal", "review", year, m, out.model_dump(mode="json"))
    return out


def sign_off(
    session: Session, *, user: Principal, year: int, department: str, note: str = ""
) -> SignOffRead:
    """One department signs the round off (a member of that department, once)."""
    require(user, REPORT)
    rnd = _round(session, user, year)
    if department not in rnd.departments:
        raise Invalid(_("{dept} is not one of this round's departments: {depts}").format(
            dept=department, depts=", ".join(rnd.departments)))  # fmt: skip
    if not is_operator(user) and department not in my_actors(session, user):
        raise Forbidden(_("only members of {dept} may sign for it").format(dept=department))
    done = select(SignOff.id).where(SignOff.round_id == rnd.id, SignOff.department == department)
    if session.execute(done).scalar():
        raise Conflict(_("{dept} has already signed the {year} review").format(
            dept=department, year=year))  # fmt: skip
    row = SignOff(round_id=rnd.id, department=department, signed_by=user.username, note=note)
    row.marking = rnd.marking
    session.add(row)
    session.flush()
    out = SignOffRead(department=department, signed_by=user.username, note=note,
                      at=row.at, marking=str(rnd.marking))  # fmt: skip
    _record(session, user, "delivery.signoff", "review", year, rnd.marking,
            out.model_dump(mode="json"))  # fmt: skip
    return out


def review_round(session: Session, *, user: Principal, year: int) -> ReviewRoundRead:
    """The round as the reader may see it: proposals, sign-offs, who has yet to sign."""
    require(user, READ)
    rnd = _round(session, user, year)
    props = session.execute(
        restrict(select(Proposal), user).where(Proposal.round_id == rnd.id).order_by(Proposal.id)
    ).scalars()
    signs = session.execute(
        restrict(select(SignOff), user).where(SignOff.round_id == rnd.id).order_by(SignOff.id)
    ).scalars()
    signed = [
        SignOffRead(department=s.department, signed_by=s.signed_by, note=s.note, at=s.at,
                    marking=str(s.marking))
        for s in signs
    ]  # fmt: skip
    missing = [d for d in rnd.departments if d not in {s.department for s in signed}]
    return ReviewRoundRead(
        year=year,
        departments=list(rnd.departments),
        proposals=[
            ProposalRead(
                id=p.id,
                action=p.action,
                deployment=p.deployment,
                title=p.title,
                rationale=p.rationale,
                scenario=p.scenario,
                marking=str(p.marking),
            )
            for p in props
        ],
        signoffs=signed,
        missing=missing,
        complete=not missing,
        deployments=deployments(session, user=user, year=year),
        marking=str(rnd.marking),
    )


def _serves(d: DeploymentRead, links: Links) -> list[str]:
    """What a deployment serves, by title, as lines of the pack."""
    out = []
    if d.objectives:
        titles = "; ".join(links.objectives.get(o, o) for o in d.objectives)
        out += [_("Objectives served: {titles}").format(titles=titles), ""]
    if d.threats:
        titles = "; ".join(links.threats.get(t, t) for t in d.threats)
        out += [_("Threats addressed: {titles}").format(titles=titles), ""]
    return out


def review_pack(session: Session, *, user: Principal, year: int, fmt: str = "md") -> render.Output:
    """The review pack of ``year``: each deployment with its proposal, the new proposals,
    and the departments' sign-offs."""
    r = review_round(session, user=user, year=year)
    render.check_format(fmt)
    marks = [Marking.parse(r.marking)] + [Marking.parse(d.marking) for d in r.deployments]
    marks += [Marking.parse(p.marking) for p in r.proposals]
    by_dep = {p.deployment: p for p in r.proposals if p.deployment}
    lines = ["# " + _("Review of the operational deployments {year}").format(year=year), ""]
    lines += [_("Reviewed by: {depts}.").format(depts=", ".join(r.departments)), ""]
    lines += ["## " + _("Deployments"), ""]
    lines += render.table(
        [_("deployment"), _("framework"), _("theatre"), _("personnel"), _("EUR m a year"),
         _("since"), _("proposal")],
        [[d.name, term(d.framework, "framework"), d.theatre, formats.number(d.personnel),
          formats.number(d.annual_cost), formats.date(d.start, "medium"),
          term(by_dep[d.key].action, "proposal") if d.key in by_dep else _("no proposal yet")]
         for d in r.deployments], right={3, 4},
    )  # fmt: skip
    links = _links(session, user)
    for d in r.deployments:
        p = by_dep.get(d.key)
        action = term(p.action, "proposal") if p else _("no proposal yet")
        lines += [f"### {d.name}: {action}", ""]
        lines += _serves(d, links)
        lines += [p.rationale, ""] if p else []
    new = [p for p in r.proposals if p.action.value == "new"]
    lines += ["## " + _("Proposed new deployments"), ""]
    for p in new:
        scenario = _("Crisis scenario: {scenario}").format(scenario=p.scenario)
        lines += [f"### {p.title}", "", scenario, "", p.rationale, ""]
    if not new:
        lines += [_("None."), ""]
    lines += ["## " + _("Sign-off"), ""]
    lines += ["- " + _("{department}: signed by {who}, {day}").format(
                  department=s.department, who=s.signed_by, day=formats.date(s.at))
              + (f" — {s.note}" if s.note else "") for s in r.signoffs]  # fmt: skip
    lines += ["- " + _("{department}: **not signed yet**").format(department=d) for d in r.missing]
    lines += [""]
    marking = combine([UNCLASSIFIED, *marks])
    out = render.output(lines, marking, fmt, f"deployments-review-{year}",
                        _("Review of the operational deployments"))  # fmt: skip
    audit.record(session, actor=user, action="delivery.review_pack", object_type="review",
                 object_id=year, marking=marking, after={"format": fmt})  # fmt: skip
    return out
