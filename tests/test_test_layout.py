"""Test files have unique names: pytest (no packages under tests/) refuses a collision."""

from collections import Counter
from pathlib import Path


def test_test_file_names_are_unique():
    names = Counter(p.name for p in Path(__file__).parent.rglob("test_*.py"))
    assert not [n for n, k in names.items() if k > 1], "rename one of each pair"
