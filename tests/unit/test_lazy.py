"""core/lazy.py: a module bound lazily is imported on first use, and is then the real one."""

import sys

import pytest

from grandstrategy.core import lazy


def test_module_is_imported_on_first_attribute_read():
    sys.modules.pop("wave", None)  # a standard module nothing here imports
    wave = lazy.module("wave")
    assert "wave" not in sys.modules
    opened = wave.open
    assert "wave" in sys.modules
    assert opened is sys.modules["wave"].open
    assert repr(wave) == "<lazy module 'wave'>"


def test_a_missing_module_fails_where_it_is_used_with_its_name():
    missing = lazy.module("grandstrategy.no_such_module")
    with pytest.raises(ModuleNotFoundError, match="no_such_module"):
        missing.anything  # noqa: B018


def test_setting_a_name_is_refused_rather_than_lost():
    wave = lazy.module("wave")
    with pytest.raises(AttributeError, match="wave"):
        wave.open = None
