"""Verdicts: accepted, review or no_match, from a calibrated probability that the best is right.

A hand-set accept line on the weighted score was precise but timid: a title
cut short or an artist written first scores under it even when nothing else
comes close. Instead a small logistic regression over named, explainable
features (the components, the reading used, the gap to the runner-up, how many
other recordings share the title) gives the chance that the best candidate is
the song meant; a reported 0.99 should be right 99 times in 100.

The coefficients are data (`calibration.json` beside this module), fitted by
`bench/calibrate.py` on queries generated from ../shared/data with a fixed
seed and reported on a held-back split; the runtime needs only the numbers.
Hard rules stay around the model, because they state what must never happen:
a title alone is accepted only when no other recording carries that title
and nothing close competes; two takes within `Weights.gap` go to review.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from cuesheet.matching.readings import candidate_version, title_parts
from cuesheet.matching.score import (
    DEFAULT_WEIGHTS,
    Scored,
    Weights,
    lead_artist,
    same_recording,
)
from cuesheet.model import Verdict
from cuesheet.notation.plural import plural
from cuesheet.sources import Candidate

VERDICTS = tuple(Verdict)

# The features, in the order of the coefficients. Each is explainable on its own.
FEATURES = ("score", "title", "artist", "version", "partial", "no_artist", "word_split",
            "gap", "same_title", "exact", "weakest", "swapped", "agrees", "differs", "sole_start")
# A title alone must beat everything else by this much (a runner-up title about 0.15 less
# alike), besides having no namesake, and be this alike itself.
TITLE_ALONE_GAP = 0.08
TITLE_ALONE_MIN = 0.9


@dataclass(frozen=True)
class Calibration:
    """A fitted logistic model and the probability at which a match is accepted."""

    coefficients: dict[str, float]
    intercept: float
    accept: float

    def probability(self, features: dict[str, float]) -> float:
        z = self.intercept + sum(self.coefficients.get(k, 0.0) * v for k, v in features.items())
        if z < -50:
            return 0.0
        return 1.0 / (1.0 + math.exp(-z))

    def to_json(self) -> dict[str, object]:
        return {"features": list(FEATURES), "coefficients": self.coefficients,
                "intercept": self.intercept, "accept": self.accept}


@lru_cache(maxsize=1)
def default_calibration() -> Calibration | None:
    """The shipped model, or None (then the hand-set `Weights.accept` line decides)."""
    try:
        text = resources.files("cuesheet.matching").joinpath("calibration.json").read_text("utf-8")
    except FileNotFoundError:
        return None
    data = json.loads(text)
    return Calibration({k: float(v) for k, v in data["coefficients"].items()}, float(data["intercept"]),
                       float(data["accept"]))


def runner_up(scored: Sequence[Scored], *, other_song: bool = False) -> float:
    """The score of the first candidate that is another recording than the best
    (with `other_song`, another song: not a live take or remix of the same one)."""
    best = scored[0].candidate
    for s in scored[1:]:
        if other_song and same_song(best, s.candidate):
            continue
        if not same_recording(best, s.candidate):
            return s.score
    return 0.0


def same_song(a: Candidate, b: Candidate) -> bool:
    """One song, whatever the take: same title without version words, same lead artist."""
    return candidate_version(a)[0] == candidate_version(b)[0] and lead_artist(a.artist) == lead_artist(b.artist)


# A lone candidate has no runner-up: beyond this the gap says nothing more, and a tiny
# source (one answer) must not look surer than a big catalog.
GAP_CAP = 0.3
# Never accepted below these, whatever the model says: the weighted score, the artist (a
# title right by a wrong artist is another song: "Was - Beth Swift" is not Meredith Swift's)
# and the title (records from other databases carry album words in it, so it may be lower).
MIN_SCORE = 0.75
MIN_ARTIST = 0.8
MIN_TITLE = 0.7
# A title with this share of its words swapped for others ("American Soldier" for "American
# Ride") is another song by the same act, however sure the rest looks.
MAX_SWAPPED = 0.25
# A title given in part as a single word must cover at least this much of the title.
PARTIAL_MIN_COVERAGE = 0.5


def same_title_count(best: Candidate, candidates: Sequence[Candidate]) -> int:
    """How many *other* recordings among the candidates carry the best one's title."""
    # The title without version words depends on the title alone (cached), not on `version`.
    title = title_parts(best.title)[0]
    return sum(1 for c in candidates
               if c is not best and title_parts(c.title)[0] == title and not same_recording(best, c))


# An album this alike is the same album; under `ALBUM_OTHER` it is another.
ALBUM_SAME = 0.9
ALBUM_OTHER = 0.5
# A cut-off title must be this many words (with an artist / alone) to be sure when it is the
# only one the catalog has that begins so: "Love" may be a whole title, not "Love Me Do" cut.
CUT_WORDS_WITH_ARTIST = 2
CUT_WORDS_ALONE = 3


def evidence(best: Scored) -> tuple[int, int]:
    """(agreeing, disagreeing) of the album and year the query gave and the row has."""
    agree = differ = 0
    if "album" in best.components:
        agree += best.components["album"] >= ALBUM_SAME
        differ += best.components["album"] < ALBUM_OTHER
    if "year" in best.components:
        agree += best.components["year"] == 1.0
        differ += best.components["year"] == 0.0
    return agree, differ


