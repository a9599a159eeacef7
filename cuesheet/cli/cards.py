"""The viewer's answers for people: cards, tables and notes, with rich only when a terminal shows them.

Piped output is plain text with no trailing spaces and no wrapping, so `grep`
and `less` read it as it is; a terminal gets rich's colours and wrapping. rich
is imported only then: it is a third of a cold `cuesheet what`. Both the fast
path (`cuesheet.cli.viewing`) and the typer commands render through here, so
their output cannot differ.
"""

from __future__ import annotations

import os
import sys
from typing import Any, TextIO

from cuesheet.model import Kind
from cuesheet.notation.echo import printable
from cuesheet.notation.plural import plural
from cuesheet.viewer.answers import Answer, people

UNCONFIRMED = "* numbered in a source's song list order; the scene order is not confirmed."


def cues(n: int) -> str:
    return plural(n, "cue")


# A card is lines of (style, text) runs; plain output joins the text, a terminal styles it.
Run = tuple[str, str]


def card_lines(a: Answer, *, scored: bool = False, with_episode: bool = False,
               weak: bool = False, with_show: bool = False) -> tuple[list[Run], list[list[Run]]]:
    """One cue: its header runs and its body lines (each a list of runs), CLI and tests alike.
    `with_show` names the show before the episode code (a list that spans several shows)."""
    # "cue 2*", never a bare number: in a ranked list a reader takes a leading number for the rank.
    label = f"cue {a.cue}" + ("" if a.order_confirmed else "*")
    if with_episode:
        head: list[Run] = [("cyan", f"{a.show} {a.code} " if with_show else f"{a.code} "), ("bold", label),
                           ("cyan", f" · {a.episode_title} ·")]
    else:
        head = [("bold", label + (" " if a.order_confirmed else ""))]
    if a.time_in:
        head.append(("green", f" {a.time_in}" + (f"–{a.time_out}" if a.time_out else "")))
        if a.distance_ms:
            head.append(("green", f" ({a.distance} away)"))
        head.append(("", " ·"))
    head.append(("magenta", f" {a.kind}"))
    if a.lip_sync:
        head.append(("magenta", f" · {a.lip_sync.replace('-', ' ')}"))
    if a.usage:
        head.append(("dim", f" ({a.usage})"))
    if scored and a.score is not None:
        label = a.label or ("weak" if weak else None)
        head.append(("dim", f"  score {a.score:.2f}" + (f" ({label})" if label else "")))
    body: list[list[Run]] = []
    for i, song in enumerate(a.songs):
        line: list[Run] = []
        if i and a.kind == Kind.MASHUP:
            line.append(("", "+ "))
        line.append(("bold", song.name))
        if song.artist:
            line.append(("", f" — {song.artist}"))
        extra = ", ".join(str(x) for x in (song.version, song.album, song.year) if x)
        if extra:
            line.append(("dim", f" ({extra})"))
        if song.performers:
            line.append(("italic", f" · {people(song.performers)}"))
        body.append(line)
        if song.heard:
            body.append([("italic", f"  heard: “{song.heard}”")])
        for name in ("spotify", "musicbrainz"):  # verified pages; --json carries the search links too
            if name in song.links:
                body.append([("cyan", f"  {song.links[name]}")])
    if a.other_performers:
        body.append([("italic", f"performed by {people(a.other_performers)}")])
    if a.scene:
        body.append([("", a.scene)])
    if a.results is not None:  # asked for: --results
        won, out = ", ".join(a.results["won"]) or "not known", ", ".join(a.results["eliminated"])
        body.append([("yellow", f"result: won by {won}" + (f"; went home: {out}" if out else ""))])
    for c in a.conflicts:
        values = " · ".join(f"{v['value']} ({', '.join(v['sources'])})" for v in c["values"])
        what = f"{c['field']} of {c['song']}" if c.get("song") and len(a.songs) > 1 else c["field"]
        body.append([("yellow", f"⚠ sources disagree on {what}: {values}")])
    return head, body


