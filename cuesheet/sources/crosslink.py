"""One recording, several sources: join candidates by ISRC and say where they disagree.

A MusicBrainz recording with an ISRC is looked up on Spotify with `isrc:` (and
a Spotify track on MusicBrainz), so the candidate carries both ids and both
listen links. The other source's own description travels along in
`LinkedCandidate.also`. This module joins and compares but writes nothing:
`plan_merge` says which fields a candidate fills and where the sources (or the
row already in the catalog) disagree, and `cuesheet.recordings.store.save_candidate`
stores the recording once, recording each disagreeing value with its source in
`recording_claims` instead of overwriting.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from cuesheet.notation.normalize import fold
from cuesheet.sources import Candidate, SongQuery, Source, SourceSkipped

# The id each online source contributes to a candidate.
ID_KEYS = {"musicbrainz": "mbid", "spotify": "spotify_id"}
# Two lengths within this many ms are the same recording described twice (rounding, silence).
DURATION_TOLERANCE_MS = 2_000
_CONNECTORS = frozenset({"feat", "ft", "featuring", "with", "and", "x", "vs"})
# The recordings columns a candidate can fill or disagree on.
RECORDING_FIELDS = ("title", "artist", "album", "year", "duration_ms", "isrc", "mbid", "spotify_id")


@dataclass(frozen=True)
class LinkedCandidate(Candidate):
    """A candidate joined by ISRC to the same recording in other sources (`also`)."""

    also: tuple[Candidate, ...] = ()


def crosslink(candidates: Iterable[Candidate], sources: Sequence[Source], *,
              limit: int = 5) -> list[Candidate]:
    """Each candidate with an ISRC, enriched with the other online sources' ids and links.

    A source that is skipped or fails leaves the candidate as it was: cross-linking
    adds facts, it never costs a candidate. Candidates without an ISRC pass unchanged.
    """
    by_name = {s.name: s for s in sources}
    out: list[Candidate] = []
    for candidate in candidates:
        isrc = candidate.ids.get("isrc")
        if not isrc:
            out.append(candidate)
            continue
        partners = list(getattr(candidate, "also", ()))
        ids, links = dict(candidate.ids), dict(candidate.links)
        for name, key in ID_KEYS.items():
            source = by_name.get(name)
            if source is None or name == candidate.source or key in ids:
                continue
            try:
                hits = source.search(SongQuery(title=candidate.title, artist=candidate.artist,
                                               isrc=isrc), limit=limit)
            except SourceSkipped:
                continue
            hit = next((h for h in hits if key in h.ids), None)
            if hit is None:
                continue
            # Found by this ISRC: it is the partner's ISRC even when it lists another one first.
            hit = replace(hit, ids={**hit.ids, "isrc": isrc})
            partners.append(hit)
            ids[key] = hit.ids[key]
            for link_name, url in hit.links.items():
                links.setdefault(link_name, url)
        if partners:
            base = {f: getattr(candidate, f) for f in Candidate.__dataclass_fields__}
            base.update(ids=ids, links=links)
            out.append(LinkedCandidate(**base, also=tuple(partners)))
        else:
            out.append(candidate)
    return out


def combine(primary: Candidate, other: Candidate) -> Candidate:
    """One candidate for two descriptions of the same recording (e.g. found by the same ISRC).

    The primary's facts stay; the other's ids and links are added where the primary has
    none, and the other itself travels in `also`, so saving records any disagreement.
    """
    if other is primary:
        return primary
    ids = {**other.ids, **primary.ids}
    links = {**other.links, **primary.links}
    base = {f: getattr(primary, f) for f in Candidate.__dataclass_fields__}
    base.update(ids=ids, links=links)
    if base["recording_id"] is None:
        base["recording_id"] = other.recording_id
    also = (*getattr(primary, "also", ()), other)
    return LinkedCandidate(**base, also=also)


def _words(artist: str) -> frozenset[str]:
    return frozenset(w for w in fold(artist).split() if w not in _CONNECTORS)


def same_value(field: str, old: Any, new: Any) -> bool:
    """Whether two sources' values for a field describe the same thing."""
    if field == "artist":
        return fold(str(old)) == fold(str(new)) or _words(str(old)) == _words(str(new))
    if field in ("title", "album"):
        return fold(str(old)) == fold(str(new))
    if field == "duration_ms":
        return abs(int(old) - int(new)) <= DURATION_TOLERANCE_MS
    if field == "isrc":
        return str(old).upper() == str(new).upper()
    return str(old) == str(new)


