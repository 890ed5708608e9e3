"""Council approval, publication and the launch pack.

Approval is the Council's act: a council member records the decision and the approved
edition is frozen. Publication is the pen-holder's: the published edition is frozen and the
launch pack is built from it, at the lowest marking, so everything in it may be handed out:
the public edition in every language (PDF, Word, HTML), a two-page summary, the "you said,
we did" reports and a press-note template.
"""

from __future__ import annotations

import datetime as dt
import html

from sqlalchemy import select
from sqlalchemy.orm import Session

from grandstrategy.core import audit, i18n, pdf
from grandstrategy.core.authz import Principal, require, restrict
from grandstrategy.core.errors import Forbidden, Invalid, NotFound
from grandstrategy.core.i18n import _
from grandstrategy.core.markings import Marking, scheme
from grandstrategy.drafting import access
from grandstrategy.drafting.models import Contribution, LaunchFile, Round
from grandstrategy.drafting.reading import cycle_read, report
from grandstrategy.drafting.schemas import ApprovalCreate, CycleRead, LaunchFileRead
from grandstrategy.strategy import service as strategy_service
from grandstrategy.strategy.schemas import Package, component_title

EDITION_FORMATS = ("pdf", "docx", "html")


def approve(
    session: Session, *, user: Principal, data: ApprovalCreate, cycle: str | None = None
) -> CycleRead:
    """Record the Council's decision and freeze the approved edition."""
    require(user, "drafting.approve")
    c = access.current_cycle(session, user, cycle)
    if c.status != "drafting":
        raise Invalid(
            _("cycle {n} is {s}; only a draft can be approved").format(n=c.name, s=c.status)
        )
    open_rounds = (
        session.execute(select(Round.name).where(Round.cycle_id == c.id, Round.status == "open"))
        .scalars()
        .all()
    )
    if open_rounds:
        raise Invalid(
            _("close the consultation rounds before approval"),
            details=[_("still open: {names}").format(names=", ".join(open_rounds))],
        )
    strategy = strategy_service.current(session, user, c.strategy_key)
    ed = strategy_service.freeze(
        session,
        user=user,
        strategy=strategy,
        status="approved",
        note=data.decision[:400],
        action="drafting.approve",
    )
    c.status, c.decision = "approved", data.decision
    c.approved_by, c.approved_version = user.username, ed.version
    c.approved_at = dt.datetime.now(dt.UTC)
    session.flush()
    audit.record(
        session,
        actor=user,
        action="drafting.approve",
        object_type="cycle",
        object_id=c.name,
        marking=c.marking,
        after={"decision": data.decision, "version": ed.version},
    )
    return cycle_read(session, c, user)


def _summary_html(pkg: Package, rounds: list[tuple[str, str, int]]) -> str:
    """A two-page summary: the purpose, the vital interests, the gravest threats, the
    priority objectives, and how the country was consulted."""
    esc = html.escape
    threats = sorted(pkg.threats, key=lambda t: -((t.likelihood or 0) * (t.impact or 0)))[:6]
    priorities = [o for o in pkg.objectives if o.priority][:8]
    owners = {a.id: a.name for a in pkg.actors}
    contributions = esc(_("contributions"))
    consult = "".join(f"<li>{esc(n)} ({esc(a)}): {k} {contributions}</li>" for n, a, k in rounds)
    summary, interests, gravest = (
        esc(_("Summary")),
        esc(component_title("interests")),
        esc(_("The gravest threats and challenges")),
    )
    priority, consulted = esc(_("Priority objectives")), esc(_("How we consulted"))
    return (
        "<!doctype html><html><head><meta charset='utf-8'><style>@page{size:A4;margin:18mm}"
        "body{font-family:serif;font-size:10.5pt}h1{font-size:17pt}h2{font-size:12.5pt;"
        "margin:10px 0 4px}li{margin:1px 0}</style></head><body>"
        f"<p><strong>{summary} · {esc(pkg.strategy.marking)}</strong></p>"
        f"<h1>{esc(pkg.strategy.title)}</h1><p>{esc(pkg.strategy.summary)}</p>"
        f"<h2>{interests}</h2><ul>"
        + "".join(f"<li>{esc(i.title)}</li>" for i in pkg.interests)
        + f"</ul><h2>{gravest}</h2><ul>"
        + "".join(f"<li>{esc(t.title)}</li>" for t in threats)
        + f"</ul><h2>{priority}</h2><ul>"
        + "".join(
            f"<li>{esc(o.title)} — {esc(owners.get(o.owner or '', o.owner or ''))}"
            f"{', ' + str(o.deadline) if o.deadline else ''}</li>"
            for o in priorities
        )
        + f"</ul><h2>{consulted}</h2><ul>{consult}</ul></body></html>"
    )


PRESS_NOTE = """**{marking}**

# {heading}

{city}, [{date_label}]

{lead}

- {point_1}
- {point_2}
- {point_3}

{quote_label}: "[...]" — [{speaker_label}]

{contact_label}: [...]
"""


