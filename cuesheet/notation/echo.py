"""User text said back in a message: short, so a pasted page is not printed back whole,
and printable, so it cannot drive the terminal that shows it.

`nothing matches 'a 9 KB paste…'` helps nobody; the first words are enough to
recognise one's own question. Pure and import-free: the viewer's fast path uses it.

`printable` is the one sanitiser every output path applies to text (the CLI's rich
consoles, the viewer's plain writer, the web templates): an unknown key
"\x1b]0;PWNED\x07" in a cue file would otherwise retitle the terminal, "\x1b[2J"
clear it, and a NUL cut the line short in the program reading the output.
"""

from __future__ import annotations

# Characters of the viewer's text a message repeats; the rest becomes "…".
ECHO_LIMIT = 80


# C0 controls but tab and newline, DEL, C1 controls (0x9b is CSI on some terminals), and the
# bidirectional overrides that make a line read differently from what it holds.
_UNPRINTABLE = {c: (f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}")
                for c in [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0),
                          *range(0x202A, 0x202F), *range(0x2066, 0x206A)]}


_ONE_LINE = {**_UNPRINTABLE, 0x09: "\\t", 0x0A: "\\n"}


def printable(text: str, *, one_line: bool = False) -> str:
    """`text` with every control character written as its escape (ESC as \\x1b): seen, never obeyed.

    `one_line`: newlines and tabs too, for a message that must stay one line (an error naming
    a file called "0/\\n").
    """
    return text.translate(_ONE_LINE if one_line else _UNPRINTABLE)


def short(text: str, limit: int = ECHO_LIMIT) -> str:
    """`text` cut to `limit` characters, "…" marking the cut."""
    return text if len(text) <= limit else text[:limit].rstrip() + "…"


def echo(text: str, limit: int = ECHO_LIMIT) -> str:
    """`text` quoted as a message repeats it: repr of the shortened text ('roads', 'a long…')."""
    return repr(short(text, limit))


def listed(items: list[str], limit: int = 10) -> str:
    """A list said back, at most `limit` items and how many more: a 20,000-column header is
    not repeated whole on stderr."""
    shown = ", ".join(repr(short(i, 40)) for i in items[:limit])
    return f"[{shown}" + (f", ... and {len(items) - limit:,} more]" if len(items) > limit else "]")
