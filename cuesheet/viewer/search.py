"""The questions: "what song is this?" in one episode, and search across episodes.

Both read a viewer's words through `viewer.query.understand` (filler, episode
references, position words, stems and numbers), rank with `viewer.ranking`,
and keep to what the viewer has watched (`viewer.spoilers`).
"""

from __future__ import annotations

from cuesheet.notation.echo import echo

import re
import sqlite3
from dataclasses import dataclass, field, replace
from typing import Any

from cuesheet.errors import CuesheetError, NotFound
from cuesheet.notation.normalize import fold
from cuesheet.viewer.answers import Answer, answers
from cuesheet.notation.episodes import episode_code
from cuesheet.viewer.query import FILLER, Query, spellings, understand
from cuesheet.viewer.query import key, number_value
from cuesheet.viewer.query import words as query_words
from cuesheet.viewer.ranking import CueText, Hit, rank, threshold
from cuesheet.viewer.resolve import EpisodeRef, ShowRef, find_episode, find_show_season, take_episode, take_show
from cuesheet.viewer.spoilers import Watched, later_than, watched_limits
from cuesheet.notation.plural import plural

# How many of the nearest cues to give when no cue spans the time asked for.
NEAREST = 3

class NoMatch(NotFound):
    """The question was understood but no cue fits it (or only a later episode's would)."""


class NoTimes(NotFound):
    """`--at` on an episode whose cues have no times yet: a fact about the sheet, so the
    web answers with the whole sheet and this message, not a "not found" page."""


# --- what ----------------------------------------------------------------------------


@dataclass(frozen=True)
class WhatResult:
    episode: EpisodeRef
    mode: str  # "sheet", "words", "time", or "elsewhere" (the words fit another episode, said in notes)
    answers: list[Answer]
    # Question words no answer matched ("car" when no scene has a car).
    unmatched: tuple[str, ...] = ()
    # What else a viewer must be told ("nothing known says which cue closes S01E01; ...").
    notes: list[str] = field(default_factory=list)


def what(
    conn: sqlite3.Connection,
    show_text: str,
    episode_text: str,
    words: str | None = None,
    at: str | None = None,
    *,
    upto: str | None = None,
    min_score: float = 0.35,
) -> WhatResult:
    """"What song is this?" for one episode: by scene words, by time, or the whole sheet.

    Resolves the show and episode text (and `upto`) once, then asks `what_in`.
    """
    named = find_show_season(conn, show_text)
    episode = find_episode(conn, named.show, episode_text, named.season)
    watched = watched_limits(conn, [named.show], upto).get(named.show.name) if upto else None
    return what_in(conn, episode, words, at, watched=watched, min_score=min_score)


def what_args(
    conn: sqlite3.Connection,
    args: list[str],
    at: str | None = None,
    *,
    upto: str | None = None,
    min_score: float = 0.35,
) -> WhatResult:
    """`what` from a command line's words: the show may take several unquoted words
    (`drag race uk series 2`), and so may the episode (`season 5 episode 3`)."""
    named, rest = take_show(conn, args)
    if not rest:
        raise NotFound(f"which episode of {named.show.name}?", remedy="give an episode: 3, S01E03, finale or title words")
    episode_text, words = take_episode(rest)
    episode = find_episode(conn, named.show, episode_text, named.season)
    watched = watched_limits(conn, [named.show], upto).get(named.show.name) if upto else None
    return what_in(conn, episode, " ".join(words) or None, at, watched=watched, min_score=min_score)


def what_in(
    conn: sqlite3.Connection,
    episode: EpisodeRef,
    words: str | None = None,
    at: str | None = None,
    *,
    watched: Watched | None = None,
    min_score: float = 0.35,
) -> WhatResult:
    """`what` for an episode already resolved (the web page holds the record, not text)."""
    show = episode.show
    if watched is not None and later_than(episode.season, episode.number, watched):
        raise NoMatch(
            # Not its code or title: "finale" asked about must not come back as "S01E10".
            f"that episode is after {watched.code}, the episode you have watched up to; later episodes have more",
            remedy="ask about an earlier episode, or drop --upto",
        )
    cue_ids = [r[0] for r in conn.execute("SELECT id FROM cues WHERE episode_id = ? ORDER BY number", [episode.id])]
    if not cue_ids:
        raise NotFound(
            f"no cues known yet for {show.name} {episode.code} \"{episode.title}\"",
            remedy="curators can add them with `cuesheet cue add`",
        )
    all_answers = answers(conn, cue_ids)
    if at is not None:
        from cuesheet.notation.timecode import parse_time  # only for --at: see answers._time

        return WhatResult(episode, "time", _at_time(all_answers, parse_time(at), episode))
    if words and words.strip():
        query = understand(words)
        nothing = NoMatch(
            f"no cue in {episode.code} \"{episode.title}\" fits {echo(words)}",
            remedy=f"`cuesheet what {show.slug} {episode.code}` lists {_all_cues(len(all_answers))}",
        )
        if not _asks_something(query):
            raise nothing
        places = _places(conn, [episode.id], query.position)
        ranked = rank(query, [_cue_text(a, places.get(a.cue_id)) for a in all_answers])
        out = _take(ranked, {a.cue_id: a for a in all_answers}, min_score, len(all_answers))
        guessed = query.position is not None and episode.id in places.unknown
        if query.words and (not out or all(a.label for a in out)):
            # No dead end: "not in S01E02; S01E03 cue 2 fits" (a watched episode, never a later one).
            other = _elsewhere_in_show(conn, episode, query, watched, min_score)
            if other is not None:
                return other
        if not out:
            if guessed:
                assert query.position is not None
                raise NoMatch(position_note(query.position, [episode.code], answered=False),
                              remedy=nothing.remedy)
            raise nothing
        notes = [position_note(query.position, [episode.code], answered=True)] if guessed and query.position else []
        return WhatResult(episode, "words", out, _unmatched(ranked, out), notes)
    return WhatResult(episode, "sheet", all_answers)