def _press_note(title: str, marking: str, rounds: int, contributions: int) -> str:
    return PRESS_NOTE.format(
        marking=marking,
        heading=_("Press note: {title}").format(title=title),
        city="[" + _("place") + "]",
        date_label=_("date"),
        lead=_(
            "The Government today published “{title}”, after {r} consultation rounds and "
            '{n} contributions, each answered in the "you said, we did" reports.'
        ).format(title=title, r=rounds, n=contributions),
        point_1=_("[first priority in one sentence]"),
        point_2=_("[second priority in one sentence]"),
        point_3=_("[what changes for citizens]"),
        quote_label=_("Quote"),
        speaker_label=_("name, function"),
        contact_label=_("Press contact"),
    )


def publish(session: Session, *, user: Principal, cycle: str | None = None) -> CycleRead:
    """Freeze the published edition and build the launch pack from it."""
    c = access.current_cycle(session, user, cycle)
    if user.username != c.pen_holder:
        raise Forbidden(_("only the pen-holder ({p}) publishes").format(p=c.pen_holder))
    require(user, "strategy.publish")
    if c.status != "approved":
        raise Invalid(
            _("cycle {n} is {s}; the Council must approve it first").format(n=c.name, s=c.status)
        )
    strategy = strategy_service.current(session, user, c.strategy_key)
    ed = strategy_service.freeze(
        session,
        user=user,
        strategy=strategy,
        status="published",
        note=_("published after Council approval"),
    )
    lowest = scheme().levels[0].name
    files: list[tuple[str, str, bytes, Marking]] = []
    for lang in i18n.LANGUAGES:
        with i18n.language(lang):
            for fmt in EDITION_FORMATS:
                ex = strategy_service.export(
                    session, user=user, fmt=fmt, max_marking=lowest, key=c.strategy_key, lang=lang
                )
                files.append(
                    (
                        f"edition/{c.strategy_key}-{lang}.{fmt}",
                        ex.media_type,
                        ex.content,
                        ex.marking,
                    )
                )
    rounds = list(
        session.execute(
            restrict(select(Round).where(Round.cycle_id == c.id), user).order_by(Round.id)
        ).scalars()
    )
    counted = []
    total = 0
    for r in rounds:
        if not (r.marking <= Marking()):
            continue
        for fmt in ("pdf", "md"):
            rep = report(session, user=user, fmt=fmt, round=r.name, max_marking=lowest)
            files.append(
                (f"reports/{rep.filename}", rep.media_type, rep.content, Marking.parse(rep.marking))
            )
        n = sum(
            1
            for x in session.execute(
                access.contributions_query(session, user, r).where(
                    Contribution.status == "published"
                )
            ).scalars()
            if x.marking <= Marking()
        )
        counted.append((r.name, r.audience, n))
        total += n
    for fmt in ("pdf", "md"):
        rep = report(session, user=user, fmt=fmt, cycle=c.name, max_marking=lowest)
        files.append(
            (f"reports/{rep.filename}", rep.media_type, rep.content, Marking.parse(rep.marking))
        )
    pkg = strategy_service.load_package(session, user=user, key=c.strategy_key, max_marking=lowest)
    summary = pdf.from_html(_summary_html(pkg, counted))
    files.append(("summary.pdf", "application/pdf", summary, Marking()))
    note = _press_note(pkg.strategy.title, lowest, len(counted), total)
    files.append(
        ("press-note-template.md", "text/markdown; charset=utf-8", note.encode("utf-8"), Marking())
    )
    for name, media, content, marking in files:
        f = LaunchFile(cycle_id=c.id, name=name, media_type=media, content=content)
        f.marking = marking
        session.add(f)
    c.status, c.published_by, c.published_version = "published", user.username, ed.version
    c.published_at = dt.datetime.now(dt.UTC)
    session.flush()
    audit.record(
        session,
        actor=user,
        action="drafting.publish",
        object_type="cycle",
        object_id=c.name,
        marking=c.marking,
        after={"version": ed.version, "files": [f[0] for f in files]},
    )
    return cycle_read(session, c, user)


def launch_files(
    session: Session, *, user: Principal, cycle: str | None = None
) -> list[LaunchFileRead]:
    c = access.current_cycle(session, user, cycle)
    q = restrict(select(LaunchFile).where(LaunchFile.cycle_id == c.id), user)
    return [
        LaunchFileRead(
            name=f.name, media_type=f.media_type, size=len(f.content), marking=str(f.marking)
        )
        for f in session.execute(q.order_by(LaunchFile.id)).scalars()
    ]


def launch_file(
    session: Session, *, user: Principal, name: str, cycle: str | None = None
) -> tuple[bytes, str, str]:
    """One file of the pack: its bytes, media type and marking."""
    c = access.current_cycle(session, user, cycle)
    q = restrict(
        select(LaunchFile).where(LaunchFile.cycle_id == c.id, LaunchFile.name == name), user
    )
    f = session.execute(q).scalar()
    if f is None:
        raise NotFound(_("no file {n!r} in the launch pack").format(n=name))
    return f.content, f.media_type, str(f.marking)
