"""Every command's --help reads well: plain metavars, help on every option, fast start."""

import ast
import re
import subprocess
import sys

import typer

from grandstrategy.cli.main import LazyGroup, app


def commands():
    root = typer.main.get_command(app)
    ctx = typer.Context(root)

    def walk(cmd, path):
        if isinstance(cmd, LazyGroup) or getattr(cmd, "commands", None):
            for name in cmd.list_commands(ctx):
                yield from walk(cmd.get_command(ctx, name), [*path, name])
        else:
            yield path, cmd

    yield from walk(root, [])


def test_every_option_has_help():
    missing = [
        f"{' '.join(path)} {param.opts[0]}"
        for path, cmd in commands()
        for param in cmd.params
        if param.param_type_name == "option" and not param.help and param.name != "help"
    ]
    assert not missing, "options without help: " + ", ".join(missing)


def test_help_shows_no_python_type_names(cli):
    leaks = re.compile(r"<(str|int|float|bool|list|Path|%Y)|\{[a-z_]+\}|list\[")
    bad = []
    for path, _cmd in commands():
        code, out, err = cli(*path, "--help", db=False)
        assert code == 0, err
        if leaks.search(out):
            bad.append(f"{' '.join(path)}: {leaks.search(out).group(0)}")
    assert not bad, "help shows Python types: " + "; ".join(bad)


def loaded_after(args: list[str], modules: tuple[str, ...], *more: list[str]) -> list[str]:
    """Which of ``modules`` a fresh interpreter has imported after ``grandstrategy ARGS``
    (and after each of ``more`` command lines, run one after the other in it)."""
    probe = (
        "import contextlib, io, sys\n"
        "from grandstrategy.cli.main import main\n"
        f"for args in {[args, *more]!r}:\n"
        "    try:\n"
        "        with contextlib.redirect_stdout(io.StringIO()):\n"
        "            main(args)\n"
        "    except SystemExit as exc:\n"
        "        assert exc.code == 0, (args, exc.code)\n"
        f"print([m for m in {modules!r} if m in sys.modules])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    return ast.literal_eval(out.strip().splitlines()[-1])


def test_help_starts_without_heavy_libraries():
    heavy = ("sklearn", "weasyprint", "matplotlib", "sqlalchemy", "numpy")
    assert loaded_after(["--help"], heavy) == []


def test_every_group_and_command_help_loads_no_service_library():
    """A group's or a command's --help needs typer only: services, their database and model
    libraries are imported when a command runs (core/lazy.py), so help answers at once."""
    heavy = ("sqlalchemy", "numpy", "sklearn", "scipy", "babel", "yaml", "jinja2", "weasyprint")
    groups = [["horizon"], ["delivery"], ["drafting"], ["resilience"], ["strategy"], ["audit"]]
    every = [*groups, *(path for path, _cmd in commands())]
    assert len(every) > 100
    assert loaded_after(["--help"], heavy, *([*path, "--help"] for path in every)) == []


def test_horizon_commands_start_without_scikit_learn():
    """Searching, listing and reading need no model library: scikit-learn (a second to
    import) loads only where a model is trained or applied."""
    assert loaded_after(["horizon", "search", "--help"], ("sklearn",)) == []


def test_lang_option_translates_messages(cli):
    assert cli("db", "upgrade")[0] == 0
    code, _, err = cli("--lang", "fr", "strategy", "show")
    assert code == 1 and "stratégie" in err
    code, _, err = cli("strategy", "show")
    assert code == 1 and "strategy" in err
    code, _, err = cli("--lang", "xx", "strategy", "show")
    assert code == 2 and "--lang" in err


def test_language_from_the_environment_and_bad_settings_named(cli, monkeypatch):
    """Settings are read when a command first needs them: GRANDSTRATEGY_LANGUAGE still speaks
    from the first message, and a bad setting is still named."""
    assert cli("db", "upgrade")[0] == 0
    monkeypatch.setenv("GRANDSTRATEGY_LANGUAGE", "fr")
    code, _, err = cli("strategy", "show")
    assert code == 1 and "stratégie" in err
    monkeypatch.setenv("GRANDSTRATEGY_LANGUAGE", "en")
    monkeypatch.setenv("GRANDSTRATEGY_PORT", "not-a-port")
    code, _, err = cli("strategy", "show")
    assert code == 1 and "port" in err