def _elsewhere_in_show(conn: sqlite3.Connection, episode: EpisodeRef, query: Query, watched: Watched | None,
                       min_score: float) -> WhatResult | None:
    """The show's other (watched) episodes asked the same words, when the one named has no good fit."""
    limits = {episode.show.name: watched} if watched is not None else {}
    others = [r[0] for r in conn.execute("SELECT id FROM episodes WHERE show_id = ? AND id != ?",
                                         [episode.show.id, episode.id])]
    if not others:
        return None
    found = SearchResult(replace(query, episode=None, position=None, position_words=()), [])
    _answer(conn, found, [episode.show.id], others, 5, min_score, limits)
    if not found.answers or found.weak:
        return None
    note = _elsewhere_note([episode.code], found.answers)
    return WhatResult(episode, "elsewhere", found.answers, found.unmatched, [note])


def _all_cues(n: int) -> str:
    """"its one cue", "all 5 cues"."""
    return "its one cue" if n == 1 else f"all {n} cues"


def _asks_something(query: Query) -> bool:
    """False when the question is filler only ("the song that plays"): no list of ties for it."""
    return bool(query.words or query.position or query.episode or len(query.phrase.split()) >= 3)


def _fits(ranked: list[Hit], min_score: float) -> list[Hit]:
    """The hits with enough evidence (`ranking.threshold`), best first."""
    cut = threshold(ranked, min_score)
    return [h for h in ranked if h.evidence >= cut and h.evidence > 0]


def _take(ranked: list[Hit], by_id: dict[int, Answer], min_score: float, limit: int) -> list[Answer]:
    out = []
    for hit in _fits(ranked, min_score)[:limit]:
        a = by_id[hit.key]  # type: ignore[index]
        a.score = round(hit.score, 3)
        a.reasons = list(hit.reasons)
        a.unmatched = list(hit.unmatched)
        a.label = hit.label
        out.append(a)
    return out


def _unmatched(ranked: list[Hit], shown: list[Answer]) -> tuple[str, ...]:
    """Words that matched nothing in any answer shown."""
    if not shown:
        return ()
    missing = set(shown[0].unmatched)
    for a in shown[1:]:
        missing &= set(a.unmatched)
    return tuple(w for w in shown[0].unmatched if w in missing)


def _at_time(all_answers: list[Answer], t: int, episode: EpisodeRef) -> list[Answer]:
    from cuesheet.notation.timecode import format_time

    timed = [a for a in all_answers if a.time_in_ms is not None]
    if not timed:
        raise NoTimes(
            f"no cue in {episode.code} \"{episode.title}\" has a time yet",
            remedy="ask by scene words instead, or list the episode's cues without --at",
        )
    scored = []
    for a in timed:
        end = a.time_out_ms if a.time_out_ms is not None else a.time_in_ms
        if a.time_in_ms <= t <= end:  # type: ignore[operator]
            distance = 0
        else:
            distance = min(abs(t - a.time_in_ms), abs(t - end))  # type: ignore[operator]
        scored.append((distance, a.time_in_ms, a))
    scored.sort(key=lambda x: (x[0], x[1]))
    playing = [a for d, _, a in scored if d == 0]
    chosen = playing or [a for _, _, a in scored[:NEAREST]]
    for a in chosen:
        d = next(d for d, _, b in scored if b is a)
        a.distance_ms = d
        a.distance = format_time(d)
        a.score = 1.0 if d == 0 else round(1 / (1 + d / 60_000), 3)
    return chosen


# --- search --------------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogHint:
    """No cue uses the song, but the local catalog knows it: said apart from cue answers."""

    title: str
    artist: str
    links: dict[str, str]

    def to_json(self) -> dict[str, Any]:
        return {"title": self.title, "artist": self.artist, "links": self.links}


