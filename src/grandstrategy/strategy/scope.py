"""Record ids scoped so that a user never collides with a record they cannot see.

A record's id (``deter``, ``nato-tripwire``) is what people type, link to and read; it is
the *display id*. The database stores an *internal key*: the display id itself, or, when a
user creates an id that a record they cannot see already holds, the display id plus ``~`` and
a random token (``deter~3f9a0c1e``). ``~`` is not allowed in ids, so internal keys never clash
with what anyone types. This is polyinstantiation, as multi-level databases do it: the same
id may name different records at different markings, and nobody is told "already exists"
because of a record they may not see.

Links between records are stored as internal keys, so a link always means the record it was
made to, whoever later takes the same id. Everything shown to a reader goes through
:meth:`View.present` (internal keys → display ids, links to records the reader cannot see
removed); everything a reader writes goes through :meth:`View.internalise` (display ids →
the internal keys of the records *that reader* sees, links they could not see kept).

When a reader sees several records with the same display id (cleared for both markings),
a bare id names the original holder (the internal key without a token), else the oldest;
the linter reports the shared id to that reader, who may rename one by recreating it.
"""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from grandstrategy.core.authz import Principal, restrict
from grandstrategy.strategy import memo
from grandstrategy.strategy.models import ROWS, Strategy

SEP = "~"


def display(key: str) -> str:
    """The id people see for an internal key."""
    return key.split(SEP, 1)[0]


def matches(key: str, display_id: str) -> bool:
    return key == display_id or key.startswith(display_id + SEP)


def new_key(taken: set[str], display_id: str) -> str:
    """The internal key for a new record: the id itself when free, else id~token."""
    if display_id not in taken:
        return display_id
    while True:
        key = f"{display_id}{SEP}{secrets.token_hex(4)}"
        if key not in taken:
            return key


def strategy_keys(session: Session) -> set[str]:
    return set(session.execute(select(Strategy.key)).scalars())


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


class View:
    """What one reader sees of one strategy's records, by internal key."""

    def __init__(self, session: Session, strategy: Strategy, user: Principal) -> None:
        self.existing: dict[str, set[str]] = {}
        self.visible: dict[str, set[str]] = {}
        self._order: dict[str, list[str]] = {}
        for comp, model in ROWS.items():
            base = select(model.key).where(model.strategy_id == strategy.id).order_by(model.id)
            self.existing[comp] = set(session.execute(base).scalars())
            keys = list(session.execute(restrict(base, user, model)).scalars())
            self._order[comp] = keys
            self.visible[comp] = set(keys)

    @classmethod
    def kept(cls, session: Session, strategy: Strategy, user: Principal) -> View:
        """The same view, read once per strategy version and reader's view (``memo``), for
        callers that only read: a writer builds its own (it changes the records the view
        describes before the version's fingerprint does)."""
        key = ("view", memo.fingerprint(session, strategy), memo.view_of(user))
        return memo.copied(key, lambda: cls(session, strategy, user))

    def hidden(self, component: str, key: str) -> bool:
        """True for a record that exists and the reader may not see."""
        return key in self.existing[component] and key not in self.visible[component]

    def resolve(self, component: str, display_id: str) -> str | None:
        """The internal key a display id names for this reader, or None."""
        if display_id in self.visible[component]:
            return display_id
        for key in self._order[component]:
            if matches(key, display_id):
                return key
        return None

    def taken(self, component: str) -> set[str]:
        return self.existing[component]

    def add(self, component: str, key: str) -> None:
        """Record a key created during this change set (the reader can see it)."""
        self.existing[component].add(key)
        self.visible[component].add(key)
        self._order[component].append(key)

    def remove(self, component: str, key: str) -> None:
        self.existing[component].discard(key)
        self.visible[component].discard(key)
        if key in self._order[component]:
            self._order[component].remove(key)

    def present(
        self,
        component: str,
        data: dict[str, Any],
        links: dict[str, dict[str, str]],
        keep: dict[str, set[str]] | None = None,
    ) -> dict[str, Any]:
        """Internal data → what the reader sees: display ids, links they may not see removed.

        ``keep`` narrows the links shown further (records withheld from an edition). A link to
        a key no record holds (a legacy dangling link) is shown as it is, so lint finds it.
        """
        keep = keep if keep is not None else self.visible
        out = dict(data)
        if "id" in out:
            out["id"] = display(out["id"])
        for fld, target in links[component].items():
            value = out.get(fld)
            if value is None:
                continue

            def shown(k: str, target: str = target) -> bool:
                return k in keep[target] or k not in self.existing[target]

            if fld == "members":
                seen: set[str] = set()
                kept = []
                for m in value:
                    if shown(m["actor"]) and display(m["actor"]) not in seen:
                        seen.add(display(m["actor"]))
                        kept.append({**m, "actor": display(m["actor"])})
                out[fld] = kept
            elif isinstance(value, list):
                out[fld] = list(dict.fromkeys(display(v) for v in value if shown(v)))
            else:
                out[fld] = display(value) if shown(value) else None
        return out

    def internalise(
        self,
        component: str,
        data: dict[str, Any],
        links: dict[str, dict[str, str]],
        old: dict[str, Any] | None = None,
        names: dict[str, dict[str, str]] | None = None,
    ) -> dict[str, Any]:
        """Display data written by the reader → internal data.

        A link the old record already held to a record the reader sees keeps its target;
        a new link names what the reader sees under that id (``names`` first, for records of
        the same import); links to records the reader cannot see are kept as they were.
        Callers check beforehand that every link resolves.
        """
        old = old or {}
        out = dict(data)
        for fld, target in links[component].items():
            before = _as_list(old.get(fld))
            before_keys = [m["actor"] if fld == "members" else m for m in before]
            mine = [k for k in before_keys if k in self.visible[target]]

            def key_for(d: str, target: str = target, mine: list[str] = mine) -> str:
                if names is not None and d in names.get(target, {}):
                    return names[target][d]
                for k in mine:
                    if display(k) == d:
                        return k
                found = self.resolve(target, d)
                if found is None:
                    raise ValueError(f"unresolved link {d!r} to {target}")
                return found

            value = out.get(fld)
            hidden = [
                v for v in before if self.hidden(target, v["actor"] if fld == "members" else v)
            ]
            if fld == "members" or isinstance(value, list) or isinstance(old.get(fld), list):
                new: list[Any]
                if fld == "members":
                    new = [{**m, "actor": key_for(m["actor"])} for m in value or []]
                else:
                    new = [key_for(v) for v in value or []]
                # Unchanged as the reader sees it: keep the list as it was, hidden links in
                # their places, so that nothing is written (or counted) for it.
                same = new == [v for v in before if v not in hidden]
                out[fld] = list(before) if same else new + hidden
            elif value is not None:
                out[fld] = key_for(value)
            elif hidden:
                out[fld] = hidden[0]
        return out
