"""The terminal side of the curator's conversations: rich prompts and what they show.

The conversations themselves (which question, in what order, what an answer does) are
`cuesheet.curation.conversation`; `TerminalPrompter` is its `Prompter` for a person at a
terminal (or answers piped in with --prompt).
"""

from __future__ import annotations

import sys
from typing import Any

import typer
from rich.prompt import Confirm, Prompt
from rich.text import Text

from cuesheet.cli.output import candidate_line, console, err_console, indented, note
from cuesheet.curation import cues as curate
from cuesheet.curation import review
from cuesheet.curation.conversation import Cancelled
from cuesheet.curation.cues import CueDraft
from cuesheet.model import Verdict
from cuesheet.notation.plural import plural
from cuesheet.notation.timecode import format_time
from cuesheet.viewer.resolve import EpisodeRef

__all__ = ["Cancelled", "PromptOption", "TerminalPrompter", "cancelled", "interactive", "missing"]

PromptOption = typer.Option(
    "--prompt/--no-prompt",
    help="Ask for what the options leave out. Default: only when input is a terminal.",
    show_default=False,
)


def interactive(prompt: bool | None) -> bool:
    """--prompt forces questions (answers piped in), --no-prompt forbids them; else ask a terminal."""
    if prompt is not None:
        return prompt
    return sys.stdin.isatty()


def cancelled() -> typer.Exit:
    err_console.print("\ncancelled; nothing was written.", highlight=False)
    return typer.Exit(130)


def missing(options: list[str], why: str = "no terminal to ask in") -> typer.Exit:
    """A usage error naming the options that would have answered the questions."""
    err_console.print(Text(f"error: {why}: give {', '.join(options)}", style="red"), soft_wrap=True)
    return typer.Exit(2)


class TerminalPrompter:
    """`conversation.Prompter` with rich: bold questions, dim hints, yellow warnings."""

    def text(self, question: str, *, default: str | None = None, hint: str | None = None) -> str:
        label = Text(question, style="bold")
        if hint:
            label.append(f" ({hint})", style="dim")
        try:
            return Prompt.ask(label, console=console, default=default if default is not None else "",
                              show_default=bool(default))
        except (EOFError, KeyboardInterrupt):
            raise Cancelled() from None

    def confirm(self, question: str, *, default: bool = True) -> bool:
        try:
            return Confirm.ask(Text(question, style="bold"), console=console, default=default)
        except (EOFError, KeyboardInterrupt):
            raise Cancelled() from None

    def warn(self, message: str) -> None:
        console.print(Text(message, style="yellow"))

    def episode(self, ep: EpisodeRef, last_cues: list[tuple[int, str]]) -> None:
        console.print(Text(f"{ep.show.name} {ep.code} — {ep.title}", style="bold underline"))
        if last_cues:
            shown = ", ".join(f"{n} {t}" for n, t in last_cues[-3:])
            count = f"{plural(len(last_cues), 'cue')} so far"
            console.print(Text(f"{count}; the last 3: {shown}" if len(last_cues) > 3 else f"{count}: {shown}",
                               style="dim"))
        else:
            console.print(Text("no cues yet", style="dim"))

    def editing(self, ep: EpisodeRef, number: int) -> None:
        console.print(Text(f"{ep.show.name} {ep.code} cue {number} — Enter keeps a value, '-' clears it",
                           style="bold underline"))

    def candidates(self, index: int, query: str, ident: Any) -> None:
        show_candidates(index, query, ident)

    def summary(self, ep: EpisodeRef, draft: CueDraft, number: int) -> None:
        show_summary(ep, draft, number)

    def item(self, position: int, total: int, item: review.Item) -> None:
        console.print(Text(f"\n[{position}/{total}]", style="dim"))
        render_item(item)

    def decided(self, done: review.Decision) -> None:
        show_decided(done)


def show_candidates(index: int, query: str, ident: Any) -> None:
    head = Text(f"Candidates for song {index} ", style="bold")
    head.append(f"{query!r}", style="italic")
    head.append(f"  verdict: {ident.verdict}", style="green" if ident.verdict == Verdict.ACCEPTED else "yellow")
    console.print(head)
    if not ident.candidates:
        console.print(Text("  none found", style="dim"))
    for i, s in enumerate(ident.candidates, start=1):
        console.print(candidate_line(i, s.candidate, s.score))
        if s.reasons:
            console.print(indented(" · ".join(s.reasons), 6))
    for skipped in getattr(ident, "skipped", []) or []:
        console.print(Text(f"  skipped {skipped}", style="dim"))


def show_summary(ep: EpisodeRef, draft: CueDraft, number: int) -> None:
    console.print()
    line = Text(f"{ep.code} cue {number}", style="bold")
    if draft.time_in_ms is not None:
        line.append(f"  {format_time(draft.time_in_ms)}", style="green")
        if draft.time_out_ms is not None:
            line.append(f"–{format_time(draft.time_out_ms)}", style="green")
    line.append(f"  {draft.resolved_kind}", style="magenta")
    if draft.usage:
        line.append(f" ({draft.usage})", style="dim")
    console.print(line)
    for i, d in enumerate(draft.songs, start=1):
        s = d.song
        if s.unknown:
            console.print(Text(f"  {i}. {curate.draft_label(d)}"))
            continue
        how = ("picked: " + f"{d.pick.title} — {d.pick.artist}" if d.pick
               else "typed by hand" if s.recording else "kept for review" if d.review
               else "matched when saved")
        who = f" · {curate.format_performers(s.performers)}" if s.performers else ""
        console.print(Text(f"  {i}. {s.title}" + (f" — {s.artist}" if s.artist else "") + who + f"  [{how}]"))
    if draft.performers:
        console.print(Text(f"  performed by {curate.format_performers(draft.performers)}", style="italic"))
    if draft.scene:
        console.print(Text(f"  {draft.scene}"))


def render_item(it: Any, *, reasons: int = 3, gap: bool = True) -> None:
    """A song of the review queue: where, what, its status, searches tried and candidates."""
    if gap:
        console.print()
    head = Text(f"#{it.id} ", style="bold")
    head.append(f"{it.label}", style="cyan")
    head.append(f"  {it.name}", style="bold")
    head.append(f"  {it.status}", style="yellow")
    console.print(head, soft_wrap=True)
    if it.scene:
        console.print(indented(it.scene, 5))
    if it.heard and not it.unknown:
        console.print(indented(f"heard: {it.heard}", 5))
    for x in it.searches:
        best = f"best {x.best_title} — {x.best_artist} ({x.best_score:.2f})" if x.best_title else "nothing found"
        console.print(Text(f"     searched {x.query!r} in {', '.join(x.sources)} by {x.curator}"
                           f" at {x.at.replace('T', ' ')[:16]}: {best}", style="dim"), soft_wrap=True)
    if not it.candidates:
        console.print(Text("     no candidates", style="dim"))
    for c in it.candidates:
        console.print(candidate_line(c.rank, c.candidate, c.score, c.probability))
        if c.rank <= reasons and c.reasons:
            console.print(indented(" · ".join(c.reasons), 6))


def show_decided(done: Any) -> None:
    console.print(Text(done.summary, style="bold green"), soft_wrap=True)
    note(f"history #{done.history_id}; `cuesheet undo` takes it back.")
