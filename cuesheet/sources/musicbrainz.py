"""MusicBrainz through musicbrainzngs: recording search, lookup by MBID, ISRCs and works.

musicbrainzngs keeps its settings in module globals and, left alone, retries a
failing request 8 times with sleeps of 2, 4 … 14 s (56 s) and no socket
timeout. This adapter sets those globals before every call (so two sources
with different hosts cannot mix), makes musicbrainzngs try each request once,
and owns the policy itself: a socket timeout, `retries` more tries with
exponential backoff on 5xx/429/timeouts/cut-off answers, then one clear line.
The rate limit stays musicbrainzngs' own (every retry passes through it too);
against musicbrainz.org it never exceeds 1 request per second whatever the
configuration says.
"""

from __future__ import annotations

import functools
import re
import socket
import urllib.error
from collections.abc import Iterator
from contextlib import contextmanager
from http.client import HTTPException
from typing import Any

import musicbrainzngs
import musicbrainzngs.musicbrainz as _mb

from cuesheet import __version__
from cuesheet.config import Config
from cuesheet.errors import InputError
from cuesheet.model import Work, WorkCredit
from cuesheet.notation import ids
from cuesheet.sources import Candidate, SongQuery, SourceSkipped
from cuesheet.sources.cache import Cache
from cuesheet.sources.online import (
    OnlineSource,
    Transient,
    Unreachable,
    parse_endpoint,
    retry_after_seconds,
)

NAME = "musicbrainz"
OFFICIAL_HOST = "musicbrainz.org"
APP = "cuesheet"
LOOKUP_INCLUDES = ["artists", "releases", "isrcs", "work-rels"]
WORK_INCLUDES = ["artist-rels", "label-rels"]
# A length typed or parsed from a cue sheet is rough; ±10 s keeps edits and fades in.
DURATION_SLACK_MS = 10_000
MAX_LIMIT = 100
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_LUCENE_SPECIAL = re.compile(r'([+\-&|!(){}\[\]^"~*?:\\/])')
# MusicBrainz artist-work relationship types -> cue-sheet roles.
_WORK_ROLES = {
    "composer": "composer",
    "lyricist": "lyricist",
    "writer": "writer",
    "librettist": "librettist",
    "arranger": "arranger",
    "publishing": "publisher",
    "publisher": "publisher",
}


def _single_try() -> None:
    """Make musicbrainzngs try each request once; cuesheet retries with its own timings."""
    if not getattr(_mb._safe_read, "_cuesheet_single_try", False):
        single = functools.partial(_mb._safe_read, max_retries=1)
        single._cuesheet_single_try = True  # type: ignore[attr-defined]
        _mb._safe_read = single


_single_try()


def lucene_escape(text: str) -> str:
    """User text made safe inside a Lucene query: specials escaped, operators defused.

    Lower-casing turns AND/OR/NOT into plain words (Lucene's operators are upper-case only).
    """
    return _LUCENE_SPECIAL.sub(r"\\\1", " ".join(text.split()).lower())


def build_query(query: SongQuery) -> str:
    """The Lucene recording query for one reading of the user's text.

    Terms are OR-ed (MusicBrainz's default), so a reading whose split was wrong
    still finds the song; recordings matching title, artist and length all rank first.
    """
    if query.isrc:
        return f"isrc:{lucene_escape(query.isrc).upper()}"
    parts = []
    title = lucene_escape(query.title)
    if title:
        parts.append(f"recording:({title})")
    if query.artist and lucene_escape(query.artist):
        parts.append(f"artist:({lucene_escape(query.artist)})")
    if query.album and lucene_escape(query.album):
        parts.append(f"release:({lucene_escape(query.album)})")
    if query.duration_ms and parts:
        low = max(0, query.duration_ms - DURATION_SLACK_MS)
        parts.append(f"dur:[{low} TO {query.duration_ms + DURATION_SLACK_MS}]")
    return " ".join(parts)


def _year(date: str | None) -> int | None:
    m = re.match(r"^(\d{4})", date or "")
    return int(m.group(1)) if m else None


def _first_release(recording: dict[str, Any]) -> dict[str, Any] | None:
    """The earliest official release (the one a cue sheet most likely means), else any earliest."""
    releases = [r for r in recording.get("release-list") or [] if isinstance(r, dict)]
    if not releases:
        return None

    def order(r: dict[str, Any]) -> tuple[int, int, str]:
        official = 0 if (r.get("status") or "").lower() == "official" else 1
        return (official, _year(r.get("date")) or 9999, r.get("date") or "9999")

    return min(releases, key=order)


