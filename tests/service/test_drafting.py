"""The drafting service: one pen-holder, rounds and scoped participants, contributions and
decisions, the "you said, we did" report, word-level diffs, approval and publication."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import select

from grandstrategy.core import worddiff
from grandstrategy.core.errors import Conflict, Forbidden, Invalid, NotFound
from grandstrategy.core.models import AuditEvent
from grandstrategy.core.users import find
from grandstrategy.drafting import anchors, service
from grandstrategy.drafting.models import Round
from grandstrategy.drafting.schemas import (
    ApprovalCreate,
    ContributionCreate,
    CycleCreate,
    DecisionCreate,
    Moderation,
    ParticipantCreate,
    RoundCreate,
)
from grandstrategy.strategy import service as strategy_service
from tests.helpers import SECRET_TITLE, make_user, small_package

ALL = ["NATO", "EU", "NATIONAL-ONLY"]


@pytest.fixture
def people(session, operator):
    strategy_service.import_package(session, user=operator, package=small_package())
    return {
        "pen": make_user(session, "pen", "pen-holder", "SECRET", ALL),
        "pen2": make_user(session, "pen2", "pen-holder", "SECRET", ALL),
        "drafter": make_user(session, "drafter", "drafter", "RESTRICTED"),
        "dept": make_user(session, "dept", "contributor", "RESTRICTED"),
        "low": make_user(session, "low", "contributor", "UNCLASSIFIED"),
        "council": make_user(session, "council", "council-member", "SECRET", ALL),
        "op": operator,
    }


@pytest.fixture
def cycle(session, people):
    return service.start_cycle(
        session,
        user=people["pen"],
        data=CycleCreate(name="nss-next", pen_holder="pen", team=["drafter"]),
    )


def open_round(session, people, name="departments", audience="departments", marking="RESTRICTED"):
    return service.open_round(
        session,
        user=people["pen"],
        data=RoundCreate(name=name, audience=audience, marking=marking),
    )


def say(session, user, round="departments", on="objectives/deter", text="Add a target.", **kw):
    data = ContributionCreate(on=on, text=text, organisation=kw.pop("org", "Ministry"), **kw)
    return service.contribute(session, user=user, round=round, data=data)


def test_exactly_one_pen_holder_and_handing_over_is_audited(session, people, cycle):
    assert cycle.pen_holder == "pen"
    assert [m.username for m in cycle.team] == ["drafter"]
    with pytest.raises(Conflict, match="one pen-holder"):
        service.start_cycle(
            session, user=people["pen2"], data=CycleCreate(name="rival", pen_holder="pen2")
        )
    with pytest.raises(Forbidden, match="only the pen-holder"):
        service.hand_over(session, user=people["pen2"], to="pen2")
    with pytest.raises(Invalid, match="cannot hold the pen"):
        service.hand_over(session, user=people["pen"], to="drafter")
    out = service.hand_over(session, user=people["pen"], to="pen2")
    assert out.pen_holder == "pen2"
    ev = session.execute(
        select(AuditEvent).where(AuditEvent.action == "drafting.hand-over")
    ).scalar_one()
    assert ev.actor == "pen" and '"pen2"' in ev.after and '"pen"' in ev.before
    with pytest.raises(Forbidden, match="pen-holder \\(pen2\\)"):  # no longer on the team
        open_round(session, people)
    service.open_round(
        session,
        user=people["pen2"],
        data=RoundCreate(name="departments", audience="departments", marking="RESTRICTED"),
    )
    c = say(session, people["dept"])
    decision = DecisionCreate(disposition="accept", reason="x")
    with pytest.raises(Forbidden, match="may decide"):  # the former pen-holder no longer decides
        service.decide(session, user=people["pen"], cid=c.id, data=decision)
    assert (
        service.decide(session, user=people["pen2"], cid=c.id, data=decision).decided_by == "pen2"
    )


def test_while_drafting_only_the_team_edits_and_everyone_else_comments(session, people, cycle):
    other = make_user(session, "other", "drafter", "RESTRICTED")
    change = {"description": "A new sentence."}
    with pytest.raises(Forbidden, match="only the pen-holder \\(pen\\) and the drafting team"):
        strategy_service.update_record(
            session, user=other, component="objectives", rid="deter", changes=change
        )
    for editor in ("drafter", "pen"):  # the team and the pen-holder edit
        strategy_service.update_record(
            session, user=people[editor], component="objectives", rid="deter", changes=change
        )
    open_round(session, people)
    assert say(session, other, text="A comment instead.").author == "other"


def test_only_editors_join_the_team(session, people, cycle):
    with pytest.raises(Invalid, match="does not edit"):
        service.set_team(session, user=people["pen"], username="dept")
    with pytest.raises(Forbidden, match="chooses the team"):
        service.set_team(session, user=people["drafter"], username="drafter", may_decide=True)


def test_a_contributor_cannot_decide_and_a_drafter_only_when_delegated(session, people, cycle):
    open_round(session, people)
    c = say(session, people["dept"])
    decision = DecisionCreate(disposition="reject", reason="Out of scope for this edition.")
    for who in ("dept", "drafter", "council"):
        with pytest.raises(Forbidden, match="may decide"):
            service.decide(session, user=people[who], cid=c.id, data=decision)
    service.set_team(session, user=people["pen"], username="drafter", may_decide=True)
    out = service.decide(session, user=people["drafter"], cid=c.id, data=decision)
    assert out.disposition == "reject" and out.decided_by == "drafter"
    assert out.organisation == "Ministry"


def test_a_round_cannot_close_while_a_contribution_is_undecided(session, people, cycle):
    open_round(session, people)
    c = say(session, people["dept"])
    with pytest.raises(Conflict, match="without a decision") as exc:
        service.close_round(session, user=people["pen"], name="departments")
    assert str(c.id) in str(exc.value)
    service.decide(
        session,
        user=people["pen"],
        cid=c.id,
        data=DecisionCreate(disposition="defer", reason="For the next review."),
    )
    closed = service.close_round(session, user=people["pen"], name="departments")
    assert closed.status == "closed" and not closed.open and closed.undecided == 0
    with pytest.raises(Invalid, match="closed"):
        say(session, people["dept"], text="Too late.")


def test_an_invited_participant_sees_only_the_rounds_draft_and_nothing_after_expiry(
    session, people, cycle
):
    open_round(session, people, "internal", marking="RESTRICTED")
    open_round(session, people, "roundtable", audience="roundtable", marking="UNCLASSIFIED")
    invited = service.invite(
        session,
        user=people["pen"],
        round="roundtable",
        data=ParticipantCreate(
            username="prof", organisation="University of Testland", org_kind="university"
        ),
        password="a long enough password",
    )
    assert invited.password is None or invited.password
    u = find(session, "prof")
    assert u is not None and u.role == "participant"
    from grandstrategy.core.authz import Principal

    prof = Principal.of(u)
    assert [r.name for r in service.list_rounds(session, user=prof)] == ["roundtable"]
    draft = service.draft(session, user=prof, round="roundtable")
    ids = {rec.id for rec in draft.records}
    assert "deter" in ids and "zebra-cell" not in ids and "nato-tripwire" not in ids
    assert all(rec.marking == "UNCLASSIFIED" for rec in draft.records)
    with pytest.raises(NotFound):
        service.draft(session, user=prof, round="internal")
    assert service.list_cycles(session, user=prof) == []
    with pytest.raises(Forbidden):
        strategy_service.list_records(session, user=prof, component="objectives")
    mine = service.contribute(
        session,
        user=prof,
        round="roundtable",
        data=ContributionCreate(on="objectives/deter", text="Measure readiness yearly."),
    )
    assert mine.organisation == "University of Testland" and mine.org_kind == "university"
    say(session, people["dept"], round="roundtable", text="A department's view.")
    assert [c.id for c in service.list_contributions(session, user=prof)] == [mine.id]
    # the closing date passes: nothing is visible any more
    r = session.execute(select(Round).where(Round.name == "roundtable")).scalar_one()
    r.until = dt.date.today() - dt.timedelta(days=1)
    session.flush()
    assert service.list_rounds(session, user=prof) == []
    assert service.list_contributions(session, user=prof) == []
    with pytest.raises(NotFound):
        service.draft(session, user=prof, round="roundtable")
    # closing the round disables the scoped account
    r.until = None
    for c in service.list_contributions(session, user=people["pen"], round="roundtable"):
        service.decide(
            session,
            user=people["pen"],
            cid=c.id,
            data=DecisionCreate(disposition="defer", reason="Next edition."),
        )
    service.close_round(session, user=people["pen"], name="roundtable")
    session.refresh(u)
    assert u.active is False


def test_a_lower_cleared_reader_sees_no_contribution_above_clearance(session, people, cycle):
    open_round(session, people, marking="RESTRICTED")
    say(session, people["dept"], text="Visible remark on deterrence.")
    say(session, people["pen"], text=f"About {SECRET_TITLE}.", marking="CONFIDENTIAL")
    for c in service.list_contributions(session, user=people["pen"]):
        service.decide(
            session,
            user=people["pen"],
            cid=c.id,
            data=DecisionCreate(disposition="reject", reason="Noted."),
        )
    dept = people["dept"]
    listed = service.list_contributions(session, user=dept)
    assert [c.text for c in listed] == ["Visible remark on deterrence."]
    rd = service.get_round(session, user=dept, name="departments")
    assert rd.contributions == 1
    assert service.get_round(session, user=people["pen"], name="departments").contributions == 2
    md = service.report(session, user=dept, fmt="md", round="departments").content.decode()
    assert SECRET_TITLE not in md and "Visible remark" in md
    assert "| departments | 0 | 0 | 1 | 0 | 0 | 0 |" in md
    full = service.report(session, user=people["pen"], fmt="md", round="departments")
    assert SECRET_TITLE in full.content.decode() and full.marking == "CONFIDENTIAL"
    capped = service.report(
        session, user=people["pen"], fmt="md", round="departments", max_marking="RESTRICTED"
    )
    assert SECRET_TITLE not in capped.content.decode() and capped.marking == "RESTRICTED"
    with pytest.raises(NotFound):  # a reader below the round's marking does not see it at all
        service.get_round(session, user=people["low"], name="departments")
    assert service.list_contributions(session, user=people["low"]) == []


def test_an_accepted_proposal_is_applied_and_linked_to_its_change(session, people, cycle):
    strategy_service.update_record(
        session,
        user=people["pen"],
        component="objectives",
        rid="deter",
        changes={"description": "Keep forces ready to deter any aggression."},
    )
    r = open_round(session, people)
    c = say(
        session,
        people["dept"],
        on='objectives/deter.description="ready to deter"',
        text="Readiness alone is vague.",
        proposal="able to deploy within ten days to deter",
    )
    assert c.quote == "ready to deter" and c.on == "objectives/deter.description[12:26]"
    with pytest.raises(Invalid, match="link to the change"):
        service.decide(
            session,
            user=people["pen"],
            cid=c.id,
            data=DecisionCreate(disposition="accept", reason="Clearer."),
        )
    out = service.decide(
        session,
        user=people["pen"],
        cid=c.id,
        data=DecisionCreate(disposition="accept", reason="Clearer.", apply=True),
    )
    rec = strategy_service.get_record(
        session, user=people["pen"], component="objectives", rid="deter"
    )
    assert rec.description == "Keep forces able to deploy within ten days to deter any aggression."
    assert out.change_version is not None and out.change_version > r.version
    diffs = service.word_diff(session, user=people["pen"], v1=r.version, v2=out.change_version)
    (d,) = [x for x in diffs if x.key == "deter"]
    (f,) = d.fields
    assert f.field == "description"
    assert [w.text for w in f.words if w.op == "del"] == ["ready"]
    assert [w.text for w in f.words if w.op == "ins"] == ["able to deploy within ten days"]


def test_public_rounds_are_moderated(session, people, cycle):
    open_round(session, people, "public", audience="public", marking="UNCLASSIFIED")
    held = say(session, people["dept"], round="public", text="Buy more tanks.")
    spam = say(session, people["low"], round="public", text="Cheap watches here.", org="Shop")
    assert held.status == "held"
    assert service.list_contributions(session, user=people["low"]) == [
        service.get_contribution(session, user=people["low"], cid=spam.id)
    ]
    with pytest.raises(Invalid, match="held for moderation"):
        service.decide(
            session,
            user=people["pen"],
            cid=held.id,
            data=DecisionCreate(disposition="reject", reason="x"),
        )
    with pytest.raises(Invalid, match="say why"):
        service.moderate(session, user=people["pen"], cid=spam.id, data=Moderation(action="reject"))
    with pytest.raises(NotFound):  # someone else's held contribution is not shown
        service.moderate(
            session,
            user=people["dept"],
            cid=spam.id,
            data=Moderation(action="reject", reason="off-topic"),
        )
    with pytest.raises(Forbidden):  # an author does not moderate their own
        service.moderate(
            session,
            user=people["dept"],
            cid=held.id,
            data=Moderation(action="reject", reason="off-topic"),
        )
    service.moderate(
        session,
        user=people["pen"],
        cid=spam.id,
        data=Moderation(action="reject", reason="Off-topic: advertising."),
    )
    service.moderate(session, user=people["pen"], cid=held.id, data=Moderation(action="publish"))
    assert [c.id for c in service.queue(session, user=people["pen"])] == [held.id]
    service.decide(
        session,
        user=people["pen"],
        cid=held.id,
        data=DecisionCreate(disposition="partly", reason="Capabilities reviewed."),
    )
    assert service.queue(session, user=people["pen"]) == []
    service.close_round(session, user=people["pen"], name="public")
    md = service.report(session, user=people["pen"], fmt="md", round="public").content.decode()
    assert "Cheap watches" not in md
    assert "| public | 0 | 1 | 0 | 0 | 0 | 1 |" in md


def test_the_report_groups_identical_contributions_faithfully(session, people, cycle):
    open_round(session, people)
    ids = [
        say(session, people["dept"], text="Add cyber.", org="Region North").id,
        say(session, people["dept"], text="add  cyber.", org="Region South").id,
        say(session, people["dept"], text="Add space.", org="Region East").id,
    ]
    for cid in ids:
        service.decide(
            session,
            user=people["pen"],
            cid=cid,
            data=DecisionCreate(disposition="defer", reason="Next review."),
        )
    md = service.report(session, user=people["pen"], fmt="md", round="departments")
    text = md.content.decode()
    assert text.count("### ") == 2
    assert "(×2)" in text and "Region North (department); Region South (department)" in text
    assert "| departments | 0 | 0 | 0 | 3 | 0 | 0 |" in text
    for fmt, magic in (("pdf", b"%PDF"), ("docx", b"PK")):
        assert service.report(session, user=people["pen"], fmt=fmt).content.startswith(magic)
    with pytest.raises(Invalid, match="unknown format"):
        service.report(session, user=people["pen"], fmt="odt")


def test_contributions_are_anchored_to_records_or_spans_of_the_draft(session, people, cycle):
    open_round(session, people, marking="UNCLASSIFIED")
    with pytest.raises(NotFound, match="not in the draft"):
        say(session, people["dept"], on="objectives/zebra-cell")
    with pytest.raises(Invalid, match="not in"):
        say(session, people["dept"], on='objectives/deter.title="no such words"')
    with pytest.raises(Invalid, match="proposal replaces text"):
        say(session, people["dept"], proposal="New text")
    with pytest.raises(Invalid, match="organisation"):
        service.contribute(
            session,
            user=people["dept"],
            round="departments",
            data=ContributionCreate(on="objectives/deter", text="x"),
        )
    c = say(session, people["dept"], on="objectives/deter.title[0:8]")
    assert c.quote == "Credible"


def test_council_approval_and_publication_build_the_launch_pack(session, people, cycle):
    open_round(session, people)
    c = say(session, people["dept"])
    with pytest.raises(Invalid, match="close the consultation"):
        service.approve(session, user=people["council"], data=ApprovalCreate(decision="ok"))
    service.decide(
        session,
        user=people["pen"],
        cid=c.id,
        data=DecisionCreate(disposition="accept", reason="Target added."),
    )
    service.close_round(session, user=people["pen"], name="departments")
    with pytest.raises(Forbidden):
        service.approve(session, user=people["dept"], data=ApprovalCreate(decision="ok"))
    with pytest.raises(Invalid, match="approve it first"):
        service.publish(session, user=people["pen"])
    out = service.approve(
        session, user=people["council"], data=ApprovalCreate(decision="Council of 3 March")
    )
    assert out.status == "approved" and out.approved_by == "council"
    eds = strategy_service.current(session, people["pen"])
    assert eds.status == "approved"
    with pytest.raises(Forbidden, match="only the pen-holder"):
        service.publish(session, user=people["council"])
    pub = service.publish(session, user=people["pen"])
    assert pub.status == "published" and pub.published_version >= out.approved_version
    names = {f.name for f in service.launch_files(session, user=people["pen"])}
    for lang in ("en", "fr", "nl", "de"):
        for ext in ("pdf", "docx", "html"):
            assert f"edition/testland-nss-{lang}.{ext}" in names
    assert {"summary.pdf", "press-note-template.md"} <= names
    assert "reports/you-said-we-did-departments.pdf" not in names  # RESTRICTED round withheld
    assert "reports/you-said-we-did-nss-next.md" in names
    html, _media, marking = service.launch_file(
        session, user=people["pen"], name="edition/testland-nss-en.html"
    )
    assert SECRET_TITLE.encode() not in html and marking == "UNCLASSIFIED"
    from pypdf import PdfReader

    summary, _m, _k = service.launch_file(session, user=people["pen"], name="summary.pdf")
    assert len(PdfReader(io.BytesIO(summary)).pages) <= 2
    note, _m, _k = service.launch_file(session, user=people["pen"], name="press-note-template.md")
    title = strategy_service.current(session, people["pen"]).title
    assert f"today published “{title}”, after" in note.decode()  # the title quoted, as it is


def test_anchor_forms_and_clear_errors():
    a = anchors.parse("objectives/deter.description[3:9]")
    assert (a.component, a.key, a.field, a.start, a.end) == (
        "objectives",
        "deter",
        "description",
        3,
        9,
    )
    assert str(a) == "objectives/deter.description[3:9]"
    q = anchors.resolve(anchors.parse('threats/x.title="big one"'), {"title": "The big one"})
    assert (q.start, q.end, q.quote) == (4, 11, "big one")
    for bad, msg in (
        ("deter", "cannot read"),
        ("actors/x", "unknown component"),
        ("threats/x.owner", "no text field"),
        ("threats/x.title[5:2]", "end after"),
    ):
        with pytest.raises(Invalid, match=msg):
            anchors.parse(bad)
    with pytest.raises(Invalid, match="past the end"):
        anchors.resolve(anchors.parse("threats/x.title[0:99]"), {"title": "short"})


def test_word_diff_shows_the_words_that_changed_not_whole_fields():
    runs = worddiff.diff_words("Protect the grid by 2030.", "Protect the power grid by 2028.")
    assert runs == [
        ("same", "Protect the "),
        ("ins", "power "),
        ("same", "grid by "),
        ("del", "2030"),
        ("ins", "2028"),
        ("same", "."),
    ]
    assert worddiff.render_plain(runs) == "Protect the {+power +}grid by [-2030-]{+2028+}."
    before = worddiff.as_text(["defence", "intel"])
    after = worddiff.as_text(["defence", "interior"])
    assert "[" not in before and worddiff.changed_words(before, after) == (["intel"], ["interior"])


def test_the_example_carries_a_finished_cycle(session, operator):
    from grandstrategy.drafting.example import load_example
    from grandstrategy.strategy.example import load_example as load_strategy

    load_strategy(session, user=operator)
    report = load_example(session, user=operator)
    assert report is not None and report.rounds == 3 and report.contributions == 30
    assert load_example(session, user=operator) is None  # once
    cycle = service.get_cycle(session, user=operator)
    assert cycle.status == "published" and cycle.approved_by == "example.council"
    rounds = service.list_rounds(session, user=operator)
    assert [r.audience for r in rounds] == ["departments", "regions", "roundtable"]
    assert all(r.status == "closed" and r.undecided == 0 for r in rounds)
    items = service.list_contributions(session, user=operator)
    assert len(items) == 30 and all(c.disposition for c in items)
    assert {c.disposition for c in items} == {"accept", "partly", "reject", "defer"}
    linked = [c for c in items if c.change_version]
    assert len([c for c in linked if c.proposal]) == 6 and len(linked) == 18
    for c in linked:  # each link names the version that changed that very record
        changed = service.word_diff(
            session, user=operator, v1=c.change_version - 1, v2=c.change_version
        )
        assert c.record in {d.key for d in changed}, c.text
    # what the reasons say was done was done: nothing is taken up without a change or a why
    taken = [c for c in items if c.disposition in ("accept", "partly") and not c.change_version]
    assert {c.record for c in taken} <= {"intelligence-capacity", "cyber-resilience",
                                          "transatlantic-rupture"}  # fmt: skip
    assert {c.org_kind for c in items} >= {"department", "region", "university", "ngo", "company"}
    guest = find(session, "rt.ngo")
    assert guest is not None and guest.active is False  # the round closed
    names = {f.name for f in service.launch_files(session, user=operator)}
    assert "reports/you-said-we-did-regions-2026.pdf" in names and "summary.pdf" in names
    from pypdf import PdfReader

    summary, _media, _marking = service.launch_file(session, user=operator, name="summary.pdf")
    assert len(PdfReader(io.BytesIO(summary)).pages) <= 2


def test_setup_loads_the_cycle_after_delivery_approved_the_strategy(session, operator):
    """First-run setup's order: the delivery example freezes two approved editions first;
    the drafting cycle still loads, reopens the draft and ends approved and published."""
    from grandstrategy.delivery.example import load_example as load_delivery
    from grandstrategy.drafting.example import load_example
    from grandstrategy.strategy.example import load_example as load_strategy

    load_strategy(session, user=operator)
    load_delivery(session, user=operator, editions=True)
    assert strategy_service.current(session, operator).status == "approved"
    report = load_example(session, user=operator)
    assert report is not None and report.contributions == 30
    cycle = service.get_cycle(session, user=operator)
    assert cycle.status == "published"
    strategy = strategy_service.current(session, operator)
    assert strategy.status == "published"
    eds = strategy_service.editions(session, user=operator, strategy=strategy)
    assert [e.status for e in eds][-2:] == ["approved", "published"]


def test_a_hidden_round_name_is_no_oracle(session, people, cycle):
    open_round(session, people, "hidden-name", marking="CONFIDENTIAL")
    service.set_team(session, user=people["pen"], username="drafter")
    mine = service.open_round(
        session,
        user=people["drafter"],
        data=RoundCreate(name="hidden-name", audience="regions", marking="RESTRICTED"),
    )
    assert mine.marking == "RESTRICTED"  # accepted as if the name were fresh
    with pytest.raises(Conflict, match="taken"):  # a name the user can see is refused
        service.open_round(
            session,
            user=people["drafter"],
            data=RoundCreate(name="hidden-name", audience="regions"),
        )
    assert service.get_round(session, user=people["drafter"], name="hidden-name").marking == (
        "RESTRICTED"
    )
    assert service.get_round(session, user=people["pen"], name="hidden-name").marking == (
        "RESTRICTED"
    )  # the newest of the two the pen-holder sees


def test_word_diffs_carry_the_marking_and_hide_what_the_reader_may_not_see(session, people, cycle):
    before = strategy_service.current(session, people["pen"]).version
    for rid in ("deter", "zebra-cell"):
        strategy_service.update_record(
            session, user=people["pen"], component="objectives", rid=rid,
            changes={"description": "Now with new words."},
        )  # fmt: skip
    after = strategy_service.current(session, people["pen"]).version
    seen = {d.key: d.marking for d in service.word_diff(session, user=people["pen"], v1=before,
                                                        v2=after)}  # fmt: skip
    assert seen == {"deter": "UNCLASSIFIED", "zebra-cell": "CONFIDENTIAL"}
    dept = people["dept"]
    from grandstrategy.strategy import versions

    strategy = strategy_service.current(session, dept)
    local = versions.local_version(session, strategy, dept)
    rows = service.word_diff(session, user=dept, v1=local - 1, v2=local)
    assert [d.key for d in rows] == ["deter"]
    assert all(SECRET_TITLE not in w.text for d in rows for f in d.fields for w in f.words)
