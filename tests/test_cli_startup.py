"""The command line registers only the module a command needs; the map must not drift."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest
import typer.main

from cuesheet import cli


@pytest.mark.parametrize("module", list(cli.TOP_LEVEL))
def test_top_level_map_lists_each_modules_commands(module: str) -> None:
    mod = importlib.import_module(f"cuesheet.cli.{module}")
    assert tuple(c.name for c in mod.app.registered_commands) == cli.TOP_LEVEL[module]


@pytest.mark.parametrize("argv", [["what", "soundtrack", "3"], ["catalog", "stats", "--json"],
                                  ["cue", "list"], ["review"]])
def test_one_command_builds_only_its_module(argv: list[str]) -> None:
    name = cli._command(argv)
    commands = set(typer.main.get_command(cli.build_app(name)).commands)  # type: ignore[attr-defined]
    assert name in commands
    assert len(commands) < len(typer.main.get_command(cli.app).commands)  # type: ignore[attr-defined]


def test_unknown_or_no_command_gets_everything() -> None:
    assert cli._command(["--help"]) is None
    assert cli._command(["nonsense"]) is None


def test_what_does_not_import_other_command_modules(shipped_db_file) -> None:  # type: ignore[no-untyped-def]
    code = ("import sys; sys.argv = ['cuesheet', 'what', 'soundtrack', '3', '--db', sys.argv[1]]\n"
            "from cuesheet.cli import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "bad = [m for m in ('cuesheet.cli.cue', 'cuesheet.cli.export', 'cuesheet.cli.web', 'starlette',"
            " 'cuesheet.cli.curator') if m in sys.modules]\n"
            "assert not bad, bad\n")
    result = subprocess.run([sys.executable, "-c", code, str(shipped_db_file)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "Deep in a Dream" in result.stdout
