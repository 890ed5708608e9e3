"""STIX 2.1 bundles of what horizon holds, for partners' threat-intelligence platforms.

A document becomes a ``report`` (its labels as ``labels``, its original as an external
reference); the actors it names become ``threat-actor`` (non-state groups), ``identity``
(organisations, alliances, groupings) or ``location`` (states, by ISO country code), referred to
by the report. Every object carries two markings: the Traffic Light Protocol colour of its level
(``markings.yaml`` says which) and a statement marking with the national marking itself, so a
receiving platform shows both. Intrusion sets and campaigns are not written: horizon does not
record them.

Identifiers are UUIDv5 of our own ids, so exporting twice gives the same objects and a partner's
platform updates rather than duplicates. The caller passes only what the reader may see.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import stix2

from grandstrategy.core.markings import Marking, scheme

NAMESPACE = uuid.UUID("3f0f6a44-1c55-5b7e-9a53-2d1c1f0e6b21")  # grandstrategy's own namespace
TLP = {
    "white": stix2.TLP_WHITE,
    "green": stix2.TLP_GREEN,
    "amber": stix2.TLP_AMBER,
    "red": stix2.TLP_RED,
}
TLP_BY_ID = {m.id: m for m in TLP.values()}
TLP_IDS = frozenset(TLP_BY_ID)
TLP_IDS_WHITE = stix2.TLP_WHITE.id
EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)  # created date of our marking definitions


@dataclass(frozen=True)
class ReportInput:
    """One document as the exporter needs it."""

    id: int
    title: str
    published: dt.date | None
    ingested_at: dt.datetime
    url: str
    language: str
    source: str
    marking: Marking
    categories: tuple[str, ...]
    actors: tuple[tuple[str, str, str], ...]  # (entity id, name, kind)


def _id(kind: str, key: str) -> str:
    return f"{kind}--{uuid.uuid5(NAMESPACE, f'{kind}:{key}')}"


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


class _Markings:
    """The TLP and statement markings for each national marking, made once per bundle."""

    def __init__(self, producer: str) -> None:
        self.producer = producer
        self.statements: dict[str, stix2.MarkingDefinition] = {}

    def refs(self, marking: Marking) -> list[str]:
        text = f"{self.producer} {marking}"
        if text not in self.statements:
            self.statements[text] = stix2.MarkingDefinition(
                id=_id("marking-definition", text),
                created=EPOCH,
                definition_type="statement",
                definition=stix2.StatementMarking(statement=text),
            )
        colour = scheme().levels[marking.level].tlp
        return [TLP[colour].id, self.statements[text].id]


def _actor(entity_id: str, name: str, kind: str, created: dt.datetime, refs: list[str]) -> Any:
    common = {"created": created, "modified": created, "object_marking_refs": refs}
    if entity_id.startswith("state:"):
        return stix2.Location(
            id=_id("location", entity_id), name=name, country=entity_id[6:], **common
        )
    if kind == "non-state-group":
        return stix2.ThreatActor(
            id=_id("threat-actor", entity_id),
            name=name,
            threat_actor_types=["unknown"],
            **common,
        )
    return stix2.Identity(
        id=_id("identity", entity_id), name=name, identity_class="organization", **common
    )


def bundle(reports: Iterable[ReportInput], *, producer: str) -> dict[str, Any]:
    """A STIX 2.1 bundle (as JSON-ready data) of the reports and the actors they name.

    An actor object carries the highest marking of the reports that name it, so that what a
    partner receives about an actor is never marked lower than where it came from.
    """
    markings = _Markings(producer)
    author = stix2.Identity(
        id=_id("identity", f"producer:{producer}"),
        name=producer,
        identity_class="organization",
        created=EPOCH,
        modified=EPOCH,
        object_marking_refs=[stix2.TLP_WHITE.id],
    )
    objects: list[Any] = []
    actor_seen: dict[str, tuple[str, str, Marking, dt.datetime]] = {}
    report_rows = list(reports)
    for r in report_rows:
        for entity_id, name, kind in r.actors:
            prior = actor_seen.get(entity_id)
            when = _aware(r.ingested_at)
            if prior is None:
                actor_seen[entity_id] = (name, kind, r.marking, when)
            else:
                actor_seen[entity_id] = (name, kind, prior[2].join(r.marking), min(prior[3], when))
    for entity_id, (name, kind, marking, created) in sorted(actor_seen.items()):
        objects.append(_actor(entity_id, name, kind, created, markings.refs(marking)))
    actor_ids = {o_id: obj.id for o_id, obj in zip(sorted(actor_seen), objects, strict=True)}
    for r in report_rows:
        created = _aware(r.ingested_at)
        published = (
            dt.datetime.combine(r.published, dt.time(), tzinfo=dt.UTC) if r.published else created
        )
        refs = [actor_ids[a] for a, _n, _k in r.actors] or [author.id]
        extra: dict[str, Any] = {}
        if r.url:
            extra["external_references"] = [{"source_name": r.source or "original", "url": r.url}]
        objects.append(
            stix2.Report(
                id=_id("report", f"document:{r.id}"),
                name=r.title[:500] or f"document {r.id}",
                published=published,
                created=created,
                modified=created,
                report_types=["threat-report"],
                labels=list(r.categories) or None,
                lang=r.language or None,
                created_by_ref=author.id,
                object_refs=refs,
                object_marking_refs=markings.refs(r.marking),
                **extra,
            )
        )
    used_tlp = sorted(
        {ref for o in objects for ref in o.object_marking_refs if ref in TLP_IDS} | {TLP_IDS_WHITE}
    )
    everything = [
        *(TLP_BY_ID[i] for i in used_tlp),
        author,
        *markings.statements.values(),
        *objects,
    ]
    key = ",".join(o.id for o in everything)
    parsed = stix2.Bundle(id=_id("bundle", key), objects=everything, allow_custom=False)
    data: dict[str, Any] = json.loads(parsed.serialize())
    return data
