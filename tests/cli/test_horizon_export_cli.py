"""``horizon export --format stix``: a valid bundle on disk, errors that name the problem."""

import json

import stix2

from tests.helpers import NEWS


def test_export_writes_a_stix_bundle(cli, tmp_path):
    news = tmp_path / "news"
    news.mkdir()
    for name, text in NEWS.items():
        (news / name).write_text(text, encoding="utf-8")
    assert cli("db", "upgrade")[0] == 0
    assert cli("horizon", "ingest", news, "--source", "press", "--no-embed")[0] == 0
    out = tmp_path / "bundle.json"
    code, text, err = cli("horizon", "export", "--format", "stix", "--out", out)
    assert code == 0, err
    assert f"{len(NEWS)} reports" in text
    bundle = stix2.parse(json.loads(out.read_text()), allow_custom=False)
    assert sum(o.type == "report" for o in bundle.objects) == len(NEWS)


def test_export_refuses_unknown_format_and_category(cli, tmp_path):
    assert cli("db", "upgrade")[0] == 0
    code, _, err = cli("horizon", "export", "--format", "misp", "--out", tmp_path / "x")
    assert code == 1 and "misp" in err
    code, _, err = cli("horizon", "export", "--category", "hybird", "--out", tmp_path / "x")
    assert code == 1 and "hybird" in err
    assert not (tmp_path / "x").exists()