def cut_off(best: Scored, mid_word: bool = False) -> bool:
    """Whether the query gave only the start of the best one's title, in enough words to be
    sure of it when nothing else begins so (`sole_start`); cut mid-word, one word less."""
    need = (CUT_WORDS_WITH_ARTIST if best.artist_given else CUT_WORDS_ALONE) - mid_word
    return bool(best.cut) and best.reading_words >= need


def features(scored: Sequence[Scored], same_title: int = 0, sole_start: bool = False) -> dict[str, float]:
    """The named inputs of the model for the best candidate of `scored`."""
    best = scored[0]
    agree, differ = evidence(best)
    return {
        "score": best.score,
        "title": best.components.get("title", 0.0),
        "artist": best.components.get("artist", 0.0) if best.artist_given else 0.0,
        "version": best.components.get("version", 1.0),
        "partial": 1.0 - best.coverage,
        "no_artist": 0.0 if best.artist_given else 1.0,
        "word_split": 1.0 if best.reading.startswith("words:") else 0.0,
        "gap": min(GAP_CAP, best.score - runner_up(scored, other_song=True)),
        "same_title": math.log1p(same_title),
        # Title (and artist, when given) exactly as the candidate has them; the weaker of the two.
        "exact": 1.0 if best.components.get("title") == 1.0
        and (best.components.get("artist") == 1.0 or not best.artist_given) else 0.0,
        "swapped": best.swapped,
        "weakest": min(best.components.get("title", 0.0),
                       best.components.get("artist", 0.0) if best.artist_given else 1.0),
        # Album and year the query named, agreeing and disagreeing with the row's.
        "agrees": float(agree),
        "differs": float(differ),
        # The query gave the start of the title, and it is the only title that begins so.
        "sole_start": 1.0 if sole_start else 0.0,
    }


def decide(scored: Sequence[Scored], weights: Weights = DEFAULT_WEIGHTS, *, same_title: int = 0,
           calibration: Calibration | None = None, sole_start: bool = False) -> tuple[str, float | None, str]:
    """The verdict, the probability that the best is the song meant (when a model is known),
    and, when a hard rule kept it from `accepted`, which one (else "").

    `sole_start`: the query gave only the start of the best one's title (`cut_off`), and the
    catalog has no other title beginning so (by that artist, when one is given): that is
    sure, as a whole title would be, unless another take is as close or the artist is not.
    """
    if not scored or scored[0].score < weights.review:
        return Verdict.NO_MATCH, None, ""
    cal = calibration or default_calibration()
    sole_start = sole_start and bool(scored[0].cut)  # identify's `sole_start` says how much
    feats = features(scored, same_title, sole_start)
    p = cal.probability(feats) if cal else None
    best = scored[0]
    if not best.title_known:
        return Verdict.REVIEW, p, "the title names no song (a placeholder such as [unknown] or a track number)"
    if best.doubt:
        return Verdict.REVIEW, p, best.doubt
    if best.score - runner_up(scored) < weights.gap:
        return Verdict.REVIEW, p, "another recording scores within the gap (two takes, or two songs)"
    if sole_start and (not best.artist_given or feats["artist"] >= MIN_ARTIST) and feats["swapped"] <= MAX_SWAPPED:
        return Verdict.ACCEPTED, p, ""
    if not best.artist_given:
        # A title alone scores low by design; it has floors of its own.
        if same_title:
            carry = "another recording carries it" if same_title == 1 else \
                f"{plural(same_title, 'other recording')} carry it"
            return Verdict.REVIEW, p, f"title alone, and {carry}"
        if feats["gap"] < TITLE_ALONE_GAP or feats["title"] < TITLE_ALONE_MIN:
            return Verdict.REVIEW, p, "title alone, and not clearly ahead"
    elif best.score < MIN_SCORE or feats["artist"] < MIN_ARTIST or feats["title"] < MIN_TITLE:
        return Verdict.REVIEW, p, "title or artist too far from the candidate's"
    if best.coverage < PARTIAL_MIN_COVERAGE and best.reading_words < 2:
        return Verdict.REVIEW, p, "one word of a longer title: too little to tell its titles apart"
    if feats["swapped"] > MAX_SWAPPED:
        return Verdict.REVIEW, p, "title words swapped for others: another song by the same act?"
    if cal is None:
        return (Verdict.ACCEPTED if best.score >= weights.accept else Verdict.REVIEW), None, ""
    return (Verdict.ACCEPTED if p is not None and p >= cal.accept else Verdict.REVIEW), p, ""


def verdict(scored: Sequence[Scored], weights: Weights = DEFAULT_WEIGHTS, *, same_title: int = 0,
            calibration: Calibration | None = None, sole_start: bool = False) -> str:
    """accepted: the calibrated probability is above the model's line, and the best is ahead
    of the first *other* recording by `gap`.

    A duplicate of the best (a source listing one recording twice, same
    length) is not a rival; a second take or another artist's cover is.
    """
    return decide(scored, weights, same_title=same_title, calibration=calibration, sole_start=sole_start)[0]
