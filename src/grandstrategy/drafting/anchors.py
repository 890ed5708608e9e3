"""Where a contribution points: a record of the draft, or a span of one of its text fields.

Written forms (what ``--on`` takes)::

    objectives/deter                          the whole record
    objectives/deter.description              one field
    objectives/deter.description[10:42]       characters 10 to 42 of that field
    objectives/deter.description="exact words"   the first place those words appear

A span is resolved against the round's draft, so the quote kept with the contribution is
exactly what the participant read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from grandstrategy.core.errors import Invalid
from grandstrategy.core.i18n import _

COMPONENTS = ("interests", "threats", "roles", "objectives", "capabilities")
TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "interests": ("title", "statement"),
    "threats": ("title", "description", "vulnerability"),
    "roles": ("name", "description"),
    "objectives": ("title", "description"),
    "capabilities": ("name", "description"),
}
_ANCHOR = re.compile(
    r"^(?P<comp>[a-z]+)/(?P<key>[a-z0-9][a-z0-9-]*)"
    r"(?:\.(?P<field>[a-z_]+)(?:\[(?P<start>\d+):(?P<end>\d+)\]|=(?P<quote>.+))?)?$",
    re.DOTALL,
)


@dataclass(frozen=True)
class Anchor:
    component: str
    key: str
    field: str | None = None
    start: int | None = None
    end: int | None = None
    quote: str = ""

    def __str__(self) -> str:
        out = f"{self.component}/{self.key}"
        if self.field:
            out += f".{self.field}"
        if self.start is not None:
            out += f"[{self.start}:{self.end}]"
        return out


def parse(text: str) -> Anchor:
    """Parse the written form; the quote form is kept unresolved until :func:`resolve`."""
    m = _ANCHOR.match(text.strip())
    if not m:
        raise Invalid(
            _("cannot read the anchor {text!r}").format(text=text),
            details=[
                _(
                    "write COMPONENT/ID, COMPONENT/ID.FIELD, COMPONENT/ID.FIELD[START:END] "
                    'or COMPONENT/ID.FIELD="quoted words"'
                )
            ],
        )
    comp, field = m["comp"], m["field"]
    if comp not in COMPONENTS:
        raise Invalid(
            _("unknown component {c!r}; choose one of {all}").format(
                c=comp, all=", ".join(COMPONENTS)
            )
        )
    if field is not None and field not in TEXT_FIELDS[comp]:
        raise Invalid(
            _("{c} have no text field {f!r}; choose one of {all}").format(
                c=comp, f=field, all=", ".join(TEXT_FIELDS[comp])
            )
        )
    quote = (m["quote"] or "").strip().strip('"')
    start = int(m["start"]) if m["start"] is not None else None
    end = int(m["end"]) if m["end"] is not None else None
    if start is not None and end is not None and end <= start:
        raise Invalid(_("a span must end after it starts ({s}:{e})").format(s=start, e=end))
    return Anchor(comp, m["key"], field, start, end, quote)


def resolve(anchor: Anchor, fields: dict[str, str]) -> Anchor:
    """Check the anchor against the record's text and fill in the span and its quote."""
    if anchor.field is None:
        return anchor
    value = fields.get(anchor.field) or ""
    if anchor.quote:
        at = value.find(anchor.quote)
        if at < 0:
            raise Invalid(_("the words {q!r} are not in {a}").format(q=anchor.quote, a=anchor))
        return Anchor(
            anchor.component, anchor.key, anchor.field, at, at + len(anchor.quote), anchor.quote
        )
    if anchor.start is None or anchor.end is None:
        return Anchor(anchor.component, anchor.key, anchor.field, None, None, value)
    if anchor.end > len(value):
        raise Invalid(
            _("{a} runs past the end of the text ({n} characters)").format(a=anchor, n=len(value))
        )
    return Anchor(
        anchor.component,
        anchor.key,
        anchor.field,
        anchor.start,
        anchor.end,
        value[anchor.start : anchor.end],
    )


def replace(value: str, anchor: Anchor, proposal: str) -> str:
    """The field's text with the anchored span (or the whole field) replaced."""
    if anchor.start is None or anchor.end is None:
        return proposal
    return value[: anchor.start] + proposal + value[anchor.end :]
