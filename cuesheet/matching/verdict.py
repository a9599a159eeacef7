"""Verdicts: accepted, review or no_match for a scored list of candidates."""

from __future__ import annotations

from collections.abc import Sequence

from cuesheet.matching.score import DEFAULT_WEIGHTS, Scored, Weights, same_recording

VERDICTS = ("accepted", "review", "no_match")


def verdict(scored: Sequence[Scored], weights: Weights = DEFAULT_WEIGHTS) -> str:
    """accepted: above `accept` and ahead of the first *other* recording by `gap`.

    A duplicate of the best (a source listing one recording twice, same
    length) is not a rival; a second take or another artist's cover is.
    """
    if not scored or scored[0].score < weights.review:
        return "no_match"
    if scored[0].score >= weights.accept:
        best = scored[0].candidate
        runner_up = next((s.score for s in scored[1:] if not same_recording(best, s.candidate)), 0.0)
        if scored[0].score - runner_up >= weights.gap:
            return "accepted"
    return "review"
