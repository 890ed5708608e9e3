"""Delivery through the service: who may check in and judge, trajectories, the dashboard,
what an owner owes, and what a lower-cleared reader never sees."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from grandstrategy.core.authz import Principal
from grandstrategy.core.errors import Forbidden, Invalid, NotFound
from grandstrategy.core.memberships import set_user_actors
from grandstrategy.core.models import AuditEvent
from grandstrategy.delivery import service
from grandstrategy.delivery.schemas import (
    CheckInCreate,
    CommentCreate,
    JudgementCreate,
    MilestoneCreate,
)
from grandstrategy.strategy import service as strategy_service
from tests.helpers import SECRET_TITLE, make_user, small_package

D = dt.date


@pytest.fixture
def loaded(session, operator):
    strategy_service.import_package(session, user=operator, package=small_package())


def member(session, name, role, actors, clearance="UNCLASSIFIED") -> Principal:
    user = make_user(session, name, role, clearance)
    set_user_actors(session, actor=Principal.operator("t"), username=name, actors=actors)
    return user


def checkin(status="on-track", values=(), on=D(2026, 6, 1), **kw) -> CheckInCreate:
    return CheckInCreate.model_validate(
        {"status": status, "values": list(values), "reported_on": on, **kw}
    )


def test_a_member_of_the_owner_may_check_in_and_a_non_member_may_not(session, loaded):
    owner = member(session, "dora", "contributor", ["defence"])
    other = member(session, "ivan", "contributor", ["intel"])
    out = service.check_in(session, user=owner, objective="deter", data=checkin())
    assert (out.actor, out.reporter, out.status) == ("defence", "dora", "on-track")
    with pytest.raises(Forbidden, match="only members of defence"):
        service.check_in(session, user=other, objective="deter", data=checkin())
    reader = member(session, "rita", "reader", ["defence"])  # a member, but no delivery.report
    with pytest.raises(Forbidden):
        service.check_in(session, user=reader, objective="deter", data=checkin())


def test_a_judgement_needs_the_secretariat(session, loaded):
    owner = member(session, "dora", "contributor", ["defence"])
    with pytest.raises(Forbidden, match=r"delivery\.judge"):
        service.judge(
            session,
            user=owner,
            objective="deter",
            data=JudgementCreate(rating="green", reason="we say so"),
        )
    analyst = make_user(session, "sam", "analyst")
    out = service.judge(
        session,
        user=analyst,
        objective="deter",
        data=JudgementCreate(rating="amber-red", reason="readiness stalls"),
    )
    assert (out.rating, out.judge) == ("amber-red", "sam")


def test_disagreement_between_owner_and_secretariat_is_shown(session, loaded):
    owner = member(session, "dora", "contributor", ["defence"])
    analyst = make_user(session, "sam", "analyst")
    service.check_in(session, user=owner, objective="deter", data=checkin("on-track"))
    service.judge(session, user=analyst, objective="deter",
                  data=JudgementCreate(rating="red", reason="no money",
                                       judged_on=D(2026, 6, 2)))  # fmt: skip
    row = next(r for r in service.dashboard(session, user=analyst) if r.objective == "deter")
    assert (row.owner_status, row.rating, row.disagreement) == ("on-track", "red", True)
    assert row.reason == "no money"
    service.judge(session, user=analyst, objective="deter",
                  data=JudgementCreate(rating="amber-green", reason="money found",
                                       judged_on=D(2026, 6, 3)))  # fmt: skip
    row = next(r for r in service.dashboard(session, user=analyst) if r.objective == "deter")
    assert (row.rating, row.disagreement) == ("amber-green", False)


def test_trajectory_follows_milestones_and_says_ahead_on_or_behind(session, loaded, operator):
    # readiness 60 → 90; a milestone plans 70 by 2027-01-01, so on 2026-07-02 (182 of 365
    # days) the plan is 60 + 10·182/365 = 64.99; the tolerance is 5 % of 30 = 1.5
    service.add_milestone(session, user=operator, objective="deter",
                          data=MilestoneCreate(title="First brigade ready", due=D(2027, 1, 1),
                                               indicator="readiness", value=70))  # fmt: skip
    on = D(2026, 7, 2)
    for value, verdict in [(65, "on"), (67, "ahead"), (62, "behind")]:
        data = checkin(values=[{"name": "readiness", "value": value}], on=on)
        service.check_in(session, user=operator, objective="deter", data=data)
        d = service.objective_delivery(session, user=operator, objective="deter", on=on)
        track = d.indicators[0]
        assert track.planned_now == pytest.approx(60 + 10 * 182 / 365)
        assert (track.latest, track.trajectory, d.row.trajectory) == (value, verdict, verdict)
    assert [k[1] for k in track.planned] == [60, 70, 90]


def test_overdue_and_check_in_age(session, loaded, operator):
    service.check_in(session, user=operator, objective="deter", data=checkin(on=D(2026, 6, 1)))
    rows = {r.objective: r for r in service.dashboard(session, user=operator, on=D(2035, 7, 1))}
    assert rows["deter"].overdue and rows["deter"].deadline == D(2035, 6, 30)
    assert rows["deter"].checkin_age_days == (D(2035, 7, 1) - D(2026, 6, 1)).days
    service.check_in(session, user=operator, objective="deter",
                     data=checkin("done", on=D(2026, 6, 2)))  # fmt: skip
    rows = {r.objective: r for r in service.dashboard(session, user=operator, on=D(2035, 7, 1))}
    assert not rows["deter"].overdue


def test_a_past_day_shows_delivery_as_it_stood_then(session, loaded, operator):
    """Check-ins, judgements and values after the day asked for are left out: no negative
    ages, no judgement from the future, lateness counted from what was known then."""
    for on, status, value in [(D(2026, 6, 1), "on-track", 65), (D(2026, 9, 1), "at-risk", 61)]:
        data = checkin(status, values=[{"name": "readiness", "value": value}], on=on)
        service.check_in(session, user=operator, objective="deter", data=data)
    verdict = JudgementCreate(rating="red", reason="slow", judged_on=D(2026, 9, 2))
    service.judge(session, user=operator, objective="deter", data=verdict)
    day = D(2026, 7, 1)
    row = {r.objective: r for r in service.dashboard(session, user=operator, on=day)}["deter"]
    assert (row.owner_status, row.rating, row.last_checkin) == ("on-track", None, D(2026, 6, 1))
    assert row.checkin_age_days == 30 and not row.disagreement
    d = service.objective_delivery(session, user=operator, objective="deter", on=day)
    assert d.indicators[0].latest == 65 and [c.status for c in d.checkins] == ["on-track"]
    assert d.judgements == []
    owed = service.owed(session, user=operator, on=D(2026, 8, 31), cycle_days=90, actor="defence")
    assert [(o.objective, o.last_checkin) for o in owed] == [("deter", D(2026, 6, 1))]
    later = {r.objective: r for r in service.dashboard(session, user=operator, on=D(2026, 9, 3))}
    assert (later["deter"].owner_status, later["deter"].rating) == ("at-risk", "red")


def test_the_trajectory_is_serialised_without_warnings(session, loaded, operator):
    import warnings

    data = checkin(values=[{"name": "readiness", "value": 65}], on=D(2026, 7, 2))
    service.check_in(session, user=operator, objective="deter", data=data)
    d = service.objective_delivery(session, user=operator, objective="deter", on=D(2026, 7, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dumped = d.model_dump(mode="json")
    assert dumped["indicators"][0]["trajectory"] in {"ahead", "on", "behind"}


def test_what_i_owe_on_a_cycle(session, loaded):
    owner = member(session, "dora", "contributor", ["defence"])
    owed = service.owed(session, user=owner, on=D(2026, 5, 1), cycle_days=90)
    assert [(o.objective, o.due, o.days_late) for o in owed] == [("deter", D(2026, 4, 1), 30)]
    service.check_in(session, user=owner, objective="deter", data=checkin(on=D(2026, 4, 15)))
    assert service.owed(session, user=owner, on=D(2026, 5, 1), cycle_days=90) == []
    assert len(service.owed(session, user=owner, on=D(2026, 5, 1), cycle_days=10)) == 1
    with pytest.raises(Invalid, match="cycle"):
        service.owed(session, user=owner, cycle_days=0)


def test_filters_by_actor_threat_interest_and_rating(session, loaded, operator):
    service.judge(session, user=operator, objective="deter",
                  data=JudgementCreate(rating="red", reason="slow"))  # fmt: skip
    ids = lambda **kw: [r.objective for r in service.dashboard(session, user=operator, **kw)]  # noqa: E731
    assert ids(actor="defence") == ["deter"]
    assert ids(threat="meddling") == ["protect-elections", "zebra-cell"]
    assert ids(interest="safety") == ["deter"]
    assert ids(rating="red") == ["deter"]
    assert "deter" not in ids(rating="none")


def test_lower_cleared_reader_never_sees_the_hidden_objective(session, loaded, operator):
    service.check_in(session, user=operator, objective="zebra-cell",
                     data=checkin("off-track", values=[{"name": "cases", "value": 1}]))  # fmt: skip
    service.judge(session, user=operator, objective="zebra-cell",
                  data=JudgementCreate(rating="red", reason="Zebra stalled"))  # fmt: skip
    low = member(session, "ivan", "contributor", ["intel"], clearance="RESTRICTED")
    rows = service.dashboard(session, user=low)
    assert "zebra-cell" not in [r.objective for r in rows]
    assert SECRET_TITLE not in str([r.model_dump() for r in rows])
    assert [o.objective for o in service.owed(session, user=low, on=D(2027, 1, 1))] == [
        "protect-elections"
    ]
    with pytest.raises(NotFound):
        service.objective_delivery(session, user=low, objective="zebra-cell")
    with pytest.raises(NotFound):  # a member of the owner, but not cleared: as if absent
        service.check_in(session, user=low, objective="zebra-cell", data=checkin())


def test_a_record_on_an_objective_is_marked_at_least_as_the_objective(session, loaded):
    owner = member(session, "ivan", "contributor", ["intel"], clearance="CONFIDENTIAL")
    out = service.check_in(session, user=owner, objective="zebra-cell", data=checkin())
    assert out.marking == "CONFIDENTIAL"
    with pytest.raises(Invalid, match="above your own clearance"):
        service.check_in(session, user=owner, objective="zebra-cell",
                         data=checkin(marking="SECRET"))  # fmt: skip


def test_bad_check_ins_are_refused_with_reasons(session, loaded, operator):
    with pytest.raises(Invalid, match="no indicator 'speed'") as exc:
        service.check_in(session, user=operator, objective="deter",
                         data=checkin(values=[{"name": "speed", "value": 1}]))  # fmt: skip
    assert "readiness" in str(exc.value)
    with pytest.raises(Invalid, match="in the future"):
        service.check_in(session, user=operator, objective="deter",
                         data=checkin(on=dt.date.today() + dt.timedelta(days=2)))  # fmt: skip
    with pytest.raises(NotFound):
        service.check_in(session, user=operator, objective="no-such", data=checkin())


def test_contributors_comment_and_writes_are_audited(session, loaded):
    owner = member(session, "dora", "contributor", ["defence"])
    helper = member(session, "hugo", "contributor", ["council"])
    service.check_in(session, user=owner, objective="deter", data=checkin())
    with pytest.raises(Forbidden):  # council is not among deter's contributors
        service.comment(session, user=helper, objective="deter", data=CommentCreate(text="hi"))
    c = service.comment(session, user=owner, objective="deter", data=CommentCreate(text="ok"))
    assert c.actor == "defence"
    actions = session.execute(
        select(AuditEvent.action).where(AuditEvent.action.like("delivery.%"))
    ).scalars()
    assert set(actions) >= {"delivery.checkin", "delivery.comment"}


def test_memberships_need_the_user_manager(session):
    make_user(session, "dora", "contributor")
    chief = make_user(session, "chief", "pen-holder")
    with pytest.raises(Forbidden):
        set_user_actors(session, actor=chief, username="dora", actors=["defence"])
    with pytest.raises(Invalid, match="actor id"):
        set_user_actors(session, actor=Principal.operator(), username="dora", actors=["Bad Id"])


def _judge(session, user, oid, rating, on=D(2026, 6, 1)):
    data = JudgementCreate(rating=rating, reason=f"{oid} is {rating}", judged_on=on)
    service.judge(session, user=user, objective=oid, data=data)


def test_stocktake_pack_puts_red_first_and_says_what_changed(session, loaded, operator):
    _judge(session, operator, "deter", "green")
    _judge(session, operator, "protect-elections", "red")
    first = service.stocktake(session, user=operator, fmt="md", on=D(2026, 7, 1))
    text = first.content.decode()
    urgent = text.split("## Red and amber-red objectives")[1].split("\n## ")[0]
    assert "Protected elections (red)" in urgent and "Credible deterrence" not in urgent
    assert "first stocktake" in text
    assert text.startswith(f"**{first.marking}**") and text.rstrip().endswith(
        f"**{first.marking}**"
    )
    _judge(session, operator, "deter", "amber-red", on=D(2026, 8, 1))
    second = service.stocktake(session, user=operator, fmt="md", on=D(2026, 9, 1))
    text = second.content.decode()
    assert "Since the pack of 1 July 2026" in text  # dates as the reader writes them
    assert "| deter | rating | green | amber-red |" in text
    urgent = text.split("## Red and amber-red objectives")[1].split("\n## ")[0]
    assert urgent.index("Protected elections") < urgent.index("Credible deterrence")


def test_pack_is_capped_at_a_marking_and_hides_what_the_reader_may_not_see(
    session, loaded, operator
):
    _judge(session, operator, "zebra-cell", "red")
    full = service.stocktake(session, user=operator, fmt="md")
    assert SECRET_TITLE in full.content.decode() and str(full.marking) == "CONFIDENTIAL"
    capped = service.stocktake(session, user=operator, fmt="md", max_marking="RESTRICTED")
    assert SECRET_TITLE not in capped.content.decode() and str(capped.marking) == "UNCLASSIFIED"
    low = make_user(session, "cm", "council-member", "RESTRICTED")
    mine = service.stocktake(session, user=low, fmt="md").content.decode()
    assert SECRET_TITLE not in mine and "zebra" not in mine
    assert "above this pack's marking" not in mine  # nothing withheld that the reader could see
    with pytest.raises(Invalid, match="unknown format"):
        service.stocktake(session, user=operator, fmt="odt")


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_pack_in_pdf_and_word_carries_the_marking(session, loaded, operator, fmt):
    _judge(session, operator, "zebra-cell", "red")
    out = service.stocktake(session, user=operator, fmt=fmt)
    assert out.filename.endswith(f".{fmt}") and len(out.content) > 1000
    if fmt == "pdf":
        import io

        from pypdf import PdfReader

        text = PdfReader(io.BytesIO(out.content)).pages[0].extract_text()
        assert "CONFIDENTIAL" in text and "Stocktake pack" in text
    else:
        import io

        from docx import Document

        doc = Document(io.BytesIO(out.content))
        assert doc.sections[0].header.paragraphs[0].text == "CONFIDENTIAL"
        assert any(SECRET_TITLE in c.text for t in doc.tables for r in t.rows for c in r.cells)


def _target(session, user, cap, measure, year, target, delivered, spend, marking="UNCLASSIFIED"):
    from grandstrategy.delivery.schemas import CapabilityTargetCreate

    data = CapabilityTargetCreate(capability=cap, measure=measure, year=year, target=target,
                                  delivered=delivered, spend=spend, marking=marking)  # fmt: skip
    return service.record_target(session, user=user, data=data)


def test_spend_against_delivered_capability_flags_spend_without_delivery(session, loaded, operator):
    for year, delivered, spend in [(2024, 60, 100), (2025, 59, 120), (2026, 58, 150)]:
        _target(session, operator, "army", "readiness", year, 70, delivered, spend)
    for year, delivered, spend in [(2024, 10, 50), (2025, 12, 55)]:
        _target(session, operator, "analysts", "personnel", year, 12, delivered, spend)
    rows = service.capability_values(session, user=operator)
    values = {(v.capability, v.measure): v for v in rows}
    army = values[("army", "readiness")]
    assert army.years == [2024, 2025, 2026]
    assert army.spend_growth == pytest.approx(50.0)  # 150 / 100 − 1
    assert army.delivered_growth == pytest.approx((58 / 60 - 1) * 100)
    assert army.flag
    analysts = values[("analysts", "personnel")]
    assert analysts.spend_growth == pytest.approx(10.0)
    assert analysts.delivered_growth == pytest.approx(20.0)
    assert not analysts.flag
    _target(session, operator, "army", "readiness", 2026, 70, 66, 150)  # corrected, not added
    army = next(v for v in service.capability_values(session, user=operator)
                if v.capability == "army")  # fmt: skip
    assert army.years == [2024, 2025, 2026] and not army.flag


def test_capability_targets_need_the_manager_a_known_capability_and_stay_hidden(
    session, loaded, operator
):
    owner = member(session, "dora", "contributor", ["defence"])
    with pytest.raises(Forbidden):
        _target(session, owner, "army", "units", 2026, 8, 8, 10)
    with pytest.raises(NotFound):
        _target(session, operator, "navy", "units", 2026, 8, 8, 10)
    _target(session, operator, "army", "units", 2026, 8, 8, 10, marking="CONFIDENTIAL")
    low = make_user(session, "cm", "council-member", "RESTRICTED")
    assert service.capability_values(session, user=low) == []
