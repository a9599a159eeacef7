"""Asking a curator, one question at a time (rich prompts), and knowing when not to.

Answers are only collected here; nothing is written until the command has
them all, so Ctrl-C or end of input at any question leaves the database as it was.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import typer
from rich.prompt import Confirm, Prompt
from rich.text import Text

from cuesheet.cli.output import console, err_console
from cuesheet.errors import CuesheetError
from cuesheet.notation.normalize import repair_text

T = TypeVar("T")
PromptOption = typer.Option(
    "--prompt/--no-prompt",
    help="Ask for what the options leave out. Default: only when input is a terminal.",
    show_default=False,
)


class Cancelled(Exception):
    """The curator pressed Ctrl-C or input ended before the last question."""


def interactive(prompt: bool | None) -> bool:
    """--prompt forces questions (answers piped in), --no-prompt forbids them; else ask a terminal."""
    if prompt is not None:
        return prompt
    return sys.stdin.isatty()


def ask(
    question: str,
    *,
    default: str | None = None,
    parse: Callable[[str], T] | None = None,
    hint: str | None = None,
    required: bool = False,
) -> Any:
    """One question. A blank answer takes the default (or None); `parse` errors re-ask with the reason."""
    label = Text(question, style="bold")
    if hint:
        label.append(f" ({hint})", style="dim")
    while True:
        try:
            raw = Prompt.ask(label, console=console, default=default if default is not None else "",
                             show_default=bool(default))
        except (EOFError, KeyboardInterrupt):
            raise Cancelled() from None
        raw = repair_text((raw or "").strip())  # pasted from an export that misread UTF-8
        if not raw:
            if required:
                console.print("  an answer is needed here", style="yellow", highlight=False)
                continue
            return None if parse is None or default is None else parse(default)
        if parse is None:
            return raw
        try:
            return parse(raw)
        except CuesheetError as exc:
            console.print(Text(f"  {exc}", style="yellow"))


def confirm(question: str, *, default: bool = True) -> bool:
    try:
        return Confirm.ask(Text(question, style="bold"), console=console, default=default)
    except (EOFError, KeyboardInterrupt):
        raise Cancelled() from None


def cancelled() -> typer.Exit:
    err_console.print("\ncancelled; nothing was written.", highlight=False)
    return typer.Exit(130)


def missing(options: list[str], why: str = "no terminal to ask in") -> typer.Exit:
    """A usage error naming the options that would have answered the questions."""
    err_console.print(Text(f"error: {why}: give {', '.join(options)}", style="red"), soft_wrap=True)
    return typer.Exit(2)
