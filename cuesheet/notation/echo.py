"""User text said back in a message: short, so a pasted page is not printed back whole.

`nothing matches 'a 9 KB paste…'` helps nobody; the first words are enough to
recognise one's own question. Pure and import-free: the viewer's fast path uses it.
"""

from __future__ import annotations

# Characters of the viewer's text a message repeats; the rest becomes "…".
ECHO_LIMIT = 80


def short(text: str, limit: int = ECHO_LIMIT) -> str:
    """`text` cut to `limit` characters, "…" marking the cut."""
    return text if len(text) <= limit else text[:limit].rstrip() + "…"


def echo(text: str, limit: int = ECHO_LIMIT) -> str:
    """`text` quoted as a message repeats it: repr of the shortened text ('roads', 'a long…')."""
    return repr(short(text, limit))
