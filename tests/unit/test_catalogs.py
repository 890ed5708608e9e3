"""Every string the interface shows is translated into French, Dutch and German."""

import pytest

from tests import catalogs


@pytest.fixture(scope="module")
def template():
    return catalogs.extract()


@pytest.mark.parametrize("lang", catalogs.TARGETS)
def test_catalog_is_complete(lang, template):
    missing = catalogs.problems(lang, template)
    assert not missing, (
        f"{len(missing)} messages need a {lang} translation "
        "(run `python -m tests.catalogs update`, then translate):\n" + "\n".join(missing[:40])
    )


def test_extraction_finds_pages_and_code(template):
    where = {loc[0] for m in template for loc in m.locations}
    assert any(w.endswith(".html") for w in where)
    assert any(w.endswith(".py") for w in where)
