"""Partners compared without lumping: priority profiles, alignment, and the region lens.

A partner's strategy documents are ingested like any others, under a source named
``partner:NAME`` (NATO, EU, Japan…). For each partner we compute

* its **profile**: the share of its passages labelled with each threat category;
* for each category, its **region lens**: which regions (``regions.yaml``) and actors its
  passages on that category mention;
* for each pair and category, an **alignment** that needs both to agree::

      emphasis = min(share_a, share_b) / max(share_a, share_b)
      referent = Σ_r min(p_a(r), p_b(r))      (overlap of the two region distributions)
      alignment = emphasis × referent

so "aggression" meaning Russia for one partner and China or North Korea for another shows
as a *different* concern (low referent overlap), not as agreement on a shared label.

Everything is computed from the passages the reader may see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from itertools import combinations
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from grandstrategy.core.authz import Principal, require, restrict
from grandstrategy.core.markings import Marking, combine
from grandstrategy.horizon.models import Document, Label, Mention, Passage, Source

PREFIX = "partner:"
DIFFERENT = 0.3  # referent overlap below which a shared category is shown as different


@cache
def regions() -> dict[str, str]:
    """Entity id -> region id, from ``regions.yaml``."""
    text = resources.files("grandstrategy.horizon").joinpath("regions.yaml").read_text("utf-8")
    data = yaml.safe_load(text)["regions"]
    return {a: r for r, spec in data.items() for a in spec["actors"]}


@cache
def region_labels() -> dict[str, dict[str, str]]:
    text = resources.files("grandstrategy.horizon").joinpath("regions.yaml").read_text("utf-8")
    return {r: spec["label"] for r, spec in yaml.safe_load(text)["regions"].items()}


@dataclass
class Profile:
    partner: str
    passages: int
    shares: dict[str, float]  # category -> share of the partner's passages
    lens: dict[str, dict[str, float]] = field(default_factory=dict)  # category -> region -> p
    actors: dict[str, list[str]] = field(default_factory=dict)  # category -> actors named


@dataclass
class Comparison:
    profiles: list[Profile]
    pairs: list[dict[str, Any]]  # a, b, category, emphasis, referent, alignment, different
    marking: str = "UNCLASSIFIED"  # the highest of the passages compared


def _profiles(session: Session, user: Principal) -> tuple[list[Profile], Marking]:
    rows = session.execute(
        restrict(
            select(Passage.id, Source.name, Passage.marking_level, Passage.marking_compartments)
            .join(Document, Document.id == Passage.document_id)
            .join(Source, Source.id == Document.source_id)
            .where(Source.name.like(f"{PREFIX}%")),
            user,
            Passage,
        )
    ).all()
    partner_of = {pid: name[len(PREFIX) :] for pid, name, _lv, _c in rows}
    marking = combine(Marking.from_columns(lv, c) for _p, _n, lv, c in rows)
    if not partner_of:
        return [], marking
    cats: dict[int, set[str]] = {}
    for pid, cat in session.execute(
        select(Label.passage_id, Label.category).where(Label.passage_id.in_(list(partner_of)))
    ).all():
        if cat != "none":
            cats.setdefault(pid, set()).add(cat)
    ents: dict[int, set[str]] = {}
    for pid, ent in session.execute(
        select(Mention.passage_id, Mention.entity_id).where(
            Mention.passage_id.in_(list(partner_of))
        )
    ).all():
        ents.setdefault(pid, set()).add(ent)
    where = regions()
    out: dict[str, Profile] = {}
    for pid, partner in partner_of.items():
        prof = out.setdefault(partner, Profile(partner, 0, {}))
        prof.passages += 1
        for c in cats.get(pid, ()):
            prof.shares[c] = prof.shares.get(c, 0) + 1
            lens = prof.lens.setdefault(c, {})
            named = prof.actors.setdefault(c, [])
            for e in sorted(ents.get(pid, ())):
                if e in where:
                    lens[where[e]] = lens.get(where[e], 0) + 1
                if e not in named:
                    named.append(e)
    for prof in out.values():
        prof.shares = {c: round(n / prof.passages, 3) for c, n in sorted(prof.shares.items())}
        for c, lens in prof.lens.items():
            total = sum(lens.values())
            prof.lens[c] = (
                {r: round(n / total, 3) for r, n in sorted(lens.items())} if total else {}
            )
    return sorted(out.values(), key=lambda p: p.partner), marking


def align(a: Profile, b: Profile, category: str) -> dict[str, Any]:
    """Emphasis, referent overlap and alignment of two partners on one category (above)."""
    sa, sb = a.shares.get(category, 0.0), b.shares.get(category, 0.0)
    emphasis = min(sa, sb) / max(sa, sb) if max(sa, sb) else 0.0
    la, lb = a.lens.get(category, {}), b.lens.get(category, {})
    referent = (
        sum(min(la.get(r, 0.0), lb.get(r, 0.0)) for r in set(la) | set(lb)) if la and lb else None
    )
    alignment = emphasis * (referent if referent is not None else 1.0)
    return {
        "a": a.partner,
        "b": b.partner,
        "category": category,
        "emphasis": round(emphasis, 3),
        "referent": None if referent is None else round(referent, 3),
        "alignment": round(alignment, 3),
        "different": bool(sa and sb and referent is not None and referent < DIFFERENT),
    }


def compare(session: Session, *, user: Principal) -> Comparison:
    """Profiles of every partner the user may read, and pairwise alignment per category."""
    require(user, "horizon.read")
    profiles, marking = _profiles(session, user)
    pairs = []
    for a, b in combinations(profiles, 2):
        for c in sorted(set(a.shares) | set(b.shares)):
            pairs.append(align(a, b, c))
    return Comparison(profiles, pairs, str(marking))
