"""``grandstrategy drafting`` as the pen-holder, a department and the Council use it."""

import json

import pytest

USERS = [
    ("pen", "pen-holder", "SECRET"),
    ("tom", "drafter", "RESTRICTED"),
    ("anna", "contributor", "RESTRICTED"),
    ("chair", "council-member", "SECRET"),
]


@pytest.fixture
def gs(cli):
    """The shared CLI fixture (tests/cli/conftest.py), acting as ``who`` when given."""

    def run(*args: str, who: str | None = None, stdin: str | None = None):
        code, out, err = cli(*(["--as", who] if who else []), *args, stdin=stdin)
        return code, out, " ".join(err.split())  # rich wraps long lines

    assert run("db", "upgrade")[0] == 0
    assert run("example", "load")[0] == 0
    for name, role, clearance in USERS:
        code, _, err = run("users", "add", name, "--role", role, "--clearance", clearance,
                           "--password-stdin", stdin="a long password\n")  # fmt: skip
        assert code == 0, err
    return run


def test_a_cycle_from_start_to_report_on_the_command_line(gs, tmp_path):
    code, _, err = gs("drafting", "start", "nss-2031", "--pen-holder", "pen", "--pen-holder", "tom")
    assert code == 2 and "exactly one pen-holder" in err
    code, out, err = gs("drafting", "start", "nss-2031", "--pen-holder", "pen", "--team", "tom",
                        who="pen")  # fmt: skip
    assert code == 0, err
    assert "pen-holder pen" in out and "tom" in out
    code, _, err = gs("drafting", "start", "other", "--pen-holder", "pen", who="pen")
    assert code == 1 and "one pen-holder" in err
    code, _, err = gs("drafting", "round", "open", "r1", "--audience", "everyone", who="pen")
    assert code == 2 and "audience" in err
    code, out, err = gs("drafting", "round", "open", "departments", "--audience", "departments",
                        "--marking", "RESTRICTED", who="pen")  # fmt: skip
    assert code == 0 and "RESTRICTED" in out, err
    code, out, err = gs(
        "drafting", "contribute", "departments",
        "--on", 'objectives/flood-resilience.description="whole valleys"',
        "--text", "Name the rivers.", "--proposal", "the Vesdre and Ourthe valleys",
        "--organisation", "Wallonia", "--kind", "region", "--json", who="anna",
    )  # fmt: skip
    assert code == 0, err
    cid = str(json.loads(out)["id"])
    assert json.loads(out)["quote"] == "whole valleys"
    code, _, err = gs("drafting", "decide", cid, "--disposition", "accept", "--reason", "Yes.",
                      who="anna")  # fmt: skip
    assert code == 1 and "may decide" in err
    code, _, err = gs("drafting", "round", "close", "departments", who="pen")
    assert code == 1 and "without a decision" in err
    code, out, _ = gs("drafting", "queue", "--json", who="pen")
    assert [c["id"] for c in json.loads(out)] == [int(cid)]
    code, out, err = gs("drafting", "decide", cid, "--disposition", "accept", "--reason",
                        "Clearer.", "--apply", "--json", who="pen")  # fmt: skip
    assert code == 0, err
    decided = json.loads(out)
    code, out, _ = gs("drafting", "round", "list", "--json", who="pen")
    draft_version = json.loads(out)[0]["version"]
    code, out, _ = gs("drafting", "diff", str(draft_version), str(decided["change_version"]),
                      who="pen")  # fmt: skip
    assert code == 0
    assert "[-whole-]{+the Vesdre and Ourthe+} valleys" in out
    assert code == 0 and "description:" in out and "['" not in out
    assert gs("drafting", "round", "close", "departments", who="pen")[0] == 0
    code, out, _ = gs("drafting", "report", "departments", who="anna")
    assert code == 0 and "Name the rivers." in out and "Wallonia (region)" in out
    code, _, err = gs("drafting", "report", "--format", "pdf", who="anna")
    assert code == 2 and "--out" in err
    target = tmp_path / "r.pdf"
    code, _, _ = gs("drafting", "report", "--format", "pdf", "--out", str(target), who="anna")
    assert code == 0 and target.read_bytes().startswith(b"%PDF")
    code, _, err = gs("drafting", "hand-over", "chair", who="tom")
    assert code == 1 and "only the pen-holder" in err
    code, _, err = gs("drafting", "approve", "--decision", "NSC of 3 March", who="anna")
    assert code == 1
    code, out, err = gs("drafting", "approve", "--decision", "NSC of 3 March", who="chair")
    assert code == 0 and "approved by chair" in out, err


def test_an_invited_participant_gets_a_scoped_account(gs):
    gs("drafting", "start", "c", "--pen-holder", "pen", who="pen")
    gs("drafting", "round", "open", "roundtable", "--audience", "roundtable", who="pen")
    code, out, err = gs("drafting", "round", "invite", "roundtable", "prof", "--organisation",
                        "Université de Testville", "--kind", "university", who="pen")  # fmt: skip
    assert code == 0 and "password (shown once)" in out, err
    code, out, _ = gs("drafting", "round", "list", "--json", who="prof")
    assert [r["name"] for r in json.loads(out)] == ["roundtable"]
    code, _, err = gs("strategy", "show", who="prof")
    assert code == 1 and "does not allow" in err
    code, _, err = gs("drafting", "round", "invite", "roundtable", "x", "--organisation", "Y",
                      "--kind", "guild", who="pen")  # fmt: skip
    assert code == 2 and "org_kind" in err
