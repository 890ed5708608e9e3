"""The illustrative strategy carries French and Dutch texts of its interests, roles and
priority objectives (issue 12), so that its French and Dutch editions read as such."""

import yaml

from tests.catalogs import PACKAGE

BELGIUM = PACKAGE / "examples" / "belgium"
PROSE = ("title", "name", "statement", "description")


def _records(name: str) -> list[dict]:
    return yaml.safe_load((BELGIUM / name).read_text(encoding="utf-8"))


def _untranslated(records: list[dict]) -> list[str]:
    missing = []
    for rec in records:
        for field in PROSE:
            text = rec.get(field)
            if text is None:
                continue
            if not isinstance(text, dict) or not text.get("fr") or not text.get("nl"):
                missing.append(f"{rec['id']}.{field}")
    return missing


def test_interests_roles_and_priority_objectives_are_in_french_and_dutch():
    priority = [o for o in _records("objectives.yaml") if o.get("priority")]
    assert len(priority) >= 5
    missing = [
        *_untranslated(_records("interests.yaml")),
        *_untranslated(_records("roles.yaml")),
        *_untranslated(priority),
    ]
    assert not missing, missing
