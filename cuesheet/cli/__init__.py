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
from pathlib import Path
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
                if base in (Path, Optional[Path], list[Path], Optional[list[Path]]):
                    for info in extras:
                        if hasattr(info, "callback") and info.callback is None:
                            info.callback = _checked_paths
                    continue
                # list[int]: `review accept 9223372036854775808` (each id) as much as one int.
                if base not in (int, Optional[int], list[int], Optional[list[int]]):
                    continue
                bounds = getattr(limits, _NUMBER_BOUNDS.get(name, "ROW_ID"))
                for info in extras:
                    if hasattr(info, "max") and getattr(info, "max", None) is None and name != "port":
                        info.max = bounds.high
                        if getattr(info, "min", None) is None:
                            info.min = bounds.low


def _checked_paths(value: Any) -> Any:
    """Every path option and argument: a name the system cannot take (a 300-character part)
    is a usage error naming it, before any command calls the file system with it."""
    import typer

    from cuesheet.errors import InputError
    from cuesheet.notation.limits import check_path

    for path in value if isinstance(value, (list, tuple)) else [value]:
        if path is not None:
            try:
                check_path(Path(path))
            except InputError as exc:
                raise typer.BadParameter(f"{exc.file}: {exc.message.split(': ', 1)[-1]}") from None
    return value


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
    try:
        code = _run(sys.argv[1:])
    except SystemExit as exc:
        code = exc.code
    except OSError as exc:
        if exc.errno not in _WRITE_FAILED:
            raise
        code = _output_failed(exc)
    sys.exit(_flushed(code))


def _run(argv: list[str]) -> int | str | None:
    # The viewer's questions answer without typer when their command line is simple
    # (cuesheet.cli.viewing); everything else, and every usage error, is typer's.
    if argv[:1] and argv[0] in ("what", "search", "shows", "episodes"):
        from cuesheet.cli.viewing import light_main

        code = light_main(argv)
        if code is not None:
            return code
    build_app(_command(argv))()
    return 0


# Writing the output failed: a full disk (`> /dev/full`), a quota, a device error.
_WRITE_FAILED = {28, 27, 5, 122}  # ENOSPC, EFBIG, EIO, EDQUOT


def _flushed(code: int | str | None) -> int | str | None:
    """Flush stdout here, where a failure can still be said: a listing written to a full device
    must not exit 0 having written nothing (or end in a traceback at interpreter exit)."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _detach_stdout()
        return code
    except OSError as exc:
        return _output_failed(exc)
    return code


def _output_failed(exc: OSError) -> int:
    _detach_stdout()
    try:
        sys.stderr.write(f"error: cannot write the output: {exc.strerror or exc}\n")
        sys.stderr.flush()
    except OSError:
        pass
    return 1


def _detach_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's own flush at exit has nothing left to fail on."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives until exit
    except (OSError, ValueError):
        pass


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
