"""Vocabulary entries that carry their text in other languages (``labels: {fr: …}``)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, Field, field_validator

from grandstrategy.core.i18n import check_labels, pick


class Labelled(BaseModel):
    """A vocabulary entry that carries its text in other languages: ``labels: {fr: …}``.

    ``LABELLED`` names the English field the labels translate; :meth:`label` gives the text in
    the reader's language, falling back to English."""

    LABELLED: ClassVar[str] = "name"
    labels: dict[str, str] = Field(default_factory=dict)

    @field_validator("labels")
    @classmethod
    def _check_labels(cls, v: dict[str, str]) -> dict[str, str]:
        return check_labels(v)

    def label(self, lang: str | None = None) -> str:
        """The entry's text in ``lang`` (default: the reader's language)."""
        return pick(str(getattr(self, self.LABELLED)), self.labels, lang)
