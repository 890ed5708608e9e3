"""Drafting's closed vocabularies as plain tuples, without pydantic.

The schemas use them for validation; the command line names them in its options' help, so
that a command's ``--help`` lists the choices without importing the schemas' libraries."""

from __future__ import annotations

AUDIENCES = ("departments", "regions", "parliament", "roundtable", "public")
DISPOSITIONS = ("accept", "partly", "reject", "defer")
ORG_KINDS = ("department", "region", "party", "company", "university", "ngo", "other")
