"""JSON API over the drafting service: cycles, rounds, participants, contributions,
decisions, reports, word diffs, approval, publication and the launch pack.

Team acts (opening and closing rounds, inviting, moderating, deciding) are declared as
``drafting.read``: the service then checks that the caller is the pen-holder, on the team,
or a delegated decider, which a role alone cannot say.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from grandstrategy.core.authz import Principal
from grandstrategy.drafting import service
from grandstrategy.drafting.schemas import (
    ApprovalCreate,
    ContributionCreate,
    ContributionRead,
    CycleCreate,
    CycleRead,
    DecisionCreate,
    DraftRead,
    LaunchFileRead,
    Moderation,
    ParticipantCreate,
    ParticipantRead,
    RecordWordDiff,
    ReportFile,
    RoundCreate,
    RoundRead,
)
from grandstrategy.web.deps import api_user, get_session, needs

router = APIRouter(prefix="/api/drafting", tags=["drafting"])
READ, CONTRIBUTE = "drafting.read", "drafting.contribute"


class HandOver(BaseModel):
    to: str = Field(min_length=1)


class TeamChange(BaseModel):
    username: str = Field(min_length=1)
    may_decide: bool = False
    remove: bool = False


class Invitation(ParticipantCreate):
    password: str | None = Field(None, min_length=12)


class RoundOpen(RoundCreate):
    cycle: str | None = None


def _file(rep: ReportFile) -> Response:
    return Response(
        rep.content,
        media_type=rep.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{rep.filename}"',
            "X-Marking": rep.marking,
        },
    )


@router.get("/cycles", **needs(READ))
def cycles(
    user: Principal = Depends(api_user), session: Session = Depends(get_session)
) -> list[CycleRead]:
    """Drafting cycles: pen-holder, team, status, approval and publication."""
    return service.list_cycles(session, user=user)


@router.post("/cycles", status_code=201, **needs("strategy.publish"))
def start(
    data: CycleCreate, user: Principal = Depends(api_user), session: Session = Depends(get_session)
) -> CycleRead:
    """Open a cycle for the next edition under exactly one pen-holder."""
    return service.start_cycle(session, user=user, data=data)


@router.get("/cycles/{name}", **needs(READ))
def cycle(
    name: str, user: Principal = Depends(api_user), session: Session = Depends(get_session)
) -> CycleRead:
    return service.get_cycle(session, user=user, name=name)


@router.post("/cycles/{name}/hand-over", **needs(READ))
def hand_over(
    name: str,
    data: HandOver,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> CycleRead:
    """The pen-holder names their one successor (audited)."""
    return service.hand_over(session, user=user, to=data.to, cycle=name)


@router.post("/cycles/{name}/team", **needs(READ))
def team(
    name: str,
    data: TeamChange,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> CycleRead:
    """Add, delegate decisions to, or remove a drafter (pen-holder only)."""
    return service.set_team(session, user=user, username=data.username,
                            may_decide=data.may_decide, remove=data.remove, cycle=name)  # fmt: skip


@router.post("/cycles/{name}/approval", **needs("drafting.approve"))
def approve(
    name: str,
    data: ApprovalCreate,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> CycleRead:
    """The Council's decision; freezes the approved edition."""
    return service.approve(session, user=user, data=data, cycle=name)


@router.post("/cycles/{name}/publication", **needs("strategy.publish"))
def publish(
    name: str, user: Principal = Depends(api_user), session: Session = Depends(get_session)
) -> CycleRead:
    """Freeze the published edition and build the launch pack (pen-holder)."""
    return service.publish(session, user=user, cycle=name)


@router.get("/cycles/{name}/launch-pack", **needs(READ))
def launch_pack(
    name: str, user: Principal = Depends(api_user), session: Session = Depends(get_session)
) -> list[LaunchFileRead]:
    return service.launch_files(session, user=user, cycle=name)


