"""Issue 12's command-line polish, as a user at a terminal meets it: search output is plain
text (no HTML entities, no Markdown stars), a misspelt category is an error naming it, and a
record with no history is an error, not an empty table."""

import json

from tests.helpers import PASSWORD


def _ingest(cli, tmp_path):
    docs = tmp_path / "news.jsonl"
    rows = [
        {
            "title": "Drones over Doel's nuclear plant",
            "text": "Drones flew over the Doel nuclear plant; the operator's staff "
            "said it's the third time this month.",
            "language": "en",
        }
    ]
    docs.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert cli("db", "upgrade")[0] == 0
    code, _, err = cli("horizon", "ingest", docs, "--source", "press", "--no-embed")
    assert code == 0, err


def test_search_prints_plain_text_in_a_terminal(cli, tmp_path):
    _ingest(cli, tmp_path)
    code, out, err = cli("horizon", "search", "drones")
    assert code == 0, err
    assert "operator's staff" in out and "Doel's" in out
    assert "&#x27;" not in out and "&#39;" not in out and "**" not in out


def test_misspelt_category_is_an_error_naming_it(cli, tmp_path):
    _ingest(cli, tmp_path)
    code, out, err = cli("horizon", "search", "drones", "--category", "hybird")
    assert code == 1 and "hybird" in err and "horizon taxonomy" in err
    assert out == ""


def test_history_of_an_unknown_record_fails(cli):
    assert cli("db", "upgrade")[0] == 0
    assert cli("example", "load")[0] == 0
    code, out, err = cli("strategy", "history", "objectives/nope")
    assert code == 1 and "objectives/nope" in err and out == ""


def test_low_cleared_user_sees_no_secret_search_hit(cli, tmp_path):
    _ingest(cli, tmp_path)
    secret = tmp_path / "secret.jsonl"
    row = {
        "title": "Drone sightings assessment",
        "text": "Drones again near Doel.",
        "language": "en",
    }
    secret.write_text(json.dumps(row) + "\n", encoding="utf-8")
    assert cli("horizon", "ingest", secret, "--marking", "SECRET", "--no-embed")[0] == 0
    code, _, err = cli(
        "users", "add", "ulla", "--role", "analyst", "--clearance", "RESTRICTED",
        "--password-stdin", stdin=PASSWORD,
    )  # fmt: skip
    assert code == 0, err
    hits = cli.json("--as", "ulla", "horizon", "search", "drones")
    assert hits["total"] == 1 and "assessment" not in json.dumps(hits)


def test_a_database_never_set_up_says_what_to_run(cli):
    code, _out, err = cli("users", "list")
    assert code == 1 and "grandstrategy setup" in err and "OperationalError" not in err
    code, _, err = cli("--lang", "fr", "strategy", "show")
    assert code == 1 and "lancez d’abord « grandstrategy setup »" in err
