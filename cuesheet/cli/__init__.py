"""The command line: parses, calls the library, renders. No logic of its own.

Each command module is imported only when its command runs: typer builds a
parameter adapter for every option of every registered command at start-up,
so registering all forty commands to answer one `what` tripled its cold start.
`app` (the whole command line, for tests and the generated reference) is
built on first use.
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING, Annotated, Any, Optional

if TYPE_CHECKING:
    import typer

# Modules with top-level commands, in the order `--help` lists them, and their commands.
TOP_LEVEL: dict[str, tuple[str, ...]] = {
    "viewer": ("shows", "episodes", "what", "search"),
    "matching": ("identify", "match"),
    "web": ("serve",),
    "curator": ("check", "dump", "history", "undo"),
    "building": ("build", "upgrade"),
}
# Command groups: name -> (module, attribute of its typer app).
GROUPS: dict[str, tuple[str, str]] = {
    "catalog": ("matching", "catalog_app"),
    "export": ("export", "app"),
    "cache": ("sources", "cache_app"),
    "config": ("sources", "config_app"),
    "cue": ("cue", "app"),
    "review": ("curator", "review_app"),
    "episode": ("shows", "episode_app"),
    "character": ("shows", "character_app"),
    "source": ("shows", "source_app"),
}


def _version(value: bool) -> None:
    import typer

    from cuesheet import __version__
    from cuesheet.cli.output import console

    if value:
        console.print(f"cuesheet {__version__}")
        raise typer.Exit()


def _root(version: bool = False) -> None:
    """What song is this? A soundtrack cue catalog and song identifier."""


def build_app(only: str | None = None) -> typer.Typer:
    """The command line; with `only`, just the module that holds that command or group."""
    import typer

    _root.__annotations__["version"] = Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ]
    root = typer.Typer(
        name="cuesheet",
        help="What song is this? A soundtrack cue catalog and song identifier.",
        no_args_is_help=True,
        add_completion=False,
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
    )
    root.callback()(_root)
    for module, commands in TOP_LEVEL.items():
        if only is None or only in commands:
            mod = importlib.import_module(f"cuesheet.cli.{module}")
            root.registered_commands += mod.app.registered_commands
    for name, (module, attr) in GROUPS.items():
        if only is None or only == name:
            root.add_typer(getattr(importlib.import_module(f"cuesheet.cli.{module}"), attr), name=name)
    cap_numbers(root)
    return root


# Whole-number options and arguments by name -> the limits' range (cuesheet/limits.py), so
# `--limit 9223372036854775808` is a usage error, not an OverflowError from SQLite.
_NUMBER_BOUNDS = {
    "limit": "LIMIT", "pick": "LIMIT", "number": "CUE_NUMBER", "cue": "CUE_NUMBER", "to": "CUE_NUMBER",
    "season": "SEASON", "episode": "EPISODE", "year": "YEAR", "song": "ROW_ID", "change": "ROW_ID",
}


def cap_numbers(app: typer.Typer) -> None:
    """Give every int parameter without a maximum the one in cuesheet/limits.py (ROW_ID for others)."""
    import typing

    from cuesheet.notation import limits

    apps = [app]
    while apps:
        current = apps.pop()
        apps += [group.typer_instance for group in current.registered_groups if group.typer_instance]
        for command in current.registered_commands:
            if command.callback is None:
                continue
            # The modules use `from __future__ import annotations`: each get_type_hints() call
            # evaluates the strings again into new OptionInfo objects. Keep one evaluated set, so
            # the maximum set here is the one typer reads.
            hints = typing.get_type_hints(command.callback, include_extras=True)
            command.callback.__annotations__ = hints
            for name, hint in hints.items():
                if typing.get_origin(hint) is not Annotated:
                    continue
                base, *extras = typing.get_args(hint)
                if base is not int and base != Optional[int]:
                    continue
                bounds = getattr(limits, _NUMBER_BOUNDS.get(name, "ROW_ID"))
                for info in extras:
                    if hasattr(info, "max") and getattr(info, "max", None) is None and name != "port":
                        info.max = bounds.high
                        if getattr(info, "min", None) is None:
                            info.min = bounds.low


_full: typer.Typer | None = None


def __getattr__(name: str) -> Any:
    if name == "app":
        global _full
        if _full is None:
            _full = build_app()
        return _full
    raise AttributeError(name)


def _command(argv: list[str]) -> str | None:
    """The command or group named on the command line, if it is one we know."""
    known = {c for commands in TOP_LEVEL.values() for c in commands} | set(GROUPS)
    for arg in argv:
        if not arg.startswith("-"):
            return arg if arg in known else None
    return None


def main() -> None:
    # An argument that is not valid UTF-8 arrives as surrogates; echoing it to a strict UTF-8
    # stdout would end in UnicodeEncodeError. Such characters print as \udcff escapes instead.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="backslashreplace")
            except (ValueError, OSError):
                pass
    sys.argv[1:] = _check_arguments(sys.argv[1:])
    # The viewer's questions answer without typer when their command line is simple
    # (cuesheet.cli.viewing); everything else, and every usage error, is typer's.
    if sys.argv[1:2] and sys.argv[1] in ("what", "search", "shows", "episodes"):
        from cuesheet.cli.viewing import light_main

        code = light_main(sys.argv[1:])
        if code is not None:
            sys.exit(code)
    build_app(_command(sys.argv[1:]))()


def _check_arguments(argv: list[str]) -> list[str]:
    """Every argument obeys the limits on text (docs/limits.md): no control characters, at most
    5,000 characters; a usage error (exit 2) naming the argument, before any command runs.
    An argument that is UTF-8 misread as Latin-1/cp1252 is repaired first; the repaired list."""
    from cuesheet.notation import limits
    from cuesheet.notation.normalize import repair_text

    argv = [repair_text(arg) for arg in argv]
    for i, arg in enumerate(argv, start=1):
        problem = limits.text_problem(arg, limits.TEXT)
        if problem:
            shown = arg[:30].encode("unicode_escape").decode("ascii")
            sys.stderr.write(f"Error: argument {i} ({shown}{'...' if len(arg) > 30 else ''}) {problem}\n")
            raise SystemExit(2)
    return argv
