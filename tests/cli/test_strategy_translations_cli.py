"""``strategy export --lang``: the French and Dutch editions of the example strategy."""

FR_INTEREST = "Sécurité physique des citoyens et du territoire"
NL_INTEREST = "Fysieke veiligheid van de burgers en het grondgebied"


def _load(cli) -> None:
    assert cli("db", "upgrade")[0] == 0
    assert cli("example", "load")[0] == 0


def test_export_lang_fr_gives_the_french_edition(cli, tmp_path):
    _load(cli)
    out = tmp_path / "snn-fr.md"
    code, _, err = cli("strategy", "export", "--format", "md", "--lang", "fr", "--out", out)
    assert code == 0, err
    text = out.read_text("utf-8")
    assert "Intérêts vitaux" in text and FR_INTEREST in text
    assert "Stratégie de sécurité nationale de la Belgique" in text
    assert "[EN]" in text  # threats and actors are not translated in the example
    code, _, err = cli("strategy", "export", "--format", "md", "--lang", "nl", "--out", out)
    assert code == 0, err
    assert NL_INTEREST in out.read_text("utf-8") and FR_INTEREST not in out.read_text("utf-8")


def test_public_french_edition_leaves_out_marked_records(cli, tmp_path):
    from grandstrategy.strategy.example import example_package

    _load(cli)
    out = tmp_path / "public-fr.md"
    code, _, err = cli(
        "strategy", "export", "--format", "md", "--lang", "fr",
        "--max-marking", "UNCLASSIFIED", "--out", out,
    )  # fmt: skip
    assert code == 0, err
    text = out.read_text("utf-8")
    marked = [r for _, r in example_package().records() if r.marking != "UNCLASSIFIED"]
    assert marked
    for rec in marked:
        title = str(getattr(rec, "title", None) or getattr(rec, "name", ""))
        assert title not in text
        for per in rec.translations.values():
            assert all(t.text not in text for t in per.values())


def test_unknown_edition_language_is_a_usage_error(cli, tmp_path):
    _load(cli)
    code, _, err = cli("strategy", "export", "--format", "md", "--lang", "es")
    assert code == 2 and "unknown language 'es'" in err


def test_lint_lists_missing_translations_of_the_example(cli, monkeypatch):
    monkeypatch.setenv("GRANDSTRATEGY_CONTENT_LANGUAGES", "fr,nl")
    _load(cli)
    found = cli.json("strategy", "lint")["findings"]
    missing = {(f["component"], f["message"].split(" have ")[0]) for f in found
               if f["rule"] == "translation-missing"}  # fmt: skip
    assert ("threats", "17 of the threats") in missing
    # The interests and roles are translated into French and Dutch.
    assert not any(c in ("interests", "roles") for c, _ in missing)
    monkeypatch.setenv("GRANDSTRATEGY_CONTENT_LANGUAGES", "")
    assert not any(
        f["rule"].startswith("translation") for f in cli.json("strategy", "lint")["findings"]
    )
