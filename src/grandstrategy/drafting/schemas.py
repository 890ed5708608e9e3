"""Drafting input and output models (what the CLI, the API and the pages speak)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from grandstrategy.core.markings import Marking
from grandstrategy.drafting.choices import AUDIENCES as AUDIENCES
from grandstrategy.drafting.choices import DISPOSITIONS as DISPOSITIONS
from grandstrategy.drafting.choices import ORG_KINDS as ORG_KINDS

NAME_PATTERN = r"^[a-z0-9][a-z0-9-]{0,79}$"

Audience = Literal["departments", "regions", "parliament", "roundtable", "public"]
Disposition = Literal["accept", "partly", "reject", "defer"]
OrgKind = Literal["department", "region", "party", "company", "university", "ngo", "other"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _check_marking(v: str) -> str:
    return str(Marking.parse(v))


class CycleCreate(_In):
    name: str = Field(pattern=NAME_PATTERN, description="Short id, e.g. nss-2031")
    pen_holder: str = Field(min_length=1)
    team: list[str] = Field(default_factory=list)
    strategy: str | None = None


class RoundCreate(_In):
    name: str = Field(pattern=NAME_PATTERN)
    audience: Audience
    until: dt.date | None = None
    marking: str = "UNCLASSIFIED"

    @field_validator("marking")
    @classmethod
    def _marking(cls, v: str) -> str:
        return _check_marking(v)


class ParticipantCreate(_In):
    username: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]{1,63}$")
    organisation: str = Field(min_length=1, max_length=200)
    org_kind: OrgKind = "other"
    display_name: str = ""


class ContributionCreate(_In):
    on: str = Field(min_length=1, description="RECORD (objectives/deter) or a span of its text")
    text: str = Field(min_length=1, max_length=20000)
    proposal: str | None = Field(default=None, max_length=20000)
    organisation: str | None = Field(default=None, max_length=200)
    org_kind: OrgKind | None = None
    marking: str | None = None

    @field_validator("marking")
    @classmethod
    def _marking(cls, v: str | None) -> str | None:
        return None if v is None or not v.strip() else _check_marking(v)

    @field_validator("proposal")
    @classmethod
    def _proposal(cls, v: str | None) -> str | None:
        return v or None


class Moderation(_In):
    action: Literal["publish", "reject"]
    reason: str = ""


class DecisionCreate(_In):
    disposition: Disposition
    reason: str = Field(min_length=1, max_length=10000)
    apply: bool = Field(False, description="Apply the proposal to the anchored text")
    change_version: int | None = Field(None, ge=1)


class ApprovalCreate(_In):
    decision: str = Field(min_length=1, max_length=4000)


class TeamMemberRead(BaseModel):
    username: str
    may_decide: bool


class CycleRead(BaseModel):
    name: str
    strategy: str
    base_version: int
    pen_holder: str
    team: list[TeamMemberRead]
    status: str
    decision: str
    approved_by: str | None
    approved_version: int | None
    published_by: str | None
    published_version: int | None
    marking: str


class RoundRead(BaseModel):
    name: str
    cycle: str
    audience: str
    version: int
    until: dt.date | None
    status: str
    open: bool
    marking: str
    opened_by: str
    contributions: int
    undecided: int


class ParticipantRead(BaseModel):
    username: str
    round: str
    organisation: str
    org_kind: str
    password: str | None = None  # shown once, when the account is made


class ContributionRead(BaseModel):
    id: int
    round: str
    audience: str
    author: str
    organisation: str
    org_kind: str
    on: str
    component: str
    record: str
    field: str | None
    quote: str
    text: str
    proposal: str | None
    status: str
    moderation_reason: str
    disposition: str | None
    reason: str
    decided_by: str | None
    change_version: int | None
    marking: str
    created_at: dt.datetime


class DraftRecord(BaseModel):
    component: str
    id: str
    label: str
    marking: str
    fields: dict[str, str]


class DraftRead(BaseModel):
    round: str
    version: int
    marking: str
    title: str
    records: list[DraftRecord]


class WordChange(BaseModel):
    op: Literal["same", "del", "ins"]
    text: str


class FieldDiff(BaseModel):
    field: str
    words: list[WordChange]


class RecordWordDiff(BaseModel):
    component: str
    key: str
    label: str
    change: str
    fields: list[FieldDiff]
    marking: str  # the higher of the record's markings before and after, as far as known


class ReportFile(BaseModel):
    content: bytes
    media_type: str
    filename: str
    marking: str


class LaunchFileRead(BaseModel):
    name: str
    media_type: str
    size: int
    marking: str