def recording_to_candidate(recording: dict[str, Any]) -> Candidate:
    """One musicbrainzngs recording dict (search hit or lookup) as a Candidate."""
    mbid = recording["id"]
    release = _first_release(recording)
    years = [y for r in recording.get("release-list") or [] if (y := _year(r.get("date")))]
    isrcs = [i for i in recording.get("isrc-list") or [] if isinstance(i, str)]
    score = recording.get("ext:score")
    try:
        length = int(recording["length"]) if recording.get("length") else None
    except ValueError:
        length = None
    candidate_ids = {"mbid": mbid}
    if isrcs:
        candidate_ids["isrc"] = isrcs[0]
    return Candidate(
        title=recording.get("title") or "",
        artist=recording.get("artist-credit-phrase") or "",
        source=NAME,
        album=release.get("title") if release else None,
        year=min(years) if years else None,
        duration_ms=length,
        version=recording.get("disambiguation") or None,
        ids=candidate_ids,
        links={"musicbrainz": ids.musicbrainz_url(mbid)},
        source_score=int(score) / 100 if score and str(score).isdigit() else None,
    )


def all_isrcs(recording: dict[str, Any]) -> list[str]:
    return [i for i in recording.get("isrc-list") or [] if isinstance(i, str)]


def work_from_message(work: dict[str, Any]) -> Work:
    """A musicbrainzngs work dict (with artist-rels and label-rels) as a Work with its credits."""
    credits = []
    for rel in work.get("artist-relation-list") or []:
        role = _WORK_ROLES.get((rel.get("type") or "").lower())
        artist = rel.get("artist") or {}
        if role and artist.get("name"):
            credits.append(WorkCredit(role, artist["name"], None, artist.get("id")))
    for rel in work.get("label-relation-list") or []:
        role = _WORK_ROLES.get((rel.get("type") or "").lower())
        label = rel.get("label") or {}
        if role == "publisher" and label.get("name"):
            credits.append(WorkCredit("publisher", label["name"], None, label.get("id")))
    iswcs = work.get("iswc-list") or ([work["iswc"]] if work.get("iswc") else [])
    return Work(title=work.get("title") or "", mbid=work.get("id"), iswc=iswcs[0] if iswcs else None,
                credits=tuple(credits))


@contextmanager
def _socket_timeout(seconds: float) -> Iterator[None]:
    """musicbrainzngs opens urllib connections without a timeout; give them ours, for this call only."""
    old = socket.getdefaulttimeout()
    socket.setdefaulttimeout(seconds)
    try:
        yield
    finally:
        socket.setdefaulttimeout(old)


class _NotFound(Exception):
    pass