@dataclass
class SearchResult:
    """Cue answers best first, and what a viewer should be told beside them."""

    query: Query
    answers: list[Answer]
    unmatched: tuple[str, ...] = ()
    # Answers exist in episodes after the viewer's --upto: said, never shown or counted.
    later: bool = False
    # The last watched episode as said back ("S01E04"), when --upto was given.
    upto: str | None = None
    # The question was filler only ("the song that plays").
    only_filler: bool = False
    # An episode the words named that the show does not have ("episode 40").
    no_episode: str | None = None
    catalog: CatalogHint | None = None
    # "nothing known says which cue closes S01E01; ranked by the source's song list order only".
    position_notes: list[str] = field(default_factory=list)
    # How many cues fit in all (more than `answers` when the list was cut at the limit).
    total: int = 0
    # "not in S01E02; S01E03 cue 2 fits": the episode named had no fit, these answers are elsewhere.
    elsewhere: str | None = None
    # When nothing fits: what is known instead (incomplete episodes, artists not yet placed),
    # and the (show, season, number) of the episodes whose notes name the words.
    known: list[str] = field(default_factory=list)
    known_episodes: list[tuple[str, int, int]] = field(default_factory=list)
    # The shows searched, and the viewer's watched limits: for the web's links onward.
    shows: list[ShowRef] = field(default_factory=list)
    limits: dict[str, Watched] = field(default_factory=dict)

    @property
    def more(self) -> int:
        """How many fitting cues the limit left out."""
        return max(0, self.total - len(self.answers))

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.answers)

    def __len__(self) -> int:
        return len(self.answers)

    def __getitem__(self, i: int) -> Answer:
        return self.answers[i]

    @property
    def weak(self) -> bool:
        """Every answer is a guess: few words fit it, or only by a close spelling (`Hit.label`)."""
        return bool(self.answers) and all(a.label for a in self.answers)

    def lead(self) -> str | None:
        """What is said before the answers: where they are when not in the episode named
        ("not in S01E02; S01E03 cue 2 fits"), then what did not match (`word_lead`)."""
        parts = [p for p in (self.elsewhere if self.answers else None, self.word_lead()) if p]
        return "; ".join(parts) or None

    def word_lead(self) -> str | None:
        """Said before the answers when a word of the question matched none of them:
        "nothing matched 'car'; these 9 cues match only 'sam' (tied at 0.85): weak guesses", or,
        when the other words answer well, "nothing matched 'job'; answered by 'sam', 'fired'"."""
        if not self.answers:
            return None
        if self.unmatched:
            missing = ", ".join(echo(w) for w in self.unmatched)
            matched = [w for w in self.query.words if w not in self.answers[0].unmatched]
            said = ", ".join(echo(w) for w in matched)
            if not self.weak:
                return f"nothing matched {missing}; answered by {said}" if matched else f"nothing matched {missing}"
            n = len(self.answers)
            these = "this cue matches" if n == 1 else f"these {plural(n, 'cue')} match"
            if not matched and (self.query.episode is not None or self.query.season is not None):
                cues_ = "this cue is" if n == 1 else f"these {plural(n, 'cue')} are"
                return f"nothing matched {missing}; {cues_} from the episode named, not the words: weak guesses"
            only = f" only {said}" if matched else " other words"
            scores = {a.score for a in self.answers}
            tied = f" (tied at {self.answers[0].score:.2f})" if n > 1 and len(scores) == 1 else ""
            return f"nothing matched {missing}; {these}{only}{tied}: weak guesses"
        if all(a.label == "close spelling only" for a in self.answers):
            return "no word is in these answers as written: close spellings only, so they may be wrong"
        return None

    def nothing_watched(self) -> str:
        """No watched episode answers, a later one would: said without a word of what is to come."""
        upto = f" up to {self.upto}" if self.upto else ""
        return f"nothing{upto} matches {echo(self.query.text)}; later episodes have more"

    def notes(self) -> list[str]:
        """The lines a person is told beside (or instead of) the answers, CLI and web alike."""
        out = []
        if self.only_filler and self.query.all_words:
            out.append(f"nothing matches {echo(self.query.text)}: those are all common words; "
                       "add a title, an artist, a character or what happens in the scene")
        elif self.no_episode:
            out.append(f"no {self.no_episode} in the database")
        elif not self.answers and self.later:
            # Only that: a title, an episode or "try other words" would tell what is to come.
            return [self.nothing_watched()]
        elif not self.answers and not self.position_notes:
            out.append(f"nothing matches {echo(self.query.text)}" + ("" if self.known else "; try fewer or other words"))
        if self.lead():
            out.append(self.lead())  # type: ignore[arg-type]
        out += self.position_notes
        out += self.known
        if self.later:
            out.append("later episodes have more")
        return out


