"""Control characters: what no record's text may hold, and what no written document may carry.

A title with a NUL byte cannot be stored in PostgreSQL, and one with any C0 control character
(other than tab, line feed, carriage return and form feed) cannot be written into a Word or
XML file. Input is refused with the field named (``web/textguard.py``); documents written from
what is already stored (an import from an older version, a file read by the CLI) drop them.
"""

from __future__ import annotations

import re

REFUSED = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")  # in input: refused
NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # in XML 1.0 files: dropped


def first_refused(text: str) -> str | None:
    """The first refused character in ``text`` as ``U+00XX``, or None when there is none."""
    m = REFUSED.search(text)
    return f"U+{ord(m.group()):04X}" if m else None


def xml_safe(text: str) -> str:
    """``text`` without the characters an XML 1.0 document (Word, ODF, STIX) cannot hold."""
    return NOT_IN_XML.sub("", text)
