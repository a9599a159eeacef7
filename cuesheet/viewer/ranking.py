"""How well a cue fits a viewer's question, with the reasons, field by field.

Each scoring word of the `Query` is matched to its best word in each field of
the cue (same word, same Snowball stem or number, prefix, or close spelling),
weighted by the field; the words' scores are averaged. A word that matched
nothing is named, so an answer can say "'car' matched nothing". A whole-title
match counts on its own, so "when i was your man" finds the song although
every word of it is filler. Position words ("first", "closing") order cues by
their place in the episode. Pure: values in, hits out.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from cuesheet.viewer.query import Query, key, words

# Titles, artists and characters are exact when known, so an exact hit there
# outranks a fuzzy one anywhere; scene words carry most of what viewers
# remember; the episode title only narrows.
FIELD_WEIGHTS = {"title": 1.0, "artist": 1.0, "performer": 1.0, "character": 1.0, "scene": 0.9, "episode": 0.5}
# Same word 1, same stem or number 0.95, a prefix 0.8, a close spelling at most
# 0.75: below every exact hit, so "finale" never beats "final" by looking like "fine".
SAME, STEM, PREFIX, FUZZY = 1.0, 0.95, 0.8, 0.75
# Two words below this rapidfuzz ratio are different words ("heart"/"hart" pass,
# "finale"/"fine" do not).
MIN_RATIO = 80
# How much a position word ("first", "closing") weighs against the words.
POSITION_WEIGHT = 0.35
# A place known only from a source's song list order is a weaker hint: its first cue
# scores this much (0.6, then 0.4, 0.3 ...), below any cue whose place is known.
WEAK_PLACE = 0.6


@dataclass(frozen=True)
class CueText:
    key: Hashable
    title: str = ""
    artist: str = ""
    performer: str = ""
    character: str = ""
    scene: str = ""
    episode: str = ""
    # 0 = first (or last) in its episode, 1 = next, ...: set when the query asks for a position;
    # None then means the cue is known not to be there (a cold open is never the last song).
    place: int | None = None
    # True when the place is known (scene words, a time, a confirmed order); False when it is
    # only the source's song list order, a weaker hint that scores less.
    place_known: bool = True
    # Why the cue is at that place, said as a reason ("closing cue of the episode (...)").
    place_why: str = ""


@dataclass(frozen=True)
class Hit:
    key: Hashable
    score: float
    reasons: list[str] = field(default_factory=list)
    unmatched: tuple[str, ...] = ()


def word_similarity(q: str, d: str) -> float:
    if q == d:
        return SAME
    if key(q) == key(d):
        return STEM
    if len(q) >= 4 and d.startswith(q):
        return PREFIX
    if len(q) >= 4 and len(d) >= 4 and not (q.isdigit() or d.isdigit()):
        ratio = fuzz.ratio(q, d)
        if ratio >= MIN_RATIO:
            return round(ratio / 100 * FUZZY, 3)
    return 0.0


def _best(q: str, field_words: Sequence[str]) -> tuple[float, str]:
    best, best_word = 0.0, ""
    for d in field_words:
        s = word_similarity(q, d)
        if s > best:
            best, best_word = s, d
            if s == SAME:
                break
    return best, best_word


def score(query: Query, cue: CueText) -> Hit:
    fields = {name: words(getattr(cue, name)) for name in FIELD_WEIGHTS}
    total = 0.0
    reasons: list[str] = []
    unmatched: list[str] = []
    for q in query.words:
        best, how = 0.0, ""
        for name, weight in FIELD_WEIGHTS.items():
            s, d = _best(q, fields[name])
            if s * weight > best:
                best = s * weight
                how = f"{q!r} in {name}" if d == q else f"{q!r} ~ {name} {d!r}"
        total += best
        if how:
            reasons.append(how)
        else:
            unmatched.append(q)
    word_score = total / len(query.words) if query.words else 0.0
    title_score = _title_score(query.phrase, cue.title)
    if title_score >= 0.85 and title_score > word_score:
        reasons.insert(0, f"title {title_score:.2f}")
        word_score, unmatched = title_score, []
    final = word_score
    if not query.words and not title_score >= 0.85 and query.episode is not None:
        final = 1.0  # "episode 4": every cue of it, in cue order
        reasons.append(f"{query.episode.said!r} names the episode")
    if query.position:
        near = 0.0  # place None: known not to be there
        if cue.place is not None:
            near = 1 / (1 + cue.place) if cue.place_known else WEAK_PLACE * 2 / (2 + cue.place)
            if cue.place_why:
                reasons.append(cue.place_why)
        final = near if not query.words else word_score * (1 - POSITION_WEIGHT) + near * POSITION_WEIGHT
    return Hit(cue.key, round(final, 6), reasons, tuple(unmatched))


def _title_score(phrase: str, titles: str) -> float:
    """A question that is (most of) a song title, filler and all."""
    if not phrase:
        return 0.0
    # token_set_ratio is 100 for any subset, so one word ("love") would be "most of" many titles.
    several = len(phrase.split()) >= 2
    best = 0.0
    for title in titles.split(" / "):
        t = " ".join(words(title))
        if t:
            best = max(best, fuzz.ratio(phrase, t) / 100)
            if several:
                best = max(best, fuzz.token_set_ratio(phrase, t) / 100 * 0.95)
    return best


def rank(query: Query, cues: Sequence[CueText]) -> list[Hit]:
    """Cues best first; ties keep the given order (episode, then cue)."""
    hits = [score(query, c) for c in cues]
    order = {id(h): i for i, h in enumerate(hits)}
    return sorted(hits, key=lambda h: (-h.score, order[id(h)]))