def search(
    conn: sqlite3.Connection,
    words: str,
    show_text: str | None = None,
    *,
    limit: int = 10,
    min_score: float = 0.4,
    upto: str | None = None,
    catalog: bool = True,
) -> SearchResult:
    """Across all episodes: songs, artists, performers, scenes, heard lyrics, episode and place words.

    A show the words name ("soundtrack sam fired", "rpdr season 5 britney") narrows the search
    when no `show_text` is given. An episode the words name that no cue of fits is not a dead
    end: the other episodes are asked, and the answer says where it fits instead.
    """
    if not words or not words.strip():
        raise CuesheetError("nothing to search for", remedy="give some words, e.g. `cuesheet search elastic heart`")
    named = find_show_season(conn, show_text) if show_text else None  # "all stars 7": the season too
    all_shows = [named.show] if named else _all_shows(conn)
    shows, rest = (all_shows, words) if show_text else _shows_named(conn, all_shows, words)
    query = replace(understand(rest), text=words)
    if named is not None and named.season is not None and query.season is None:
        query = replace(query, season=named.season)
    result = SearchResult(query, [])
    limits = watched_limits(conn, shows, upto) if upto else {}
    if limits:
        codes = {w.code for w in limits.values()}
        result.upto = codes.pop() if len(codes) == 1 else upto  # per show when shows number apart
    result.shows = shows
    result.limits = limits
    episode_ids: list[int] | None = None
    if query.episode is not None or query.season is not None:
        episode_ids = _named_episodes(conn, shows, query)
        if not episode_ids:
            result.no_episode = (query.episode.describe() if query.episode is not None
                                 else f"season {query.season}")
            return result
    narrowed = show_text is not None or len(shows) < len(all_shows)
    show_ids = [s.id for s in shows] if narrowed else None
    _answer(conn, result, show_ids, episode_ids, limit, min_score, limits)
    if (not result.answers or result.weak) and episode_ids is not None and query.words and not result.later:
        # "dante wakes up in episode 2": not there; say where it fits (watched episodes only).
        asked = sorted(set(_codes(conn, episode_ids, limits)))
        if len(asked) > 3 or not asked:
            asked = [query.episode.describe() if query.episode is not None else f"season {query.season}"]
        _instead(conn, result, show_ids, limits, asked, limit, min_score)
    if not result.answers and narrowed and not show_text and not result.later and query.words:
        # "madonna uk": the show named has none; another show may ("not in RuPaul's Drag Race UK").
        everywhere = watched_limits(conn, all_shows, upto) if upto else {}
        if _instead(conn, result, None, everywhere, [", ".join(s.name for s in shows)], limit, min_score):
            result.shows = all_shows
    if not (query.words or query.episode or query.position or query.season) and not result.answers:
        result.only_filler = True  # common words that are not a title either
    elif not result.answers and not result.later and catalog:
        result.catalog = _catalog_hint(conn, query)
    if (not result.answers or result.weak) and not (result.only_filler or result.later or result.catalog):
        result.known, result.known_episodes = known_gaps(conn, shows, query, limits)
    return result


def _answer(conn: sqlite3.Connection, result: SearchResult, show_ids: list[int] | None,
            episode_ids: list[int] | None, limit: int, min_score: float, limits: dict[str, Watched]) -> None:
    """Fill `result` with the cues of these shows and episodes that fit its question."""
    query = result.query
    if query.words:
        recall = " ".join(w for q in query.words for w in spellings(q))
        if len(query.phrase.split()) >= 3:  # a title made of common words: "when i was your man"
            recall += " " + query.phrase
        candidates = _fts_candidates(conn, recall, show_ids, episode_ids)
        candidates += [c for c in _kind_candidates(conn, query, show_ids, episode_ids) if c not in candidates]
        if episode_ids is not None and len(episode_ids) <= NAMED_EPISODES:
            # The episodes named answer even when no word is in their cues' text (a show's
            # name, "espana"): the ranker weighs them.
            seen = set(candidates)
            candidates += [c for c in _episode_cues(conn, show_ids, episode_ids) if c not in seen]
    elif query.episode or query.position or query.season:  # "last song in the finale", "cold open"
        candidates = _episode_cues(conn, show_ids, episode_ids)
    else:
        candidates = _fts_candidates(conn, query.phrase, show_ids, episode_ids)
    if not candidates:
        if not _asks_something(query):
            result.only_filler = True
        return
    all_answers = answers(conn, candidates)
    visible = [a for a in all_answers if not _hidden(a, limits)]
    hidden = [a for a in all_answers if _hidden(a, limits)]
    # Ties in broadcast order: the ranker keeps the order it is given.
    visible.sort(key=lambda a: (a.show, a.season, a.episode, a.cue))
    episode_of = _episode_ids_of(conn, candidates)
    places = _places(conn, sorted(set(episode_of.values())), query.position)
    shows = _show_words(conn)
    ranked = rank(query, [_cue_text(a, places.get(a.cue_id), shows.get(a.show, "")) for a in visible])
    result.answers = _take(ranked, {a.cue_id: a for a in visible}, min_score, limit)
    result.total = len(_fits(ranked, min_score))
    result.unmatched = _unmatched(ranked, result.answers)
    if query.position and places.unknown:
        # Said for the episodes answered from (or, with no answer, asked about): never a later one.
        pool = result.answers or (visible if query.episode is not None else [])
        codes = list(dict.fromkeys(a.code for a in pool if episode_of.get(a.cue_id) in places.unknown))
        if codes:
            result.position_notes.append(position_note(query.position, codes, answered=bool(result.answers)))
    if hidden:
        later_hits = rank(query, [_cue_text(a, places.get(a.cue_id), shows.get(a.show, "")) for a in hidden])
        result.later = bool(_fits(later_hits, min_score))


def _instead(conn: sqlite3.Connection, result: SearchResult, show_ids: list[int] | None,
             limits: dict[str, Watched], asked: list[str], limit: int, min_score: float) -> bool:
    """Ask the same words without the episode (or show) named; when they fit well there, the
    answers replace the weak ones, said as "not in S01E02; S01E03 cue 2 fits"."""
    found = SearchResult(result.query, [])
    _answer(conn, found, show_ids, None, limit, min_score, limits)
    if not found.answers or found.weak:
        return False
    result.answers, result.total, result.unmatched = found.answers, found.total, found.unmatched
    result.elsewhere = _elsewhere_note(asked, found.answers)
    return True


def _hidden(a: Answer, limits: dict[str, Watched]) -> bool:
    limit = limits.get(a.show)
    return limit is not None and later_than(a.season, a.episode, limit)