@router.get("/cycles/{name}/launch-pack/{filename:path}", **needs(READ))
def launch_file(
    name: str,
    filename: str,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> Response:
    content, media, marking = service.launch_file(session, user=user, name=filename, cycle=name)
    short = filename.rsplit("/", 1)[-1]
    headers = {"Content-Disposition": f'attachment; filename="{short}"', "X-Marking": marking}
    return Response(content, media_type=media, headers=headers)


@router.get("/cycles/{name}/report", **needs(READ))
def cycle_report(
    name: str,
    format: str = Query("md", description="md, html, pdf or docx"),
    max_marking: str | None = Query(None, description="Leave out what is above this."),
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> Response:
    """ "You said, we did" over every round of the cycle."""
    return _file(service.report(session, user=user, fmt=format, cycle=name,
                                max_marking=max_marking))  # fmt: skip


@router.get("/rounds", **needs(READ))
def rounds(
    cycle: str | None = None,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> list[RoundRead]:
    """The rounds you may see, with counts of what you may see."""
    return service.list_rounds(session, user=user, cycle=cycle)


@router.post("/rounds", status_code=201, **needs(READ))
def open_round(
    data: RoundOpen, user: Principal = Depends(api_user), session: Session = Depends(get_session)
) -> RoundRead:
    """Consult one audience on the current draft (pen-holder and team)."""
    body = RoundCreate.model_validate(data.model_dump(exclude={"cycle"}))
    return service.open_round(session, user=user, data=body, cycle=data.cycle)


@router.get("/rounds/{name}", **needs(READ))
def get_round(
    name: str, user: Principal = Depends(api_user), session: Session = Depends(get_session)
) -> RoundRead:
    return service.get_round(session, user=user, name=name)


@router.get("/rounds/{name}/draft", **needs(READ))
def draft(
    name: str, user: Principal = Depends(api_user), session: Session = Depends(get_session)
) -> DraftRead:
    """The round's draft as put to its audience, at the round's marking."""
    return service.draft(session, user=user, round=name)


@router.post("/rounds/{name}/close", **needs(READ))
def close_round(
    name: str, user: Principal = Depends(api_user), session: Session = Depends(get_session)
) -> RoundRead:
    """Refused (409) while any contribution has no decision."""
    return service.close_round(session, user=user, name=name)


@router.post("/rounds/{name}/participants", status_code=201, **needs(READ))
def invite(
    name: str,
    data: Invitation,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> ParticipantRead:
    """A scoped account for this round only; the password is returned once if generated."""
    body = ParticipantCreate.model_validate(data.model_dump(exclude={"password"}))
    return service.invite(session, user=user, round=name, data=body, password=data.password)


@router.get("/rounds/{name}/report", **needs(READ))
def round_report(
    name: str,
    format: str = Query("md", description="md, html, pdf or docx"),
    max_marking: str | None = Query(None, description="Leave out what is above this."),
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> Response:
    """ "You said, we did" for one round, at a chosen marking."""
    return _file(service.report(session, user=user, fmt=format, round=name,
                                max_marking=max_marking))  # fmt: skip


@router.post("/rounds/{name}/contributions", status_code=201, **needs(CONTRIBUTE))
def contribute(
    name: str,
    data: ContributionCreate,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> ContributionRead:
    """A comment on a record or a span of its text, optionally with replacement text."""
    return service.contribute(session, user=user, round=name, data=data)


@router.get("/contributions", **needs(READ))
def contributions(
    round: str | None = None,
    undecided: bool = False,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> list[ContributionRead]:
    return service.list_contributions(session, user=user, round=round, undecided=undecided)


@router.get("/queue", **needs(READ))
def queue(
    user: Principal = Depends(api_user), session: Session = Depends(get_session)
) -> list[ContributionRead]:
    """What awaits moderation or your decision."""
    return service.queue(session, user=user)


@router.get("/contributions/{cid}", **needs(READ))
def contribution(
    cid: int, user: Principal = Depends(api_user), session: Session = Depends(get_session)
) -> ContributionRead:
    return service.get_contribution(session, user=user, cid=cid)


@router.post("/contributions/{cid}/decision", **needs(READ))
def decide(
    cid: int,
    data: DecisionCreate,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> ContributionRead:
    """The pen-holder's or a delegate's disposition, with a reason."""
    return service.decide(session, user=user, cid=cid, data=data)


@router.post("/contributions/{cid}/moderation", **needs(READ))
def moderate(
    cid: int,
    data: Moderation,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> ContributionRead:
    """Public rounds: publish a held contribution or reject it with a reason."""
    return service.moderate(session, user=user, cid=cid, data=data)


@router.get("/diff", **needs(READ))
def diff(
    v1: int = Query(..., ge=0, description="Earlier version"),
    v2: int = Query(..., ge=0, description="Later version"),
    key: str | None = Query(None, description="Strategy id (default: current)"),
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> list[RecordWordDiff]:
    """Word-level differences between two draft versions."""
    return service.word_diff(session, user=user, v1=v1, v2=v2, key=key)
