"""identify: ask the sources, read the text every way, score, and say how sure."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from cuesheet.matching.readings import Reading, read_id, read_query, strip_noise
from cuesheet.matching.score import DEFAULT_WEIGHTS, Scored, Weights, score_candidates
from cuesheet.matching.readings import title_parts
from cuesheet.matching.score import lead_artist
from cuesheet.matching.verdict import VERDICTS, cut_off, decide, features, same_title_count
from cuesheet.model import Verdict
from cuesheet.notation.normalize import fold, repair_text, split_mashup
from cuesheet.notation.plural import plural
from cuesheet.sources import Candidate, SongQuery, Source, SourceSkipped


@dataclass(frozen=True)
class Identification:
    """What one query was found to be. `parts` is set when it read best as a mashup."""

    query: str
    verdict: str
    candidates: list[Scored]
    parts: list[Identification] = field(default_factory=list)
    skipped: list[SourceSkipped] = field(default_factory=list)
    # The verdict model's inputs for the best candidate (see `verdict.features`); not in JSON.
    features: dict[str, float] = field(default_factory=dict, compare=False)

    @property
    def best(self) -> Scored | None:
        return self.candidates[0] if self.candidates else None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "query": self.query,
            "verdict": self.verdict,
            "candidates": [s.to_json() for s in self.candidates],
        }
        if self.parts:
            out["parts"] = [p.to_json() for p in self.parts]
        if self.skipped:
            out["skipped"] = [str(s) for s in self.skipped]
        return out


def gather(sources: Sequence[Source], readings: Sequence[Reading], text: str,
           artist: str | None, limit: int) -> tuple[list[Candidate], list[SourceSkipped]]:
    """Ask every source; a source that cannot answer is skipped with its reason."""
    candidates: list[Candidate] = []
    skipped: list[SourceSkipped] = []
    for source in sources:
        try:
            if source.name == "catalog":
                # The catalog's word index takes every word at once, whatever the reading;
                # noise words ("lyrics", "official video") would only narrow it wrongly.
                candidates += source.search(SongQuery(title=strip_noise(text)[0], artist=artist),
                                            limit=limit)
                continue
            seen: set[tuple[str, str | None]] = set()
            # A curator's title and artist are one query; free text is tried three ways
            # (each costs a request, and online services allow about one a second).
            # The word-split guesses ("words: ...") are for scoring only: online services
            # search free text themselves, so unseparated text is one request.
            typed = [r for r in readings if not r.form.startswith("words:")]
            tries = typed[:1] if typed and typed[0].form == "given-artist" else typed[:3]
            for r in tries:
                if (r.title, r.artist) in seen:
                    continue
                seen.add((r.title, r.artist))
                candidates += source.search(
                    SongQuery(title=r.title, artist=r.artist, duration_ms=r.duration_ms), limit=limit
                )
        except SourceSkipped as exc:
            skipped.append(exc)
    # Several readings often bring back the same rows.
    unique: dict[tuple[object, ...], Candidate] = {}
    for c in candidates:
        key = (c.source, c.recording_id, tuple(sorted(c.ids.items())), c.title, c.artist, c.album, c.year)
        unique.setdefault(key, c)
    candidates = list(unique.values())
    return candidates, skipped


def identify(text: str, sources: Sequence[Source], *, artist: str | None = None,
             duration_ms: int | None = None, album: str | None = None,
             weights: Weights = DEFAULT_WEIGHTS, limit: int = 5,
             mashups: bool = True) -> Identification:
    """Find what `text` names among the sources' candidates and say how sure that is.

    Mashup text ("A / B", "A x B") is split only when every part matches on its
    own at least as well as review and better, on average, than the whole.
    """
    # Pasted from an export that misread UTF-8 ("LÃ©o FerrÃ©"): read as it was written.
    text = repair_text(text)
    artist = repair_text(artist) if artist else artist
    album = repair_text(album) if album else album
    found_id = read_id(text) if artist is None else None
    if found_id is not None:
        return identify_id(text, *found_id, sources, limit=limit)
    readings = read_query(text, artist, duration_ms, album)
    candidates, skipped = gather(sources, readings, text, artist, max(limit, 10))
    # Two more than shown: the runner-up decides the verdict, and a merged duplicate
    # must not leave the list short.
    scored = score_candidates(readings, candidates, weights, keep=limit + 2)
    whole = _decided(text, scored, candidates, weights, limit, skipped, sources)
    if not mashups:
        return whole
    parts_text = split_mashup(text)
    if not parts_text:
        return whole
    parts = [identify(p, sources, artist=None, weights=weights, limit=limit, mashups=False)
             for p in parts_text]
    best_parts = [p.best.score if p.best else 0.0 for p in parts]
    whole_best = whole.best.score if whole.best else 0.0
    if min(best_parts) < weights.review or sum(best_parts) / len(best_parts) <= whole_best:
        return whole
    order = {v: i for i, v in enumerate(VERDICTS)}
    worst = max((p.verdict for p in parts), key=order.__getitem__)
    tops = [p.candidates[0] for p in parts]
    all_skipped = skipped + [s for p in parts for s in p.skipped if str(s) not in map(str, skipped)]
    return Identification(text, worst, tops, parts=parts, skipped=all_skipped)


# Which online source can resolve which id by a direct lookup (ISRCs are searched).
ID_SOURCES = {"mbid": "musicbrainz", "spotify_id": "spotify"}
ID_NAMES = {"mbid": "MusicBrainz id", "spotify_id": "Spotify id", "isrc": "ISRC"}


def identify_id(text: str, key: str, value: str, sources: Sequence[Source], *,
                limit: int = 5) -> Identification:
    """An id as the query: the catalog first, then the service that owns the id, by id.

    Found is accepted (an id names one recording; an ISRC may name a few
    releases of it, all listed). Not found anywhere is no_match; a service that
    could have said but is offline is named in `skipped`, one clear line.
    """
    found: list[Candidate] = []
    skipped: list[SourceSkipped] = []
    for source in sources:
        if source.name == "catalog" and hasattr(source, "by_id"):
            found = source.by_id(key, value)
            if found:
                break
    if not found:
        able = [s for s in sources if s.name == ID_SOURCES.get(key)
                or (key == "isrc" and s.name in ID_SOURCES.values())]
        for source in able:
            try:
                if key == "isrc":
                    found = source.search(SongQuery(title="", isrc=value), limit=limit)
                    if not found and getattr(source, "offline", None):
                        raise SourceSkipped(source.name, str(source.offline))
                else:
                    one = source.lookup(value)
                    found = [one] if one else []
            except SourceSkipped as exc:
                skipped.append(SourceSkipped(exc.source, f"{exc.reason}; cannot look up {ID_NAMES[key]} {value}"))
                continue
            if found:
                break
        if not found and not able and key in ID_SOURCES:
            skipped.append(SourceSkipped(ID_SOURCES[key], f"not in use; cannot look up {ID_NAMES[key]} {value}"))
    scored = [Scored(c, 1.0, {"id": 1.0}, [f"found by its {ID_NAMES[key]} {value} in {c.source}", "read as id"],
                     "id", probability=1.0) for c in found[:limit]]
    return Identification(text, Verdict.ACCEPTED if scored else Verdict.NO_MATCH, scored, skipped=skipped)


def sole_start(best: Scored, sources: Sequence[Source]) -> bool:
    """Whether the query's title is cut off (see `cut_off`) and the catalog the best came from
    has no other title (without version words) that begins so, by the best one's artist when
    the query gave one.

    Cut off mid-word (its last word one the catalog does not know: "Catch A G", "Tomorr"),
    one word with an artist or two alone are enough; at a word boundary ("Love", which may
    be a whole title) two with an artist, three alone. Text that is the whole title but for
    a bracket group ("Fear and Friday's" for "Fear and Friday's (Poem)") is not cut off.
    """
    source = next((s for s in sources if s.name == best.candidate.source and hasattr(s, "titles_starting")), None)
    if source is None or not best.cut:
        return False
    if fold(_GROUPS.sub(" ", best.candidate.title)) == best.cut:
        return False
    mid_word = hasattr(source, "knows_word") and not source.knows_word(best.cut.split()[-1])
    if not cut_off(best, mid_word):
        return False
    rows = source.titles_starting(best.cut, best.candidate.artist if best.artist_given else None)
    if rows is None:
        return False
    lead = lead_artist(best.candidate.artist)
    titles = {title_parts(t)[0] for t, a in rows if not best.artist_given or lead_artist(a) == lead}
    return titles == {title_parts(best.candidate.title)[0]}


_GROUPS = re.compile(r"[(\[][^()\[\]]*[)\]]")


def _decided(text: str, scored: list[Scored], candidates: Sequence[Candidate], weights: Weights,
             limit: int, skipped: list[SourceSkipped], sources: Sequence[Source] = ()) -> Identification:
    """The verdict, with the best candidate's calibrated probability in its reasons."""
    if not scored:
        return Identification(text, Verdict.NO_MATCH, [], skipped=skipped)
    same_title = same_title_count(scored[0].candidate, candidates)
    sole = sole_start(scored[0], sources)
    decision, p, rule = decide(scored, weights, same_title=same_title, sole_start=sole)
    feats = features(scored, same_title, sole)
    if p is not None or rule or sole:
        best = scored[0]
        reasons = list(best.reasons)
        if sole:
            reasons.append("the only title in the catalog that begins so"
                           + (" by this artist" if best.artist_given else ""))
        if p is not None:
            reasons.append(f"probability {p:.3f} that this is the song (calibrated; gap to another song "
                           f"{feats['gap']:.2f}, {plural(same_title, 'other recording')} with this title)")
        if rule:
            reasons.append(f"review: {rule}")
        scored = [replace(best, probability=p, reasons=reasons), *scored[1:]]
    return Identification(text, decision, scored[:limit], skipped=skipped, features=feats)


# --- the database side: match cue songs, keep the review queue ------------------------------