def candidate_values(candidate: Candidate) -> dict[str, Any]:
    """The candidate's facts under the `recordings` column names."""
    return {
        "title": candidate.title, "artist": candidate.artist, "album": candidate.album,
        "year": candidate.year, "duration_ms": candidate.duration_ms,
        "isrc": candidate.ids.get("isrc"), "mbid": candidate.ids.get("mbid"),
        "spotify_id": candidate.ids.get("spotify_id"),
    }


def source_ref(candidate: Candidate) -> str | None:
    """The candidate's own id in its source (what a claim cites), if it has one."""
    key = ID_KEYS.get(candidate.source)
    return candidate.ids.get(key) if key else None


@dataclass(frozen=True)
class Merge:
    """What merging a candidate into a recording would change; `recordings.store` writes it.

    `updates`: empty fields to fill (and `links` when a link is new); `claims`:
    (field, value, source, source_ref) for each side of each disagreement, old value
    first; `disagree`: the fields that disagree, in the order found.
    """

    updates: dict[str, Any]
    claims: tuple[tuple[str, Any, str | None, str | None], ...]
    disagree: tuple[str, ...]


def plan_merge(current: dict[str, Any], links_json: str | None, row_source: str | None,
               candidate: Candidate) -> Merge:
    """Fill the recording's empty fields from `candidate`; keep fields that disagree as claims.

    `current` is the recording's row (the RECORDING_FIELDS), `links_json` its `links`
    and `row_source` its `source`. Title and artist are never rewritten: they are what
    the catalog and cue sheets were matched on. Pure: nothing is read or written here.
    """
    updates: dict[str, Any] = {}
    claims: list[tuple[str, Any, str | None, str | None]] = []
    disagree: list[str] = []
    for field, new in candidate_values(candidate).items():
        if new in (None, ""):
            continue
        old = current[field]
        if old in (None, ""):
            updates[field] = new
        elif not same_value(field, old, new):
            disagree.append(field)
            claims.append((field, old, row_source, None))
            claims.append((field, new, candidate.source, source_ref(candidate)))
    try:
        links = json.loads(links_json) if links_json else {}
    except ValueError:
        links = {}
    if not isinstance(links, dict):
        links = {}
    changed = False
    for name, url in candidate.links.items():
        if name not in links:
            links[name] = url
            changed = True
        elif links[name] != url:
            disagree.append(f"link:{name}")
            claims.append((f"link:{name}", links[name], row_source, None))
            claims.append((f"link:{name}", url, candidate.source, source_ref(candidate)))
    if changed:
        updates["links"] = json.dumps(links, sort_keys=True)
    return Merge(updates, tuple(claims), tuple(disagree))


@dataclass(frozen=True)
class Disagreement:
    field: str
    values: tuple[tuple[str, tuple[str, ...]], ...]  # (value, sources)

    def to_json(self) -> dict[str, Any]:
        return {"field": self.field,
                "values": [{"value": v, "sources": list(s)} for v, s in self.values]}


def recording_disagreements(conn: sqlite3.Connection, recording_id: int) -> list[Disagreement]:
    """The fields sources disagree on for one recording, each value with who says it."""
    rows = conn.execute(
        """SELECT c.field, c.value, group_concat(c.source, '\x1f')
             FROM recording_claims c
             JOIN recording_conflicts k ON k.recording_id = c.recording_id AND k.field = c.field
            WHERE c.recording_id = ?
            GROUP BY c.field, c.value ORDER BY c.field, min(c.id)""",
        [recording_id],
    ).fetchall()
    grouped: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for field, value, sources in rows:
        grouped.setdefault(field, []).append((value, tuple(sorted(set(sources.split("\x1f"))))))
    return [Disagreement(field, tuple(values)) for field, values in grouped.items()]
