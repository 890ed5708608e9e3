"""The library's own errors. Adapters map them to HTTP codes and CLI messages."""

from __future__ import annotations


class GrandStrategyError(Exception):
    """Base class: a message a person can act on."""

    http_status = 400

    def __init__(self, message: str, *, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []

    def __str__(self) -> str:
        if not self.details:
            return self.message
        return self.message + "\n" + "\n".join(f"  - {d}" for d in self.details)


class NotFound(GrandStrategyError):
    """The record does not exist, or the user may not know that it exists."""

    http_status = 404


class Forbidden(GrandStrategyError):
    """The user is known but their role lacks the action."""

    http_status = 403


class Unauthenticated(GrandStrategyError):
    """No valid credentials were presented."""

    http_status = 401


class Invalid(GrandStrategyError):
    """The input is wrong; the message names what and where."""

    http_status = 422


class Conflict(GrandStrategyError):
    """The input clashes with what is stored (duplicate name, stale version)."""

    http_status = 409


class TooManyAttempts(GrandStrategyError):
    """Login throttling: too many failures recently."""

    http_status = 429
