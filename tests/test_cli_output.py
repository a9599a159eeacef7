"""Piped output: what rich prints reaches a file or pipe without trailing spaces."""

from __future__ import annotations

import io
import sys

import pytest
from rich.console import Console
from rich.padding import Padding
from rich.text import Text

from cuesheet.cli import output


def test_piped_lines_lose_trailing_spaces(monkeypatch: pytest.MonkeyPatch) -> None:
    buf = io.StringIO()
    monkeypatch.setattr(sys, "stdout", buf)
    console = Console(file=output._TrimmedLines("stdout"), width=40)  # type: ignore[arg-type]
    console.print(Padding(Text("a reason long enough to wrap over the forty column width"), (0, 0, 0, 4)))
    console.print("last line   ", end="")
    console.file.flush()
    text = buf.getvalue()
    assert text.count("\n") >= 2
    assert all(line == line.rstrip(" ") for line in text.split("\n"))
    assert text.startswith("    a reason") and text.endswith("last line")


def test_the_real_stream_is_looked_up_at_each_write(monkeypatch: pytest.MonkeyPatch) -> None:
    trimmed = output._TrimmedLines("stdout")
    first, second = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdout", first)
    trimmed.write("one  \n")
    monkeypatch.setattr(sys, "stdout", second)
    trimmed.write("two  \n")
    assert first.getvalue() == "one\n" and second.getvalue() == "two\n"
