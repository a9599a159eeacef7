"""How well a cue fits a viewer's question, with the reasons, field by field.

Each scoring word of the `Query` is matched to its best word in each field of
the cue (same word, same Snowball stem or number, prefix, or close spelling),
weighted by the field. The cues are ranked by evidence, not by every word:
a word that fits no cue at all is named ("'car' matched nothing") and lowers
the confidence a little, but never empties an answer the other words give; a
word that fits few cues ("fired") weighs more than one that fits many ("sam").
A word that is somewhere exactly is not also read as a close spelling of
another ("dante" never finds "dances" when Dante is in the show). A whole-title
match counts on its own, so "when i was your man" finds the song although
every word of it is filler. Position words ("first", "closing") order cues by
their place in the episode. Pure: values in, hits out.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from cuesheet.viewer.query import Query, key, words

# Titles, artists and characters are exact when known, so an exact hit there
# outranks a fuzzy one anywhere; scene words carry most of what viewers
# remember; the episode title only narrows.
# Artist credits outrank performer credits for the same words ("paul james" is the artist of his
# own song before he is the actor of every Sam scene); the kind ("cast-original", "mashup") and
# the episode title only narrow.
FIELD_WEIGHTS = {"title": 1.0, "artist": 1.0, "character": 1.0, "performer": 0.9, "scene": 0.9,
                 "kind": 0.8, "episode": 0.5, "show": 0.5}
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
# Each word that fits no cue at all takes this share of the confidence (spread over the words).
DEAD_WORD = 0.3


@dataclass(frozen=True)
class CueText:
    key: Hashable
    title: str = ""
    artist: str = ""
    performer: str = ""
    character: str = ""
    scene: str = ""
    kind: str = ""
    episode: str = ""
    # The show's name and aliases: "thailand", "espana" narrow without naming a show exactly.
    show: str = ""
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
    # The evidence behind the score: the question's words this cue holds as written (or by stem
    # or number), those it holds only by a close spelling or prefix, and the fields they are in.
    exact: tuple[str, ...] = ()
    close: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    # The score before words that fit nothing took their share of confidence: what thresholds read.
    evidence: float = 0.0
    # The whole question is (most of) this cue's title.
    title_match: bool = False
    # How much of the question is this cue's title: orders cues the words tie ("sasha velour so
    # emotional": of her three lip syncs, So Emotional first).
    title_score: float = 0.0

    @property
    def label(self) -> str | None:
        """"close spelling only" when no word is here as written; "weak" when one word carries it
        while others do not fit; None for a good answer. Computed from what matched, not the score."""
        if self.title_match:
            return None
        if self.close and not self.exact:
            return "close spelling only"
        if not self.exact and not self.close:
            # An episode or a position asked, no words: said by its own notes; but words that
            # fit nothing make it a guess.
            return "weak" if self.unmatched else None
        if len(self.exact) + len(self.close) < 2 and self.unmatched:
            return "weak"
        return None


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


@dataclass(frozen=True)
class _Match:
    score: float  # similarity times field weight
    field: str
    word: str  # the cue's word it met
    exact: bool  # the same word, stem or number (not a prefix or close spelling)


def _match(q: str, fields: dict[str, list[str]]) -> _Match | None:
    best: _Match | None = None
    for name, weight in FIELD_WEIGHTS.items():
        s, d = _best(q, fields[name])
        if s and (best is None or s * weight > best.score):
            best = _Match(s * weight, name, d, s >= STEM)
    return best


def _fields(cue: CueText) -> dict[str, list[str]]:
    return {name: words(getattr(cue, name)) for name in FIELD_WEIGHTS}


def score(query: Query, cue: CueText) -> Hit:
    """One cue on its own (every word weighs the same): see `rank` for the ranking by evidence."""
    return rank(query, [cue])[0]


def _hit(query: Query, cue: CueText, matches: list[_Match | None], strength: list[float],
         dead: int) -> Hit:
    """One cue's score from its word matches, each word weighted by its strength."""
    total = weight = 0.0
    reasons: list[str] = []
    unmatched: list[str] = []
    exact: list[str] = []
    close: list[str] = []
    fields: list[str] = []
    for q, m, w in zip(query.words, matches, strength):
        weight += w
        if m is None:
            unmatched.append(q)
            continue
        total += m.score * w
        reasons.append(f"{q!r} in {m.field}" if m.word == q else f"{q!r} ~ {m.field} {m.word!r}")
        (exact if m.exact else close).append(q)
        if m.field not in fields:
            fields.append(m.field)
    word_score = total / weight if weight else 0.0
    title_score = _title_score(query.phrase, cue.title)
    title_match = title_score >= 0.85 and title_score > word_score
    if title_match:
        reasons.insert(0, f"title {title_score:.2f}")
        word_score, unmatched = title_score, []
    evidence = word_score
    named = query.episode is not None or query.season is not None
    if named and not title_match and (not query.words or not any(strength)):
        # "episode 4": every cue of it, in cue order; so too when no word fits anything at all
        # ("dragrace espana season 2 finale"): the episode named answers, the words are named.
        evidence = 1.0
        said = query.episode.said if query.episode is not None else f"season {query.season}"
        reasons.append(f"{said!r} names the episode")
    if query.position:
        near = 0.0  # place None: known not to be there
        if cue.place is not None:
            near = 1 / (1 + cue.place) if cue.place_known else WEAK_PLACE * 2 / (2 + cue.place)
            if cue.place_why:
                reasons.append(cue.place_why)
        evidence = (near if not query.words or not any(strength)
                    else word_score * (1 - POSITION_WEIGHT) + near * POSITION_WEIGHT)
    final = evidence
    if dead and query.words and not title_match:
        final *= 1 - DEAD_WORD * dead / len(query.words)
    return Hit(cue.key, round(final, 6), reasons, tuple(unmatched), tuple(exact), tuple(close),
               tuple(fields), round(evidence, 6), title_match, title_score if title_score >= 0.85 else 0.0)


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
    """Cues best first by evidence (see the module docstring); ties keep the given order."""
    table = [[_match(q, f) for q in query.words] for f in map(_fields, cues)]
    n = len(query.words)
    for j in range(n):
        # A word that is somewhere as written means that: its close spellings elsewhere are noise.
        if any(row[j] is not None and row[j].exact for row in table):  # type: ignore[union-attr]
            for row in table:
                if row[j] is not None and not row[j].exact:  # type: ignore[union-attr]
                    row[j] = None
    found = [sum(1 for row in table if row[j] is not None) for j in range(n)]
    # A word that fits nothing is left out of the weights (and named); one that fits few cues
    # weighs more than one that fits many (an inverse document frequency, smoothed).
    strength = [0.0 if not f else 1.0 + math.log(len(cues) / f) for f in found]
    dead = sum(1 for f in found if not f)
    hits = [_hit(query, c, row, strength, dead) for c, row in zip(cues, table)]
    order = {id(h): i for i, h in enumerate(hits)}
    return sorted(hits, key=lambda h: (-h.score, -h.title_score, order[id(h)]))


def threshold(hits: Sequence[Hit], min_score: float) -> float:
    """The evidence an answer needs: `min_score`, or less when the best answer itself is lower
    because a long question holds many words that fit only one cue each (a chatty question);
    then answers within reach of the best, never below RELATIVE_FLOOR."""
    best = max((h.evidence for h in hits), default=0.0)
    return min(min_score, max(RELATIVE_FLOOR, best * RELATIVE))


# A chatty question's answers: those with at least this share of the best one's evidence ...
RELATIVE = 0.6
# ... and never less than this.
RELATIVE_FLOOR = 0.15
