"""Rendering for the command line: one JSON helper for every listing, rich for people."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import typer
from rich.markup import escape

from cuesheet.cli.safe_console import SafeConsole
from cuesheet.errors import CuesheetError, InputErrors
from cuesheet.notation.echo import printable
from cuesheet.notation.plural import plural
from cuesheet.db.transactions import busy_message, error_text, is_busy



class _TrimmedLines:
    """A stream for rich when output is piped or redirected: each line without trailing spaces.

    Rich pads renderables to the console width, which is harmless on a terminal but
    leaves every line of a file or a pipe ending in spaces (diffs, grep, `wc -L`).
    The real stream is looked up at each write, so test runners that swap
    sys.stdout still capture what is printed.
    """

    def __init__(self, name: str) -> None:
        self._name = name
        self._partial = ""

    @property
    def _stream(self) -> Any:
        return getattr(sys, self._name)

    def isatty(self) -> bool:
        isatty = getattr(self._stream, "isatty", None)
        return bool(isatty and isatty())

    def write(self, text: str) -> int:
        if self.isatty():
            return self._stream.write(text)
        lines = (self._partial + text).split("\n")
        self._partial = lines.pop()
        if lines:
            self._stream.write("".join(line.rstrip(" ") + "\n" for line in lines))
        return len(text)

    def flush(self) -> None:
        if self._partial:
            self._stream.write(self._partial.rstrip(" "))
            self._partial = ""
        self._stream.flush()

    @property
    def encoding(self) -> str:
        return getattr(self._stream, "encoding", None) or "utf-8"

    def fileno(self) -> int:
        return self._stream.fileno()


console = SafeConsole(file=_TrimmedLines("stdout"))  # type: ignore[arg-type]
err_console = SafeConsole(file=_TrimmedLines("stderr"))  # type: ignore[arg-type]


def emit_json(items: Iterable[Any], *, nl: bool = False) -> None:
    """`--json`: a JSON array; `--nl`: one object per line (for streaming into jq).

    The text is `viewer.answers.emit_json_text`, the one emitter the web's `.json` pages use too.
    """
    from cuesheet.viewer.answers import emit_json_text

    sys.stdout.write(emit_json_text(list(items), nl=nl))
    sys.stdout.flush()


def emit(
    items: list[Any], *, as_json: bool, nl: bool, render: Callable[[list[Any]], None]
) -> None:
    if as_json or nl:
        emit_json(items, nl=nl)
    else:
        render(items)


def fail(message: str, code: int = 1) -> typer.Exit:
    message = printable(message, one_line=True)  # an error is one line, whatever value it names
    err_console.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def note(message: str) -> None:
    err_console.print(escape(message), style="dim", highlight=False, soft_wrap=True)


@contextmanager
def friendly_errors() -> Iterator[None]:
    """A user's mistake is one line on stderr and exit 1, never a traceback."""
    import sqlite3

    try:
        yield
    except InputErrors as exc:
        # In file and line order, as a curator fixes them top-down (checks find them in passes).
        in_order = sorted(exc.errors, key=lambda e: (str(getattr(e, "file", None) or ""),
                                                     getattr(e, "line", None) or 0))
        for error in in_order:
            err_console.print(f"[red]error:[/red] {escape(printable(str(error), one_line=True))}",
                              highlight=False, soft_wrap=True)
        if len(exc.errors) > 1:
            err_console.print(f"{plural(len(exc.errors), 'error')}; nothing was written.", highlight=False)
        if exc.remedy:
            err_console.print(escape(exc.remedy), highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    except CuesheetError as exc:
        raise fail(str(exc)) from None
    except sqlite3.DatabaseError as exc:

        if is_busy(exc):
            raise fail(busy_message(None)) from None
        raise fail(f"database error: {error_text(exc)}") from None
    except UnicodeDecodeError:
        # sqlite3 raises it for an error message of a damaged file that is not UTF-8.
        raise fail("database error: damaged database (its error text is not UTF-8)") from None
    except RecursionError:
        raise fail("input nested too deeply to read (see docs/limits.md)") from None
    except KeyboardInterrupt:
        err_console.print("interrupted; nothing was written.")
        raise typer.Exit(130) from None


def sources_label(candidate: Any) -> str:
    """`catalog+musicbrainz+spotify`: every source that described a candidate, not only the first."""
    names = [candidate.source, *(o.source for o in getattr(candidate, "also", ()))]
    return "+".join(dict.fromkeys(names))


def indented(text: Any, spaces: int, style: str = "dim") -> Any:
    """A candidate's line, wrapped so every wrapped line keeps the indent (in an 80-column
    terminal they ran back to column 0, hiding which candidate a reason belonged to)."""
    from rich.padding import Padding
    from rich.text import Text

    body = text if isinstance(text, Text) else Text(text, style=style)
    return Padding(body, (0, 0, 0, spaces), expand=False)


def candidate_line(rank: int, candidate: Any, score: float, probability: float | None = None) -> Any:
    """One candidate as curators read it: rank, title — artist (version, album, year, length), score, sources."""
    from rich.text import Text

    from cuesheet.notation.timecode import format_time

    line = Text(f"{rank:>2}  ", style="bold")
    line.append(candidate.title, style="bold")
    line.append(f" — {candidate.artist}")
    extra = [str(x) for x in (candidate.version, candidate.album, candidate.year) if x]
    if candidate.duration_ms:
        extra.append(format_time(candidate.duration_ms))
    if extra:
        line.append(f" ({', '.join(extra)})", style="dim")
    line.append(f"  {score:.2f}", style="cyan")
    if probability is not None:
        line.append(f" (probability {probability:.2f})", style="cyan")
    line.append(f"  {sources_label(candidate)}", style="dim")
    return indented(line, 2)
