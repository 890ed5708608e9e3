import pytest

from grandstrategy.core.errors import Invalid
from grandstrategy.core.markings import Marking, combine, readable, scheme


def test_levels_are_ordered_as_the_scheme_says():
    names = [lv.name for lv in scheme().levels]
    assert names == ["UNCLASSIFIED", "RESTRICTED", "CONFIDENTIAL", "SECRET"]
    assert Marking.parse("RESTRICTED") < Marking.parse("SECRET")
    assert not Marking.parse("SECRET") <= Marking.parse("CONFIDENTIAL")


def test_parse_and_print_banner_form():
    m = Marking.parse("confidential//nato/eu")
    assert str(m) == "CONFIDENTIAL//EU/NATO"
    assert Marking.parse(str(m)) == m
    assert m.column_compartments == "|EU|NATO|"
    assert Marking.from_columns(m.level, m.column_compartments) == m


def test_compartments_make_markings_incomparable():
    nato = Marking.parse("SECRET//NATO")
    eu = Marking.parse("RESTRICTED//EU")
    assert not nato <= eu and not eu <= nato
    assert Marking.parse("RESTRICTED") <= nato


def test_combine_is_the_least_upper_bound():
    out = combine([Marking.parse("RESTRICTED//EU"), Marking.parse("CONFIDENTIAL//NATO")])
    assert str(out) == "CONFIDENTIAL//EU/NATO"
    assert combine([]) == Marking()


def test_reader_needs_level_and_every_compartment():
    m = Marking.parse("RESTRICTED//NATO")
    assert readable(m, 1, frozenset({"NATO"}))
    assert not readable(m, 0, frozenset({"NATO"}))
    assert not readable(m, 3, frozenset({"EU"}))


@pytest.mark.parametrize("bad", ["TOP SECRET", "SECRET//bad comp", "SECRET//" + "X" * 40])
def test_bad_markings_are_refused_with_a_clear_message(bad):
    with pytest.raises(Invalid) as exc:
        Marking.parse(bad)
    assert "marking" in str(exc.value) or "compartment" in str(exc.value)
