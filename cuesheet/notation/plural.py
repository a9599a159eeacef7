"""Counts in words: "1 show", "3 shows", "1 entry", "2 entries", never "1 show(s)".

One helper for every message that counts something, so none says "1 rows" or "(s)".
Pure and import-free: the viewer's fast path uses it too.
"""

from __future__ import annotations

# Nouns whose plural is not the noun plus "s".
IRREGULAR = {
    "entry": "entries", "retry": "retries", "match": "matches", "search": "searches",
    "is": "are", "was": "were", "has": "have", "this": "these",
}


def noun(n: int, word: str, plural_form: str | None = None) -> str:
    """`word` as `n` of it is said: the word itself for 1, else its plural."""
    if n == 1:
        return word
    return plural_form or IRREGULAR.get(word) or word + "s"


def plural(n: int, word: str, plural_form: str | None = None) -> str:
    """`n` and the noun in the right number: plural(1, "show") == "1 show"."""
    return f"{n} {noun(n, word, plural_form)}"
