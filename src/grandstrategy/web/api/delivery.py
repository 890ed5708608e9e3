"""JSON API over the delivery service: the dashboard, one objective's delivery, check-ins,
judgements, milestones, comments, what an owner owes, and the budget against Allies."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy.orm import Session

from grandstrategy.core.authz import Principal
from grandstrategy.delivery import service
from grandstrategy.delivery.schemas import (
    BudgetHistory,
    BudgetPath,
    CapabilityTargetCreate,
    CapabilityValue,
    CheckInCreate,
    CheckInRead,
    CommentCreate,
    CommentRead,
    DashboardRow,
    DeploymentCreate,
    DeploymentRead,
    JudgementCreate,
    JudgementRead,
    MilestoneCreate,
    MilestoneRead,
    ObjectiveDelivery,
    Owed,
    ProposalCreate,
    ProposalRead,
    ReviewRoundCreate,
    ReviewRoundRead,
    SignOffCreate,
    SignOffRead,
)
from grandstrategy.web.deps import api_user, get_session, needs

router = APIRouter(prefix="/api/delivery", tags=["delivery"])
READ, REPORT, JUDGE = "delivery.read", "delivery.report", "delivery.judge"
MANAGE = "delivery.manage"
RATING = r"^(green|amber-green|amber-red|red|none)$"


@router.get("/dashboard", **needs(READ))
def dashboard(
    on: dt.date | None = Query(None, description="Count ages and lateness from this day."),
    actor: str | None = Query(None, description="Objectives this actor owns or helps with."),
    threat: str | None = None,
    interest: str | None = None,
    rating: str | None = Query(None, pattern=RATING, description="'none': not yet judged."),
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> list[DashboardRow]:
    """Every objective the reader may see: owner status beside the secretariat's rating
    (``disagreement`` when they differ), trajectory, deadline, overdue, check-in age."""
    return service.dashboard(
        session, user=user, on=on, actor=actor, threat=threat, interest=interest, rating=rating
    )


@router.get("/owed", **needs(READ))
def owed(
    on: dt.date | None = None,
    cycle_days: int = Query(service.DEFAULT_CYCLE_DAYS, ge=1, le=3660),
    actor: str | None = Query(None, description="This actor instead of the caller's own."),
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> list[Owed]:
    """What I owe: the check-ins due for the objectives the caller's actors own."""
    return service.owed(session, user=user, on=on, cycle_days=cycle_days, actor=actor)


