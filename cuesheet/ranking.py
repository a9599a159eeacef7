"""How well a cue fits the words a viewer remembers ("sam dances with nellie").

Viewers mix song words, artist names, characters and a paraphrase of the scene,
with typos. Each query word is matched to its best word in each field of the
cue (exact, same stem, prefix, or close spelling), weighted by the field, and
the words' scores are averaged; a whole-title match counts on its own, so
"when i was your man" finds the song even though most of it is stop words.
Every score carries its reasons.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from cuesheet.normalize import fold

# Scene words carry most of what viewers remember; titles and artists are
# exact when known; the episode title only narrows.
FIELD_WEIGHTS = {"title": 1.0, "artist": 1.0, "performers": 0.85, "scene": 0.9, "episode": 0.5}
# Words that say nothing about which cue: question framing and glue.
STOP_WORDS = frozenset(
    """a an the and or of to in on at by for from with into onto over under is are was be
    it its his her hers him she he they them their theirs this that these those there
    when where while what which who whom whose song songs track music tune scene episode
    ep plays playing played one part bit some""".split()
)
_SUFFIXES = ("ings", "ing", "ies", "ied", "es", "ed", "s")


@dataclass(frozen=True)
class CueText:
    key: Hashable
    title: str = ""
    artist: str = ""
    performers: str = ""
    scene: str = ""
    episode: str = ""


@dataclass(frozen=True)
class Hit:
    key: Hashable
    score: float
    reasons: list[str] = field(default_factory=list)


def stem(word: str) -> str:
    """A crude suffix strip: enough to meet "dances"/"dancing", "falls"/"falling"."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", fold(text))


def query_words(text: str) -> list[str]:
    all_words = words(text)
    kept = [w for w in all_words if w not in STOP_WORDS]
    return kept or all_words


def word_similarity(q: str, d: str) -> float:
    """1 for the same word, a little less for a shared stem or prefix, less for a typo."""
    if q == d:
        return 1.0
    if stem(q) == stem(d):
        return 0.95
    if len(q) >= 4 and d.startswith(q):
        return 0.85
    if len(q) >= 4 and len(d) >= 4:
        ratio = fuzz.ratio(q, d) / 100
        # Below 0.75 two words are usually different words ("heart"/"hearth" pass,
        # "sam"/"same" do not reach here: too short to judge by spelling).
        if ratio >= 0.75:
            return round(ratio * 0.9, 3)
    return 0.0


def _best(q: str, field_words: Sequence[str]) -> tuple[float, str]:
    best, best_word = 0.0, ""
    for d in field_words:
        s = word_similarity(q, d)
        if s > best:
            best, best_word = s, d
            if s == 1.0:
                break
    return best, best_word


def score(query: str, cue: CueText) -> Hit:
    qwords = query_words(query)
    if not qwords:
        return Hit(cue.key, 0.0, [])
    fields = {name: words(getattr(cue, name)) for name in FIELD_WEIGHTS}
    total = 0.0
    reasons = []
    for q in qwords:
        best, how = 0.0, ""
        for name, weight in FIELD_WEIGHTS.items():
            s, d = _best(q, fields[name])
            if s * weight > best:
                best = s * weight
                how = f"{q!r} ~ {name} {d!r}" if d != q else f"{q!r} in {name}"
        total += best
        if how:
            reasons.append(how)
    word_score = total / len(qwords)
    # A query that is (most of) a song title, stop words and all.
    folded = " ".join(words(query))
    title_score = 0.0
    for title in cue.title.split(" / "):
        t = " ".join(words(title))
        if t and folded:
            title_score = max(title_score, fuzz.ratio(folded, t) / 100, fuzz.token_set_ratio(folded, t) / 100 * 0.95)
    if title_score >= 0.85 and title_score > word_score:
        reasons.insert(0, f"title {title_score:.2f}")
        return Hit(cue.key, title_score, reasons)
    return Hit(cue.key, word_score, reasons)


def rank(query: str, cues: Sequence[CueText]) -> list[Hit]:
    """Cues best first; ties keep the given (cue sheet) order."""
    hits = [score(query, c) for c in cues]
    order = {id(h): i for i, h in enumerate(hits)}
    return sorted(hits, key=lambda h: (-h.score, order[id(h)]))
