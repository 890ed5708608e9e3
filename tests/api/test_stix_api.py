"""GET /api/horizon/export/stix: a STIX bundle of what the caller may see."""

import stix2

from tests.service.test_stix import SECRET_NEWS, validate
from tests.service.test_stix import loaded as loaded  # the fixture


def test_api_export_restricted_and_marked(client, token_for, loaded):
    low = client.get("/api/horizon/export/stix", headers=token_for("analyst", "RESTRICTED"))
    assert low.status_code == 200
    assert low.headers["content-type"].startswith("application/stix+json")
    assert low.headers["x-marking"] == "UNCLASSIFIED"
    assert "Kiwi-lagoon" not in low.text
    validate(low.json())
    high = client.get("/api/horizon/export/stix", headers=token_for("analyst", "SECRET"))
    assert high.headers["x-marking"] == "SECRET"
    reports = [o for o in high.json()["objects"] if o["type"] == "report"]
    low_reports = [o for o in low.json()["objects"] if o["type"] == "report"]
    assert len(reports) == len(low_reports) + len(SECRET_NEWS)
    stix2.parse(high.json(), allow_custom=False)


def test_api_export_bad_category_is_422(client, token_for):
    r = client.get(
        "/api/horizon/export/stix?category=hybird", headers=token_for("analyst", "SECRET")
    )
    assert r.status_code == 422 and "hybird" in r.text