def _all_shows(conn: sqlite3.Connection) -> list[ShowRef]:
    return [
        ShowRef(r[0], r[1], r[2], r[3])
        for r in conn.execute(
            "SELECT s.id, s.slug, s.name, (SELECT count(DISTINCT season) FROM episodes e WHERE e.show_id = s.id)"
            " FROM shows s ORDER BY s.name"
        )
    ]


# --- when nothing fits: what is known instead ------------------------------------------

# "ep 4", "ep 5 or 9", "episode 3", "eps 4-5": episode numbers a note names.
_NOTE_EPISODES = re.compile(r"\b(?:ep|eps|episode|episodes)\.?\s*([0-9]+(?:\s*(?:or|and|,|-|–)\s*[0-9]+)*)")


def known_gaps(conn: sqlite3.Connection, shows: list[ShowRef], query: Query,
               limits: dict[str, Watched]) -> tuple[list[str], list[tuple[str, int, int]]]:
    """What a viewer is told when no cue fits: the curators' notes that name the words (an
    artist the sources credit but no cue places yet), and which episodes may still miss songs.

    Under the spoiler guard a note naming a later episode, and a later episode itself, are
    left out: nothing here may tell what is to come. Also returns the (show, season, number) of
    the episodes whose notes name the words, for links onward.
    """
    terms = [w for w in query.words if not w.isdigit()]
    out: list[str] = []
    named: list[tuple[str, int, int]] = []
    for show in shows:
        limit = limits.get(show.name)
        notes = [("", n) for (n,) in conn.execute("SELECT coalesce(notes, '') FROM shows WHERE id = ?", [show.id])]
        rows = conn.execute("SELECT season, number, complete, coalesce(notes, '') FROM episodes"
                            " WHERE show_id = ? ORDER BY season, number", [show.id]).fetchall()
        seen = [r for r in rows if limit is None or not later_than(r[0], r[1], limit)]
        notes += [(episode_code(r[0], r[1]) + ": ", r[3]) for r in seen]
        places = {episode_code(r[0], r[1]) + ": ": (show.name, r[0], r[1]) for r in seen}
        said: list[str] = []
        for where, text in notes:
            for clause in _clauses_naming(text, terms):
                if limit is not None and _names_later(clause, limit):
                    continue
                if where + clause not in said:
                    said.append(where + clause)
                if where and places[where] not in named:
                    named.append(places[where])
        if said:
            out.append(f"{show.name}'s source notes name it, but no cue places it yet: " + " · ".join(said[:3]))
        open_ = [episode_code(r[0], r[1]) for r in seen if not r[2]]
        if open_ and (said or len(shows) == 1):
            listed = ", ".join(open_) if len(open_) <= 2 else f"{open_[0]} to {open_[-1]}"
            if len(open_) < len(seen) and len(open_) > 2:
                listed = f"{len(open_)} episodes of {open_[0]} to {open_[-1]}"
            out.append(("" if len(shows) == 1 else f"{show.name} ") + f"{listed} may still miss songs")
    return out, named


def _names_later(clause: str, limit: Watched) -> bool:
    """Whether a note may name an episode after the one watched ("ep 5 or 9", "this episode or 5"
    when up to 3): any small number past it counts, to be safe."""
    return any(limit.number < int(n) < 1000 for n in re.findall(r"[0-9]+", clause))


def _clauses_naming(text: str, terms: list[str]) -> list[str]:
    """The parts of a note that hold all these words (as words, by stem): an item of a list
    ("Artists ... not yet placed: A (ep 5), B (ep 4), C.") is said with the list's lead-in."""
    if not terms or not text:
        return []
    out = []
    for sentence in _sentences(" ".join(text.split())):
        head, colon, items = sentence.partition(": ")
        parts = _top_level_commas(items) if colon else []
        if len(parts) < 3:
            head, parts = "", [sentence]
        for part in parts:
            have = {key(w) for w in query_words(part)}
            if all(key(t) in have for t in terms):
                part = part.strip().rstrip(".;")
                out.append(f"{head}: … {part} …" if head else part)
    return out


def _sentences(text: str) -> list[str]:
    """Sentences and `;` clauses outside brackets; "St. Vincent" is not a sentence end."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if depth or ch not in ".;" or i + 1 >= len(text) or text[i + 1] != " ":
            continue
        word = text[start:i].rsplit(" ", 1)[-1]
        if ch == "." and len(word) <= 2 and word[:1].isupper():  # "St.", "Mr.", "J."
            continue
        out.append(text[start : i + 1].strip())
        start = i + 1
    return [*out, text[start:].strip()]


def _top_level_commas(text: str) -> list[str]:
    """"A (x, y), B" -> ["A (x, y)", "B"]: commas outside brackets."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        depth += (ch == "(") - (ch == ")")
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    return [*parts, cur]


def _codes(conn: sqlite3.Connection, episode_ids: list[int], limits: dict[str, Watched]) -> list[str]:
    """The codes of the episodes asked about (watched ones only: a later one is never named)."""
    marks = ",".join("?" * len(episode_ids))
    out = []
    for show, season, number in conn.execute(
        f"SELECT s.name, e.season, e.number FROM episodes e JOIN shows s ON s.id = e.show_id"
        f" WHERE e.id IN ({marks})", episode_ids):
        limit = limits.get(show)
        if limit is None or not later_than(season, number, limit):
            out.append(episode_code(season, number))
    return out


