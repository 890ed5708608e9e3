"""Version numbers as each reader knows them.

The strategy numbers its change sets per reader (a reader who cannot see a change set does
not count it), so a version stored here (internal) is shown in the reader's numbering, and a
version a reader types is turned back into the internal one. Where the strategy keeps one
numbering for all, both directions are the identity.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from grandstrategy.core.authz import Principal
from grandstrategy.strategy import service as strategy_service


class Numbers:
    def __init__(self, session: Session, user: Principal, key: str) -> None:
        self.session, self.user, self.key = session, user, key
        self._seen: list[int] | None = None

    def _visible(self) -> list[int] | None:
        if self._seen is None:
            strategy = strategy_service.current(self.session, self.user, self.key)
            self._seen = strategy_service.visible_versions(self.session, strategy, self.user)
        return self._seen

    def local(self, internal: int | None) -> int | None:
        if internal is None:
            return None
        seen = self._visible()
        return internal if seen is None else sum(1 for v in seen if v <= internal)

    def internal(self, local: int) -> int:
        seen = self._visible()
        if seen is None or local == 0:
            return local
        if local < 0 or local > len(seen):
            return -1
        return seen[local - 1]
