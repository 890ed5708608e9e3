"""Every picture the guides show exists."""

import re
from pathlib import Path

DOCS = Path(__file__).parents[1] / "docs"


def test_guide_pictures_exist():
    text = (DOCS / "guides.md").read_text(encoding="utf-8")
    pictures = re.findall(r"\]\((screenshots/[^)]+)\)", text)
    assert pictures, "the guides show no pictures"
    missing = [p for p in pictures if not (DOCS / p).is_file()]
    how = "GRANDSTRATEGY_SCREENSHOTS=1 pytest tests/browser/test_screenshots.py"
    assert not missing, f"missing {missing}: run {how}"