def _elsewhere_note(asked: list[str], found: list[Answer]) -> str:
    """"not in S01E02; S01E03 cue 2 fits" (or "S01E03 cue 2 and 2 more fit"); the show is named
    when the answers span several."""
    where = ", ".join(asked) if asked and len(asked) <= 3 else "the episode named"
    show = f"{found[0].show} " if len({a.show for a in found}) > 1 else ""
    first = f"{show}{found[0].code} cue {found[0].cue}"
    more = len(found) - 1
    return f"not in {where}; {first} fits" if not more else f"not in {where}; {first} and {more} more fit"


def _shows_named(conn: sqlite3.Connection, shows: list[ShowRef], text: str) -> tuple[list[ShowRef], str]:
    """The shows a question names by name, slug or alias ("soundtrack sam fired"), and the
    question without those words; all shows and the text as it is when it names none, or when
    the name is all it says. A number right after the name is its season ("all stars 7")."""
    said = query_words(text)
    if len(said) < 2:
        return shows, text
    names: list[tuple[list[str], ShowRef]] = []
    by_id = {s.id: s for s in shows}
    for s in shows:
        names += [(query_words(s.name), s), (query_words(s.slug.replace("-", " ")), s)]
    for show_id, alias in conn.execute("SELECT show_id, alias FROM show_aliases"):
        if show_id in by_id:
            names.append((query_words(alias), by_id[show_id]))
    best_len, found, span = 0, [], (0, 0)
    for name, show in names:
        n = len(name)
        if not n or n >= len(said) or all(w in FILLER for w in name):
            continue
        for i in range(len(said) - n + 1):
            if said[i : i + n] == name:
                if n > best_len:
                    best_len, found, span = n, [show], (i, i + n)
                elif n == best_len and show not in found:
                    found.append(show)
                break
    if not found:
        return shows, text
    i, j = span
    rest = said[:i] + said[j:]
    if j < len(said) and number_value(said[j]) and max(s.seasons for s in found) > 1:
        rest = said[:i] + ["season", said[j]] + said[j + 1:]  # "all stars 7", "all stars seven": season 7
    return sorted(found, key=lambda s: s.name), " ".join(rest)


def _named_episodes(conn: sqlite3.Connection, shows: list[ShowRef], query: Query) -> list[int]:
    """The episodes an episode (or season) reference inside search words names, in each show searched.

    "pilot" is a show's first episode; "the finale", "the premiere" the last (first) episode of
    each season, or of the season named.
    """
    ref = query.episode
    out: list[int] = []
    for show in shows:
        rows = conn.execute(
            "SELECT id, season, number FROM episodes WHERE show_id = ? ORDER BY season, number", [show.id]
        ).fetchall()
        season = ref.season if ref is not None and ref.season is not None else query.season
        if season is not None:
            rows = [r for r in rows if r[1] == season]
        if not rows:
            continue
        if ref is None:
            out += [r[0] for r in rows]
        elif ref.which and "pilot" in ref.said:
            out.append(rows[0][0])
        elif ref.which:
            seasons: dict[int, list[int]] = {}
            for r in rows:
                seasons.setdefault(r[1], []).append(r[0])
            out += [ids[0] if ref.which == "first" else ids[-1] for ids in seasons.values()]
        else:
            out += [r[0] for r in rows if r[2] == ref.number]
    return out


def _episode_cues(conn: sqlite3.Connection, show_ids: list[int] | None, episode_ids: list[int] | None) -> list[int]:
    where, params = _narrow(show_ids, episode_ids)
    sql = "SELECT c.id FROM cues c JOIN episodes e ON e.id = c.episode_id WHERE 1" + where
    return [r[0] for r in conn.execute(sql + " ORDER BY e.season, e.number, c.number", params)]


def _kind_candidates(conn: sqlite3.Connection, query: Query, show_ids: list[int] | None,
                     episode_ids: list[int] | None) -> list[int]:
    """Cues whose kind a word names ("original" for cast-original, "mashup"): the word index
    holds no kinds, so they are found here."""
    kinds = [k for (k,) in conn.execute("SELECT DISTINCT kind FROM cues WHERE kind IS NOT NULL")]
    wanted = [k for k in kinds if any(key(w) in {key(p) for p in query_words(k)} for w in query.words)]
    if not wanted:
        return []
    where, params = _narrow(show_ids, episode_ids)
    sql = (f"SELECT c.id FROM cues c JOIN episodes e ON e.id = c.episode_id WHERE c.kind IN"
           f" ({','.join('?' * len(wanted))})" + where + " ORDER BY e.season, e.number, c.number LIMIT ?")
    return [r[0] for r in conn.execute(sql, [*wanted, *params, FTS_CANDIDATES])]


def _narrow(show_ids: list[int] | None, episode_ids: list[int] | None) -> tuple[str, list[Any]]:
    """` AND ...` limiting a query over `c` (cues) and `e` (episodes) to these shows and episodes."""
    sql, params = "", []
    if show_ids is not None:
        sql += f" AND e.show_id IN ({','.join('?' * len(show_ids))})"
        params += show_ids
    if episode_ids is not None:
        sql += f" AND e.id IN ({','.join('?' * len(episode_ids))})"
        params += episode_ids
    return sql, params


