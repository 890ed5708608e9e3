"""The deployments register and the yearly review round: proposals, the three departments'
sign-off, the review pack, and what a lower-cleared reader never sees."""

from __future__ import annotations

import datetime as dt

import pytest

from grandstrategy.core import i18n
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


def _two_editions(session, operator):
    from grandstrategy.strategy import service as strategy_service
    from grandstrategy.strategy import versions
    from tests.helpers import small_package

    strategy_service.import_package(session, user=operator, package=small_package())
    strategy_service.create_record(session, user=operator, component="objectives",
                                   data={"id": "spare", "title": "Spare capacity",
                                         "horizon": 5, "owner": "defence"})  # fmt: skip
    strategy = strategy_service.current(session, operator)
    versions.freeze(session, user=operator, strategy=strategy, status="approved", note="first")
    for component, rid, changes in [
        ("threats", "meddling", {"likelihood": 5}),
        ("objectives", "deter", {"deadline": "2036-06-30"}),
        ("objectives", "zebra-cell", {"deadline": "2029-12-31"}),
    ]:
        strategy_service.update_record(session, user=operator, component=component, rid=rid,
                                       changes=changes)  # fmt: skip
    strategy_service.delete_record(session, user=operator, component="objectives", rid="spare")
    versions.freeze(session, user=operator, strategy=strategy, status="approved", note="second")
    return versions.editions(session, user=operator, strategy=strategy)


def test_five_year_review_from_two_frozen_editions(session, operator):
    eds = _two_editions(session, operator)
    assert len(eds) == 2
    out = service.five_year_review(session, user=operator, fmt="md")  # first and last
    text = out.content.decode()
    changed = text.split("## What changed in each component")[1].split("\n## ")[0]
    assert "re-rated: likelihood 4 → 5" in changed
    assert "deadline moved: 30 June 2035 → 30 June 2036" in changed
    assert "**Spare capacity** (spare): removed" in changed
    dropped = text.split("### Dropped")[1].split("###")[0]
    assert "Spare capacity" in dropped
    log = text.split("## Change log between the editions, by component")[1]
    assert "### Threats and challenges" in log and "### Objectives" in log
    assert "| meddling | changed | likelihood |" in log
    assert str(out.marking).startswith("CONFIDENTIAL")  # zebra-cell's change is in it
    same = eds[0].version
    with pytest.raises(Invalid, match="come before"):
        service.five_year_review(session, user=operator, from_version=same, to_version=same)
    with pytest.raises(NotFound, match="no frozen edition at version 99"):
        service.five_year_review(session, user=operator, from_version=same, to_version=99)


def test_five_year_review_shows_a_lower_cleared_reader_nothing_hidden(session, operator):
    _two_editions(session, operator)
    low = make_user(session, "cm", "council-member", "SECRET")  # no NATO compartment
    with pytest.raises(NotFound):  # both editions hold a NATO record: as if none existed
        service.five_year_review(session, user=low)
    assert service.editions(session, user=low) == []


def test_a_key_held_by_a_hidden_deployment_is_not_taken(session, register):
    """Keys are unique per marking: a manager who may not see the SECRET 'okapi' enters their
    own 'okapi' without learning that it exists; each reader sees the one they may read."""
    low = make_user(session, "lowmgr", "analyst", "RESTRICTED")
    mine = service.add_deployment(session, user=low, data=deployment("okapi", "Open liaison"))
    assert mine.name == "Open liaison"
    assert service.deployment(session, user=low, key="okapi").name == "Open liaison"
    assert service.deployment(session, user=register, key="okapi").name == HIDDEN  # highest
    with pytest.raises(Conflict, match="taken"):  # the same key at the same marking is
        service.add_deployment(session, user=low, data=deployment("okapi", "Again"))
    names = [d.name for d in service.deployments(session, user=low)]
    assert HIDDEN not in names and "Open liaison" in names


def test_a_deployment_serves_only_known_objectives_and_readers_see_only_theirs(session, operator):
    """An objective or threat named by a deployment must exist in the strategy; a reader
    never learns the id of a hidden one through an open deployment, and a manager who cannot
    see a link keeps it when correcting the deployment."""
    from grandstrategy.strategy import service as strategy_service
    from tests.helpers import small_package

    strategy_service.import_package(session, user=operator, package=small_package())
    bad = deployment("x", "X", objectives=["deter", "made-up"])
    with pytest.raises(
        Invalid, match=r"Objectives served \(objectives\): not in the strategy: made-up"
    ):
        service.add_deployment(session, user=operator, data=bad)
    with pytest.raises(
        Invalid, match=r"Threats addressed \(threats\): not in the strategy: nowhere"
    ):
        service.add_deployment(session, user=operator,
                               data=deployment("x", "X", threats=["nowhere"]))  # fmt: skip
    for lang, label in [
        ("fr", "Objectifs servis"),
        ("nl", "Gediende doelstellingen"),
        ("de", "Bediente Ziele"),
    ]:  # the form's label, in the reader's language
        with i18n.language(lang), pytest.raises(Invalid) as refused:
            service.add_deployment(session, user=operator, data=bad)
        assert str(refused.value.message).startswith(f"{label} (objectives)"), lang
        assert "made-up" in str(refused.value.message)
    service.add_deployment(session, user=operator, data=deployment(
        "efp", "Battlegroup", objectives=["deter", "zebra-cell"],
        threats=["invasion", "nato-tripwire"]))  # fmt: skip
    service.open_round(session, user=operator, year=2026)
    full = service.deployment(session, user=operator, key="efp")
    assert full.objectives == ["deter", "zebra-cell"] and "nato-tripwire" in full.threats
    low = make_user(session, "lowmgr", "analyst", "RESTRICTED")  # no NATO, below CONFIDENTIAL
    seen = service.deployment(session, user=low, key="efp")
    assert (seen.objectives, seen.threats) == (["deter"], ["invasion"])
    listed = service.deployments(session, user=low)
    assert "zebra-cell" not in str([d.model_dump() for d in listed])
    text = service.review_pack(session, user=low, year=2026, fmt="md").content.decode()
    assert "zebra" not in text.lower() and "tripwire" not in text.lower()
    assert "Objectives served:" in text
    with pytest.raises(Invalid, match="not in the strategy: zebra-cell"):  # hidden: unknown
        service.update_deployment(session, user=low, key="efp", data=deployment(
            "efp", "Battlegroup", objectives=["zebra-cell"]))  # fmt: skip
    service.update_deployment(session, user=low, key="efp", data=deployment(
        "efp", "Battlegroup (renamed)", objectives=["deter"], threats=[]))  # fmt: skip
    kept = service.deployment(session, user=operator, key="efp")
    assert kept.name == "Battlegroup (renamed)"
    assert kept.objectives == ["deter", "zebra-cell"] and kept.threats == ["nato-tripwire"]
