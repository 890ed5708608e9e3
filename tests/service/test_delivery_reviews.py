"""The deployments register and the yearly review round: proposals, the three departments'
sign-off, the review pack, and what a lower-cleared reader never sees."""

from __future__ import annotations

import datetime as dt

import pytest

from grandstrategy.core.authz import Principal
from grandstrategy.core.errors import Conflict, Forbidden, Invalid, NotFound
from grandstrategy.core.memberships import set_user_actors
from grandstrategy.delivery import service
from grandstrategy.delivery.schemas import DeploymentCreate, ProposalCreate
from tests.helpers import make_user

HIDDEN = "Okapi covert liaison cell"  # a SECRET deployment: must never leak


def deployment(key, name, marking="UNCLASSIFIED", **kw):
    data = {
        "key": key,
        "name": name,
        "framework": "NATO",
        "theatre": "Lithuania",
        "personnel": 100,
        "annual_cost": 10,
        "start": dt.date(2020, 1, 1),
        "marking": marking,
        **kw,
    }
    return DeploymentCreate.model_validate(data)


@pytest.fixture
def register(session, operator):
    service.add_deployment(session, user=operator, data=deployment("efp", "Battlegroup"))
    service.add_deployment(
        session, user=operator, data=deployment("okapi", HIDDEN, "SECRET", framework="bilateral")
    )
    service.add_deployment(
        session, user=operator, data=deployment("old", "Ended mission", end=dt.date(2024, 6, 30))
    )
    service.open_round(session, user=operator, year=2026)
    return operator


def member(session, name, role, actors, clearance="UNCLASSIFIED") -> Principal:
    user = make_user(session, name, role, clearance)
    set_user_actors(session, actor=Principal.operator("t"), username=name, actors=actors)
    return user


def test_register_needs_the_manager_and_unique_keys(session, register):
    owner = member(session, "dora", "contributor", ["defence"])
    with pytest.raises(Forbidden):
        service.add_deployment(session, user=owner, data=deployment("x", "X"))
    with pytest.raises(Conflict, match="taken"):
        service.add_deployment(session, user=register, data=deployment("efp", "Again"))
    with pytest.raises(Invalid, match="end before"):
        service.add_deployment(
            session, user=register, data=deployment("y", "Y", end=dt.date(2019, 1, 1))
        )
    active = [d.key for d in service.deployments(session, user=register, year=2026)]
    assert active == ["efp", "okapi"]  # the ended one is not reviewed in 2026


def test_three_departments_sign_off_each_once_and_only_their_members(session, register):
    fa = member(session, "fiona", "contributor", ["foreign-affairs"])
    de = member(session, "dirk", "contributor", ["defence"])
    dev = member(session, "dana", "contributor", ["dgd"])
    r = service.review_round(session, user=fa, year=2026)
    assert (r.departments, r.complete) == (["defence", "dgd", "foreign-affairs"], False)
    with pytest.raises(Forbidden, match="only members of defence"):
        service.sign_off(session, user=fa, year=2026, department="defence")
    service.sign_off(session, user=fa, year=2026, department="foreign-affairs", note="ok")
    with pytest.raises(Conflict, match="already signed"):
        service.sign_off(session, user=fa, year=2026, department="foreign-affairs")
    service.sign_off(session, user=de, year=2026, department="defence")
    assert service.review_round(session, user=fa, year=2026).missing == ["dgd"]
    service.sign_off(session, user=dev, year=2026, department="dgd")
    r = service.review_round(session, user=fa, year=2026)
    assert r.complete and [s.signed_by for s in r.signoffs] == ["fiona", "dirk", "dana"]
    with pytest.raises(Invalid, match="not one of this round's departments"):
        service.sign_off(session, user=fa, year=2026, department="justice")


def test_proposals_continue_end_reorient_and_new(session, register):
    de = member(session, "dirk", "contributor", ["defence"])
    outsider = member(session, "ivan", "contributor", ["justice"])
    p = service.propose(
        session,
        user=de,
        year=2026,
        data=ProposalCreate(action="continue", deployment="efp", rationale="Deterrence"),
    )
    assert p.deployment == "efp"
    with pytest.raises(Forbidden):
        service.propose(
            session,
            user=outsider,
            year=2026,
            data=ProposalCreate(action="end", deployment="efp", rationale="x y z"),
        )
    with pytest.raises(Invalid, match="crisis scenario"):
        service.propose(
            session,
            user=de,
            year=2026,
            data=ProposalCreate(action="new", title="Evacuation", rationale="abc"),
        )
    with pytest.raises(NotFound):  # SECRET, and dirk is UNCLASSIFIED: as if absent
        service.propose(
            session,
            user=de,
            year=2026,
            data=ProposalCreate(action="end", deployment="okapi", rationale="abc"),
        )
    with pytest.raises(NotFound, match="no review round"):
        service.review_round(session, user=de, year=2031)


def test_review_and_pack_hide_what_the_reader_may_not_see(session, register):
    service.propose(
        session,
        user=register,
        year=2026,
        data=ProposalCreate(action="end", deployment="okapi", rationale="Okapi closes"),
    )
    service.propose(
        session,
        user=register,
        year=2026,
        data=ProposalCreate(
            action="new",
            title="Evacuation force",
            scenario="Unrest in Kinshasa",
            rationale="Standby",
        ),
    )
    full = service.review_pack(session, user=register, year=2026, fmt="md")
    assert HIDDEN in full.content.decode() and str(full.marking) == "SECRET"
    low = make_user(session, "cm", "council-member", "RESTRICTED")
    r = service.review_round(session, user=low, year=2026)
    assert [d.key for d in r.deployments] == ["efp"]
    assert [p.action.value for p in r.proposals] == ["new"]  # the okapi proposal is SECRET
    text = service.review_pack(session, user=low, year=2026, fmt="md").content.decode()
    assert HIDDEN not in text and "Okapi" not in text
    assert "Evacuation force" in text and "Unrest in Kinshasa" in text
    assert "dgd: **not signed yet**" in text