def _episode_ids_of(conn: sqlite3.Connection, cue_ids: list[int]) -> dict[int, int]:
    """Each cue's episode id."""
    marks = ",".join("?" * len(cue_ids))
    return {r[0]: r[1] for r in conn.execute(f"SELECT id, episode_id FROM cues WHERE id IN ({marks})", cue_ids)}


# Scene notes that say where a cue plays, whatever its number: "Cold open: ...",
# "The episode's first number", "The episode closes with ...". A cue whose scene says
# it opens the episode is never its last song, and the other way round.
_OPENING_SCENE = ("cold open", "the episode opens", "opens the episode", "opening scene", "first number",
                  "opening number", "the episode begins", "begins the episode")
_CLOSING_SCENE = ("the episode closes", "closes the episode", "closes with", "the episode ends",
                  "ends the episode", "ends with", "final scene", "closing scene", "closing number",
                  "final number", "last number", "last scene")


@dataclass(frozen=True)
class Place:
    """Where a cue stands from the start (or end) of its episode, and how we know."""

    index: int  # 0 = the first (last) cue
    known: bool  # False: only the source's song list order says so
    why: str


@dataclass(frozen=True)
class Places:
    """Each cue's `Place` for a position question; None for a cue known not to be there.

    `unknown` holds the episodes where nothing known (scene words, a time, a
    confirmed order with no later cue) puts a cue at that position.
    """

    by_cue: dict[int, Place | None]
    unknown: frozenset[int] = frozenset()

    def get(self, cue_id: int) -> Place | None:
        return self.by_cue.get(cue_id)


def _marked(scene: str, markers: tuple[str, ...]) -> bool:
    text = fold(scene)
    return any(m in text for m in markers)


def place_cues(cues: list[tuple[int, int, bool, int | None, str]], position: str) -> tuple[dict[int, Place | None], bool]:
    """One episode's cues `(id, number, order_confirmed, time_in_ms, scene)` placed for a
    position question ("start" or "end"); and whether a cue's place there is known.

    A cue is first (last) only when we know it: its scene says so, or its time is
    the earliest (latest) known, or its order is confirmed and no cue comes before
    (after) it. A scene that says the opposite ("cold open" for "last") rules a
    cue out. The rest follow the source's song list order, a weaker hint said as such.
    """
    end = position == "end"
    opening = {c[0] for c in cues if _marked(c[4], _OPENING_SCENE)}
    closing = {c[0] for c in cues if _marked(c[4], _CLOSING_SCENE)} - opening
    mine, never = (closing, opening) if end else (opening, closing)
    label, side = ("closing", "last") if end else ("opening", "first")
    by_list = sorted(cues, key=lambda c: c[1], reverse=end)
    known: tuple[int, str] | None = None
    marked = [c for c in by_list if c[0] in mine]
    timed = sorted((c for c in cues if c[3] is not None and c[0] not in never), key=lambda c: c[3], reverse=end)
    if marked:
        known = (marked[0][0], f"{label} cue of the episode (its scene says so)")
    elif timed:
        known = (timed[0][0], f"{label} cue of the episode (its time is the {'latest' if end else 'earliest'} known)")
    elif by_list and by_list[0][2] and by_list[0][0] not in never:
        known = (by_list[0][0], f"{label} cue of the episode (confirmed order, no cue {'after' if end else 'before'} it)")
    out: dict[int, Place | None] = {c[0]: None for c in cues}
    rest = [c for c in by_list if c[0] not in never and (known is None or c[0] != known[0])
            # A confirmed cue that is not the extreme one is known not to be there.
            and not c[2]]
    if known is not None:
        out[known[0]] = Place(0, True, known[1])
    first = 1 if known is not None else 0
    for i, c in enumerate(rest):
        out[c[0]] = Place(first + i, False, f"{'late' if end else 'early'} in the source's song list "
                                          f"(only that list's order; not known to be the {side} cue)")
    return out, known is not None


def _places(conn: sqlite3.Connection, episode_ids: list[int], position: str | None) -> Places:
    """Every cue of these episodes placed for a position question (see `place_cues`)."""
    if not episode_ids or position is None:
        return Places({})
    marks = ",".join("?" * len(episode_ids))
    rows = conn.execute(
        f"SELECT id, episode_id, number, order_confirmed, time_in_ms, coalesce(scene, '') FROM cues"
        f" WHERE episode_id IN ({marks})",
        episode_ids,
    ).fetchall()
    by_episode: dict[int, list[tuple[int, int, bool, int | None, str]]] = {}
    for cue_id, episode_id, number, confirmed, time_in, scene in rows:
        by_episode.setdefault(episode_id, []).append((cue_id, number, bool(confirmed), time_in, scene))
    by_cue: dict[int, Place | None] = {}
    unknown: set[int] = set()
    for episode_id, cues in by_episode.items():
        placed, known = place_cues(cues, position)
        by_cue.update(placed)
        if not known:
            unknown.add(episode_id)
    return Places(by_cue, frozenset(unknown))