class MusicBrainzSource(OnlineSource):
    """Recordings from MusicBrainz (or a mirror at CUESHEET_MUSICBRAINZ_URL)."""

    name = NAME

    def __init__(self, config: Config, cache: Cache | None = None, *, offline: str | None = None,
                 refresh: bool = False, **kwargs: Any) -> None:
        super().__init__(config, cache, offline=offline, refresh=refresh, **kwargs)
        self.endpoint = parse_endpoint(config.musicbrainz_url, "musicbrainz_url (CUESHEET_MUSICBRAINZ_URL)")
        if self.endpoint.path.strip("/"):
            raise InputError(
                f"{config.musicbrainz_url!r}: musicbrainzngs asks /ws/2 at the root of the host",
                field="musicbrainz_url (CUESHEET_MUSICBRAINZ_URL)",
                remedy="give the server's root URL, e.g. http://127.0.0.1:5000",
            )
        official = self.endpoint.host == OFFICIAL_HOST or self.endpoint.host.endswith("." + OFFICIAL_HOST)
        rate = config.musicbrainz_rate
        # MusicBrainz's own servers allow 1 request/s per client; only a mirror may go faster.
        self.rate = min(rate, 1.0) if official and rate else (1.0 if official else rate)

    # --- the Source interface -------------------------------------------------------

    def search(self, query: SongQuery, *, limit: int = 10) -> list[Candidate]:
        lucene = build_query(query)
        if not lucene:
            return []
        limit = max(1, min(limit, MAX_LIMIT))
        body = self.cached(
            ("search recording", lucene, f"limit={limit}"),
            lambda: self._search(lucene, limit),
        )
        if body is None:
            return []
        return [recording_to_candidate(r) for r in body.get("recording-list") or []]

    def lookup(self, source_id: str) -> Candidate | None:
        recording = self.recording(source_id)
        return recording_to_candidate(recording) if recording else None

    # --- more than the interface: ISRCs and works -------------------------------------

    def recording(self, mbid: str) -> dict[str, Any] | None:
        """The recording with artists, releases, ISRCs and work relationships; None if unknown.

        Offline with nothing cached raises SourceSkipped: that is "cannot say", not "no such recording".
        """
        mbid = ids.normalize_mbid(mbid)
        body = self.cached(
            ("recording", mbid, "inc=" + "+".join(LOOKUP_INCLUDES)),
            lambda: self._lookup("recording", mbid, LOOKUP_INCLUDES),
        )
        if body is None:
            # Offline and never fetched: unknown, not "no such recording".
            raise SourceSkipped(self.name, self.offline or "offline")
        if body.get("not_found"):
            return None
        return body.get("recording")  # type: ignore[no-any-return]

    def isrcs(self, mbid: str) -> list[str]:
        recording = self.recording(mbid)
        return all_isrcs(recording) if recording else []

    def works(self, mbid: str) -> list[Work]:
        """The works a recording performs, each with composers, lyricists and publishers."""
        recording = self.recording(mbid)
        if not recording:
            return []
        works = []
        for rel in recording.get("work-relation-list") or []:
            work = rel.get("work") or {}
            work_id = work.get("id") or rel.get("target")
            if not work_id:
                continue
            body = self.cached(
                ("work", work_id, "inc=" + "+".join(WORK_INCLUDES)),
                lambda work_id=work_id: self._lookup("work", work_id, WORK_INCLUDES),
            )
            if body is None:
                raise SourceSkipped(self.name, self.offline or "offline")
            if body.get("work"):
                works.append(work_from_message(body["work"]))
            elif work.get("title"):
                works.append(Work(title=work["title"], mbid=work_id))
        return works

    # --- the calls themselves ---------------------------------------------------------

    def _search(self, lucene: str, limit: int) -> dict[str, Any]:
        body = self._call(musicbrainzngs.search_recordings, query=lucene, limit=limit)
        if not isinstance(body, dict) or not isinstance(body.get("recording-list"), list):
            raise self.fail(f"unexpected answer from {self.endpoint.netloc} "
                            "(no recording list: is it a MusicBrainz server?)")
        return body

    def _lookup(self, entity: str, mbid: str, includes: list[str]) -> dict[str, Any]:
        getter = {"recording": musicbrainzngs.get_recording_by_id,
                  "work": musicbrainzngs.get_work_by_id}[entity]
        try:
            body = self._call(getter, mbid, includes=includes)
        except _NotFound:
            return {"not_found": True}
        if not isinstance(body, dict) or not isinstance(body.get(entity), dict):
            raise self.fail(f"unexpected answer from {self.endpoint.netloc} (no {entity} in it)")
        return body

    def _configure(self) -> None:
        musicbrainzngs.set_useragent(APP, __version__, self.config.contact)
        musicbrainzngs.set_hostname(self.endpoint.netloc, use_https=self.endpoint.scheme == "https")
        if self.rate:
            musicbrainzngs.set_rate_limit(1.0 / self.rate, 1)
        else:
            musicbrainzngs.set_rate_limit(False)

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """One request through musicbrainzngs, its failures sorted into retry / skip / fail."""
        where = self.endpoint.netloc
        self._configure()
        try:
            with _socket_timeout(self.config.timeout):
                return fn(*args, **kwargs)
        except musicbrainzngs.ResponseError as exc:
            cause = exc.cause
            if isinstance(cause, urllib.error.HTTPError):
                if cause.code == 404:
                    raise _NotFound() from None
                raise self.fail(f"{where} refused the request (HTTP {cause.code})") from None
            raise self.fail(f"malformed answer from {where} (not valid XML)") from None
        except musicbrainzngs.AuthenticationError:
            raise self.fail(f"{where} asked for a login (HTTP 401)") from None
        except musicbrainzngs.NetworkError as exc:
            raise self._network_error(exc.cause, where) from None
        except ValueError:
            # musicbrainzngs' parser raises a bare ValueError on XML outside the MusicBrainz namespace.
            raise self.fail(f"unexpected answer from {where} (XML, but not MusicBrainz's)") from None

    def _network_error(self, cause: BaseException | None, where: str) -> Exception:
        if isinstance(cause, urllib.error.HTTPError):
            retry_after = retry_after_seconds(cause.headers.get("Retry-After") if cause.headers else None)
            if cause.code in _RETRY_STATUSES or cause.code >= 500:
                what = "rate limited" if cause.code in (429, 503) and retry_after else "server error"
                return Transient(f"{what} (HTTP {cause.code} from {where})", retry_after)
            return self.fail(f"{where} answered HTTP {cause.code}")
        if isinstance(cause, urllib.error.URLError):
            reason = cause.reason
            if isinstance(reason, TimeoutError):
                return Unreachable(f"no answer from {where} within {self.config.timeout:g} s")
            if isinstance(reason, socket.gaierror):
                return Unreachable(f"cannot resolve {self.endpoint.host} (no network?)")
            text = getattr(reason, "strerror", None) or str(reason)
            return Unreachable(f"cannot reach {where} ({str(text).lower()})")
        if isinstance(cause, TimeoutError):
            return Transient(f"no answer from {where} within {self.config.timeout:g} s")
        if isinstance(cause, HTTPException):
            return Transient(f"cut-off or garbled answer from {where}")
        if cause is None:
            return Transient(f"connection to {where} was reset")
        return Transient(f"connection to {where} failed ({type(cause).__name__})")
