"""Matching: which recording a piece of messy song text names, and how sure.

    readings  pure: every plausible reading of the text (title, artist, version)
    score     pure: named components per candidate, one artist scorer
    verdict   pure: accepted / review / no_match, with a calibrated probability
    identify  asks the sources, reads, scores, decides
    persist   the one place that writes links and review candidates
"""

from cuesheet.matching.identify import Identification, gather, identify
from cuesheet.matching.persist import (
    OPEN_STATUSES,
    MatchReport,
    link_song,
    match_songs,
    song_query,
    store_candidates,
)
from cuesheet.matching.readings import Reading, read_query
from cuesheet.matching.score import (
    DEFAULT_WEIGHTS,
    SAME_LENGTH_MS,
    Scored,
    Weights,
    artist_similarity,
    duration_similarity,
    same_recording,
    score_candidates,
    score_record,
    title_similarity,
    version_similarity,
)
from cuesheet.matching.verdict import VERDICTS, verdict

__all__ = [
    "DEFAULT_WEIGHTS", "OPEN_STATUSES", "SAME_LENGTH_MS", "VERDICTS", "Identification", "MatchReport",
    "Reading", "Scored", "Weights", "artist_similarity", "duration_similarity", "gather", "identify",
    "link_song", "match_songs", "read_query", "same_recording", "score_candidates", "score_record",
    "song_query", "store_candidates", "title_similarity", "verdict", "version_similarity",
]