def position_note(position: str, codes: list[str], *, answered: bool) -> str:
    """What a viewer is told when nothing known puts a cue at the start (end) of these episodes."""
    which = "closes" if position == "end" else "opens"
    where = ", ".join(codes)
    if answered:
        return (f"nothing known says which cue {which} {where}; ranked by the source's song list "
                "order only, which may not be the order of the scenes")
    return f"nothing known says which cue {which} {where}"


# At most this many episodes named ("the finale" of every season of every show) have all their
# cues ranked, beside those the word index finds.
NAMED_EPISODES = 300

# Enough candidates for the re-ranker to find a misspelt answer, few enough to
# score in milliseconds.
FTS_CANDIDATES = 300


def _fts_candidates(
    conn: sqlite3.Connection, words: str, show_ids: list[int] | None, episode_ids: list[int] | None = None
) -> list[int]:
    """Cue ids whose text shares trigrams with the words: typo-tolerant recall via FTS5.

    Each trigram is quoted as an FTS string, so no user text reaches MATCH
    syntax: quotes, `*`, NEAR, `-`, `^` and parentheses are plain characters.
    """
    grams: list[str] = []
    for word in fold(words).split():
        if len(word) < 3:
            continue
        for i in range(len(word) - 2):
            g = word[i : i + 3]
            if g not in grams:
                grams.append(g)
    if not grams:
        return []
    match = " OR ".join('"' + g.replace('"', '""') + '"' for g in grams)
    sql = "SELECT f.rowid FROM cue_fts f"
    params: list[Any] = [match]
    if show_ids is not None or episode_ids is not None:
        sql += " JOIN cues c ON c.id = f.rowid JOIN episodes e ON e.id = c.episode_id"
    where, narrow = _narrow(show_ids, episode_ids)
    sql += " WHERE cue_fts MATCH ?" + where
    params += narrow
    sql += " ORDER BY bm25(cue_fts, 4.0, 3.0, 2.0, 2.0, 1.0) LIMIT ?"
    params.append(FTS_CANDIDATES)
    return [r[0] for r in conn.execute(sql, params)]


def _catalog_hint(conn: sqlite3.Connection, query: Query) -> CatalogHint | None:
    """The local catalog's best match for words no cue fits ("hey there delilah"), if it is close.

    Reads `recordings` directly: a hint, not an identification, so a plain
    title-and-artist fuzzy score over the FTS candidates is enough.
    """
    from rapidfuzz import fuzz

    from cuesheet.notation import ids

    if not query.words:
        return None
    # The index holds `fold`ed titles (number words as digits), so the terms are folded too.
    terms = [w for w in fold(" ".join(query.all_words)).split() if len(w) >= 2]
    if not terms:
        return None
    match = " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
    try:
        rows = conn.execute(
            "SELECT r.title, r.artist, r.spotify_id, r.mbid FROM recording_fts f JOIN recordings r ON r.id = f.rowid"
            " WHERE recording_fts MATCH ? LIMIT 50",
            [match],
        ).fetchall()
    except sqlite3.OperationalError:  # no catalog index in this database
        return None
    phrase = " ".join(query.all_words)
    best, best_row = 0.0, None
    for row in rows:
        s = max(fuzz.token_set_ratio(phrase, fold(row[0])), fuzz.token_set_ratio(phrase, fold(f"{row[0]} {row[1]}")))
        # The whole title must be in the question: one shared word is not the song.
        s = min(s, fuzz.partial_ratio(fold(row[0]), phrase))
        if s > best:
            best, best_row = s, row
    if best_row is None or best < 90:
        return None
    title, artist, spotify_id, mbid = best_row
    return CatalogHint(title, artist, ids.listen_links(title, artist, spotify_id=spotify_id, mbid=mbid))


def _show_words(conn: sqlite3.Connection) -> dict[str, str]:
    """Each show's name with its aliases, by name: the ranker's `show` field."""
    out = {name: name for (name,) in conn.execute("SELECT name FROM shows")}
    for name, alias in conn.execute("SELECT s.name, a.alias FROM show_aliases a JOIN shows s ON s.id = a.show_id"):
        out[name] += " " + alias
    return out


def _cue_text(a: Answer, place: Place | None = None, show: str = "") -> CueText:
    """A cue's words by field, for the ranker: what it says, where it says it."""
    titles, artists, performers, characters, heard = [], [], [], [], []
    for s in a.songs:
        # The curator's raw text ("Elastic Heart - Sia") only when no title is known: else its
        # artist words would read as title words.
        if s.title or s.text:
            titles.append(s.title or s.text)
        if s.artist:
            artists.append(s.artist)
        characters += [p.get("character") or "" for p in s.performers]
        performers += [p.get("actor") or "" for p in s.performers]
        if s.heard:
            heard.append(s.heard)
    for c in a.conflicts:
        for v in c["values"]:
            (artists if c["field"] == "artist" else titles).append(v["value"] or "")
    characters += [p.get("character") or "" for p in a.performers]
    performers += [p.get("actor") or "" for p in a.performers]
    return CueText(
        key=a.cue_id,
        title=" / ".join(titles),
        artist=" / ".join(artists),
        performer=" ".join(performers),
        character=" ".join(characters),
        scene=" ".join([a.scene or "", *heard]),
        kind=a.kind or "",
        episode=a.episode_title,
        show=show or a.show,
        place=place.index if place is not None else None,
        place_known=place.known if place is not None else True,
        place_why=place.why if place is not None else "",
    )
