"""The drafting part of the illustrative example (``examples/drafting/cycle.yaml``): a
finished cycle with three rounds, thirty decided contributions, the Council's approval and
the publication with its launch pack. Loaded once, through the service like any user."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grandstrategy.core.authz import Principal
from grandstrategy.core.errors import NotFound
from grandstrategy.core.markings import scheme
from grandstrategy.core.users import add_user, find
from grandstrategy.drafting import service
from grandstrategy.drafting.models import Cycle
from grandstrategy.drafting.schemas import (
    ApprovalCreate,
    ContributionCreate,
    CycleCreate,
    DecisionCreate,
    ParticipantCreate,
    RoundCreate,
)
from grandstrategy.strategy import service as strategy_service


@dataclass(frozen=True)
class ExampleReport:
    cycle: str
    rounds: int
    contributions: int
    launch_files: int


def data() -> dict[str, Any]:
    text = resources.files("grandstrategy.examples").joinpath("drafting/cycle.yaml")
    loaded: dict[str, Any] = yaml.safe_load(text.read_text("utf-8"))
    return loaded


def _staff(session: Session, user: Principal, spec: dict[str, Any]) -> Principal:
    if find(session, spec["username"]) is None:
        add_user(
            session,
            user=user,
            username=spec["username"],
            password=secrets.token_urlsafe(18),
            role=spec["role"],
            clearance=spec["clearance"],
            compartments=spec.get("compartments", []),
            display_name=spec.get("display_name", ""),
        )
    found = find(session, spec["username"])
    assert found is not None
    return Principal.of(found)


def _author(session: Session, item: dict[str, Any]) -> Principal:
    """A participant's scoped account, or a named department/region author."""
    found = find(session, item["by"])
    if found is not None:
        return Principal.of(found)
    return Principal(item["by"], "contributor", scheme().level_index("RESTRICTED"))


def _edit(session: Session, who: Principal, item: dict[str, Any], done: dict[str, int]) -> int:
    """The team adds the item's sentence to the anchored record's description (and to its
    translations); the strategy version that made the change, in ``who``'s numbering. The
    same sentence asked for twice is added once and both link to it."""
    add = item["edit"] if isinstance(item["edit"], dict) else {"en": item["edit"]}
    if add["en"] in done:
        return done[add["en"]]
    component, rest = item["anchor"].split("/", 1)
    rid = rest.split(".", 1)[0]
    rec = strategy_service.get_record(session, user=who, component=component, rid=rid)
    current = rec.model_dump(mode="json")
    translations = current.get("translations") or {}
    for lang, text in add.items():
        if lang != "en" and "description" in translations.get(lang, {}):
            old = translations[lang]["description"]["text"]
            translations[lang]["description"] = {"text": f"{old} {text}"}
    changes: dict[str, Any] = {"description": f"{current['description']} {add['en']}".strip()}
    if translations:
        changes["translations"] = translations
    strategy_service.update_record(session, user=who, component=component, rid=rid, changes=changes)
    strategy = strategy_service.current(session, who)
    done[add["en"]] = strategy_service.version_of(session, user=who, strategy=strategy)
    return done[add["en"]]


def load_example(session: Session, *, user: Principal) -> ExampleReport | None:
    """Load the finished cycle once, on the example strategy as it stands: a draft, or the
    edition approved by first-run setup's delivery example (the cycle's accepted proposals
    reopen it as a draft, the Council approves it again, then it is published)."""
    if session.execute(select(func.count()).select_from(Cycle)).scalar_one():
        return None
    try:
        strategy_service.current(session, user)
    except NotFound:
        return None
    spec = data()
    staff = {s["username"]: _staff(session, user, s) for s in spec["staff"]}
    pen = next(p for p in staff.values() if p.role == "pen-holder")
    council = next(p for p in staff.values() if p.role == "council-member")
    team = [s for s in spec["staff"] if s["role"] == "drafter"]
    service.start_cycle(
        session,
        user=pen,
        data=CycleCreate(
            name=spec["cycle"], pen_holder=pen.username, team=[s["username"] for s in team]
        ),
    )
    for s in team:
        if s.get("may_decide"):
            service.set_team(session, user=pen, username=s["username"], may_decide=True)
    deputy = staff[team[0]["username"]] if team else pen
    count = 0
    edits: dict[str, int] = {}
    for n, rd in enumerate(spec["rounds"]):
        service.open_round(
            session,
            user=pen,
            data=RoundCreate(
                name=rd["name"], audience=rd["audience"], marking=rd.get("marking", "UNCLASSIFIED")
            ),
        )
        for p in rd.get("participants", []):
            service.invite(
                session,
                user=pen,
                round=rd["name"],
                data=ParticipantCreate(
                    username=p["username"], organisation=p["organisation"], org_kind=p["kind"]
                ),
            )
        decider = deputy if n == 1 else pen  # the regions round shows a delegated decision
        for item in rd["contributions"]:
            author = _author(session, item)
            out = service.contribute(
                session,
                user=author,
                round=rd["name"],
                data=ContributionCreate(
                    on=item["anchor"],
                    text=item["text"],
                    proposal=item.get("proposal"),
                    organisation=item.get("org"),
                    org_kind=item.get("kind"),
                    marking=item.get("marking"),
                ),
            )
            who = pen if item.get("apply") or item.get("edit") else decider
            change = _edit(session, who, item, edits) if item.get("edit") else None
            service.decide(
                session,
                user=who,
                cid=out.id,
                data=DecisionCreate(
                    disposition=item["decision"],
                    reason=item["reason"],
                    apply=bool(item.get("apply")),
                    change_version=change,
                ),
            )
            count += 1
        service.close_round(session, user=pen, name=rd["name"])
    service.approve(session, user=council, data=ApprovalCreate(decision=spec["decision"]))
    service.publish(session, user=pen)
    files = service.launch_files(session, user=pen)
    return ExampleReport(spec["cycle"], len(spec["rounds"]), count, len(files))