class Out:
    """stdout and stderr for people: plain text when piped, rich when a terminal shows it."""

    def __init__(self, stdout: TextIO | None = None, stderr: TextIO | None = None) -> None:
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr
        self._rich: Any = None
        self._rich_err: Any = None

    def _tty(self, stream: TextIO) -> bool:
        try:
            return stream.isatty() and os.environ.get("TERM") != "dumb"
        except (AttributeError, ValueError):
            return False

    def rich(self) -> Any:
        if self._rich is None and self._tty(self.stdout):
            from cuesheet.cli.safe_console import SafeConsole

            self._rich = SafeConsole(file=self.stdout)
        return self._rich

    def line(self, runs: list[Run] | str = "", indent: int = 0) -> None:
        if isinstance(runs, str):
            runs = [("", runs)]
        console = self.rich()
        if console is None:
            self.stdout.write(printable((" " * indent + "".join(t for _, t in runs)).rstrip()) + "\n")
            return
        from rich.padding import Padding
        from rich.text import Text

        text = Text()
        for style, t in runs:
            text.append(t, style=style or None)
        console.print(Padding(text, (0, 0, 0, indent), expand=False) if indent else text)

    def note(self, message: str) -> None:
        """A dim line on stderr: counts, hints, what matched nothing."""
        message = printable(message)
        if self._tty(self.stderr):
            self.stderr.write(f"\x1b[2m{message}\x1b[0m\n")
        else:
            self.stderr.write(message + "\n")

    def error(self, message: str) -> None:
        message = printable(message, one_line=True)
        if self._tty(self.stderr):
            self.stderr.write(f"\x1b[31merror:\x1b[0m {message}\n")
        else:
            self.stderr.write(f"error: {message}\n")

    def table(self, headers: list[str], rows: list[list[str]], title: str | None = None) -> None:
        console = self.rich()
        if console is not None:
            from rich.table import Table

            table = Table(*headers, title=title)
            for row in rows:
                table.add_row(*row)
            console.print(table)
            return
        if title:
            self.line(title)
        widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
        for row in [headers, *rows]:
            self.line("  ".join(cell.ljust(w) for cell, w in zip(row, widths)))

    def flush(self) -> None:
        self.stdout.flush()


def render_answers(out: Out, items: list[Answer], *, title: str, scored: bool = False,
                   with_episode: bool = False, lead: str | None = None, weak: bool = False,
                   about: str | None = None) -> None:
    """The cards under a title; `lead` is said before them (what the answers could not match),
    `weak` marks every score as a weak guess, and `about` (an episode's notes) follows them,
    before the footnotes."""
    out.line([("bold underline", title)])
    if lead:
        out.line([("yellow", lead)])
    with_show = len({a.show for a in items}) > 1  # one show's answers read as they always have
    for a in items:
        out.line()
        head, body = card_lines(a, scored=scored, with_episode=with_episode, weak=weak, with_show=with_show)
        out.line(head)
        for runs in body:
            out.line(runs, indent=5)
    out.line()
    if about:
        out.line([("bold", "About this episode: "), ("", about)])
        out.line()
    if any(not a.order_confirmed for a in items):
        out.note(UNCONFIRMED)


def rich_card(a: Answer, *, scored: bool = False, with_episode: bool = False) -> Any:
    """The same card as a rich renderable, for commands that print with a rich console (`cue add`)."""
    from rich.console import Group
    from rich.padding import Padding
    from rich.text import Text

    head, body = card_lines(a, scored=scored, with_episode=with_episode)
    header = Text()
    for style, t in head:
        header.append(t, style=style or None)
    lines = []
    for runs in body:  # one renderable a line: rich pads a multi-line Text to its widest line
        text = Text()
        for style, t in runs:
            text.append(t, style=style or None)
        lines.append(Padding(text, (0, 0, 0, 5), expand=False))
    return Group(header, *lines)
