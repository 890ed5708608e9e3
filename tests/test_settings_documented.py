"""Every setting has a line in docs/settings.md, so the page cannot silently go stale."""

from pathlib import Path

from grandstrategy.core.config import Settings

DOC = Path(__file__).parents[1] / "docs" / "settings.md"


def test_every_setting_is_documented():
    text = DOC.read_text(encoding="utf-8")
    missing = [
        f"GRANDSTRATEGY_{name.upper()}"
        for name in Settings.model_fields
        if f"`GRANDSTRATEGY_{name.upper()}`" not in text
    ]
    assert not missing, f"add these to docs/settings.md: {', '.join(missing)}"


def test_no_stale_setting_is_documented():
    import re

    text = DOC.read_text(encoding="utf-8")
    listed = set(re.findall(r"`GRANDSTRATEGY_([A-Z_]+)`", text))
    known = {n.upper() for n in Settings.model_fields} | {
        "USER",
        "DEBUG",
        "NO_EMBED",
        "REQUIRE_ALL",
    }
    assert listed <= known, f"docs/settings.md names unknown settings: {sorted(listed - known)}"
