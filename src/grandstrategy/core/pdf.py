"""PDF from HTML, the same bytes for the same page.

WeasyPrint embeds a subset of each font a page uses, and fontTools stamps each subset's
``head`` table with the time it was written: two renderings of one brief a second apart
differed, so a download could not be compared with an earlier one byte for byte, and a
check that a reader's PDF does not change with records they cannot see failed on the clock.
fontTools takes that time from ``SOURCE_DATE_EPOCH`` when it is set (the reproducible-builds
convention); this module sets it for the process, once, unless the operator set it already.
The date a font subset claims carries no meaning in these documents; the pages carry their
own dates in their text. Where HarfBuzz's subsetter is installed (Debian's
``libharfbuzz-subset0``, which ``.ci/run`` installs) WeasyPrint uses it instead: a quarter
faster, and it keeps the font's own date, so the bytes are stable either way.
"""

from __future__ import annotations

import os

FONT_STAMP = "0"  # seconds since 1970 written into embedded fonts (fontTools reads it)


def from_html(html: str) -> bytes:
    """The PDF of an HTML page (WeasyPrint), reproducible: same page, same bytes."""
    os.environ.setdefault("SOURCE_DATE_EPOCH", FONT_STAMP)
    from weasyprint import HTML

    return bytes(HTML(string=html).write_pdf() or b"")