@router.get("/objectives/{objective}", **needs(READ))
def objective(
    objective: str,
    on: dt.date | None = None,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> ObjectiveDelivery:
    """One objective: check-ins, judgements, milestones, comments, indicator trajectories."""
    return service.objective_delivery(session, user=user, objective=objective, on=on)


@router.post("/objectives/{objective}/checkins", status_code=201, **needs(REPORT))
def check_in(
    objective: str,
    data: CheckInCreate,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> CheckInRead:
    """The owner's report (members of the owning actor only)."""
    return service.check_in(session, user=user, objective=objective, data=data)


@router.post("/objectives/{objective}/judgements", status_code=201, **needs(JUDGE))
def judge(
    objective: str,
    data: JudgementCreate,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> JudgementRead:
    """The secretariat's likelihood of delivery (green … red) with its reason."""
    return service.judge(session, user=user, objective=objective, data=data)


@router.post("/objectives/{objective}/milestones", status_code=201, **needs(REPORT))
def milestone(
    objective: str,
    data: MilestoneCreate,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> MilestoneRead:
    """A dated milestone; with an indicator and value it bends the planned path."""
    return service.add_milestone(session, user=user, objective=objective, data=data)


@router.post("/objectives/{objective}/comments", status_code=201, **needs(REPORT))
def comment(
    objective: str,
    data: CommentCreate,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> CommentRead:
    """A remark by a member of the owner or of a contributor."""
    return service.comment(session, user=user, objective=objective, data=data)


@router.get("/budget/history", **needs(READ))
def budget_history(
    country: str = Query("BEL", min_length=3, max_length=3, description="ISO alpha-3."),
    user: Principal = Depends(api_user),
) -> BudgetHistory:
    """Share of GDP per year from NATO's table, rank among Allies, the two benchmarks."""
    return service.budget_history(user=user, country=country)


@router.get("/budget/path", **needs(READ))
def budget_path(
    country: str = Query("BEL", min_length=3, max_length=3),
    base_year: int = Query(2024, alias="from", ge=2014, le=2100),
    target: float = Query(2.0, gt=0, lt=100, description="% of GDP"),
    by: int = Query(2030, ge=2015, le=2150),
    gdp_growth: float = Query(0.0, ge=-50, le=50, description="% a year"),
    gdp_shock: list[str] = Query([], description="YEAR:PCT, e.g. 2027:-5; repeat."),
    hold: str = Query("share", pattern="^(share|real)$"),
    base_share: float | None = Query(None, ge=0.01, lt=100),
    user: Principal = Depends(api_user),
) -> BudgetPath:
    """A planned path to ``target`` % of GDP by ``by``: GDP index, real spending index and
    share per year, with ``hold=real`` showing how a GDP shock moves the share."""
    return service.budget_path(
        user=user,
        country=country,
        base_year=base_year,
        target=target,
        by=by,
        gdp_growth=gdp_growth,
        shocks=gdp_shock,
        hold=hold,
        base_share=base_share,
    )


def file_response(out: service.Output) -> Response:
    """A rendered document as a download, its marking in ``X-Marking``."""
    return Response(
        out.content,
        media_type=out.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{out.filename}"',
            "X-Marking": str(out.marking),
        },
    )


@router.post("/packs", status_code=201, **needs(READ))
def stocktake(
    format: str = Query("md", pattern="^(md|pdf|docx)$"),
    max_marking: str | None = Query(None, description="Leave out objectives above this."),
    on: dt.date | None = None,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> Response:
    """Issue the stocktake pack for the Council: red and amber-red first, then what changed
    since the last pack, then every objective. The pack is remembered for the next one."""
    out = service.stocktake(session, user=user, fmt=format, max_marking=max_marking, on=on)
    return file_response(out)


@router.get("/deployments", **needs(READ))
def deployments(
    year: int | None = Query(None, ge=1990, le=2100, description="Only those active that year."),
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> list[DeploymentRead]:
    """The register of operational deployments."""
    return service.deployments(session, user=user, year=year)


@router.post("/deployments", status_code=201, **needs(MANAGE))
def add_deployment(
    data: DeploymentCreate,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> DeploymentRead:
    """Enter a deployment in the register."""
    return service.add_deployment(session, user=user, data=data)


@router.get("/deployments/{key}", **needs(READ))
def get_deployment(
    key: str, user: Principal = Depends(api_user), session: Session = Depends(get_session)
) -> DeploymentRead:
    """One deployment of the register."""
    return service.deployment(session, user=user, key=key)


@router.put("/deployments/{key}", **needs(MANAGE))
def update_deployment(
    key: str,
    data: DeploymentCreate,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> DeploymentRead:
    """Correct a deployment (its key stays)."""
    return service.update_deployment(session, user=user, key=key, data=data)


@router.post("/reviews", status_code=201, **needs(MANAGE))
def open_round(
    data: ReviewRoundCreate,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> ReviewRoundRead:
    """Open the yearly review round of the deployments."""
    return service.open_round(session, user=user, year=data.year,
                              departments=data.departments, marking=data.marking)  # fmt: skip


@router.get("/reviews/{year}", **needs(READ))
def review_round(
    year: int, user: Principal = Depends(api_user), session: Session = Depends(get_session)
) -> ReviewRoundRead:
    """A year's review: proposals, sign-offs, the departments yet to sign."""
    return service.review_round(session, user=user, year=year)


@router.post("/reviews/{year}/proposals", status_code=201, **needs(READ))
def propose(
    year: int,
    data: ProposalCreate,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> ProposalRead:
    """A proposal: continue, end, reorient or new. The service admits the secretariat
    (``delivery.manage``) and members of the reviewing departments (``delivery.report``)."""
    return service.propose(session, user=user, year=year, data=data)


@router.post("/reviews/{year}/signoffs", status_code=201, **needs(REPORT))
def sign_off(
    year: int,
    data: SignOffCreate,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> SignOffRead:
    """A department's sign-off (members of that department)."""
    return service.sign_off(session, user=user, year=year, department=data.department,
                            note=data.note)  # fmt: skip


@router.get("/reviews/{year}/pack", **needs(READ))
def review_pack(
    year: int,
    format: str = Query("md", pattern="^(md|pdf|docx)$"),
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> Response:
    """The review pack of a year's round, at the highest marking of what it holds."""
    return file_response(service.review_pack(session, user=user, year=year, fmt=format))


@router.get("/five-year/{from_version}/{to_version}", **needs(READ))
def five_year_review(
    from_version: int,
    to_version: int,
    format: str = Query("md", pattern="^(md|pdf|docx)$"),
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> Response:
    """The five-yearly review between two frozen editions (their version numbers): what
    changed per component, objectives met, missed or dropped, resilience, the budget, and
    the change log grouped by component."""
    out = service.five_year_review(
        session, user=user, from_version=from_version, to_version=to_version, fmt=format
    )
    return file_response(out)


@router.get("/capabilities", **needs(READ))
def capabilities(
    user: Principal = Depends(api_user), session: Session = Depends(get_session)
) -> list[CapabilityValue]:
    """Per capability and measure: targets, delivered, spend, their growth, and the flag for
    spend that rises while delivery does not."""
    return service.capability_values(session, user=user)


@router.put("/capabilities", **needs(MANAGE))
def record_target(
    data: CapabilityTargetCreate,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> CapabilityTargetCreate:
    """Record (or correct) one year's target, delivery and spend for a capability."""
    return service.record_target(session, user=user, data=data)
