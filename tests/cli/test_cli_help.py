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


def loaded_after(args: list[str], modules: tuple[str, ...]) -> list[str]:
    """Which of ``modules`` a fresh interpreter has imported after ``grandstrategy ARGS``."""
    probe = (
        "import sys\n"
        "from grandstrategy.cli.main import main\n"
        f"try:\n    main({args!r})\nexcept SystemExit:\n    pass\n"
        f"print([m for m in {modules!r} if m in sys.modules])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    return ast.literal_eval(out.strip().splitlines()[-1])


def test_help_starts_without_heavy_libraries():
    heavy = ("sklearn", "weasyprint", "matplotlib", "sqlalchemy", "numpy")
    assert loaded_after(["--help"], heavy) == []


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
