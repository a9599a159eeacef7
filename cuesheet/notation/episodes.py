"""Episode notations people type (`S01E03`, `1x03`, `Track 3`, title words) and the episode they mean.

Parsing needs no show; resolving picks one of a show's episodes, and when it
cannot, says which episodes came closest so the viewer can pick.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.utils import default_process

from cuesheet.errors import NotFound, ParseError
from cuesheet.notation.echo import echo

MAX_NUMBER = 999

# Title words are scored with rapidfuzz's token_set_ratio (0-100) against each
# title and alias: it gives 100 when the query's words are a subset of the
# title's, so `gigi` finds "Gigi and Jean" and `margot annette` finds "Margot
# and Annette" despite the missing "and". Below MIN_SCORE the best title shares
# little more than a stray letter run with the query.
MIN_SCORE = 70
# The winner must beat the runner-up by this much: `sam` scores 100 for episodes
# 1, 3 and 7, and picking one of them silently would answer the wrong episode.
MIN_GAP = 10
CLOSEST = 3  # choices offered when nothing matches

ACCEPTED = (
    "3, E03, Ep 3, S01E03, 1x03, Season 1 Episode 3, Track 3, a range S01E01-03, or words from the title"
)


@dataclass(frozen=True)
class EpisodeSpec:
    """What someone typed for an episode: numbers (maybe a range) or title words."""

    season: int | None
    episode: int | None
    episode_end: int | None = None
    words: str | None = None


@dataclass(frozen=True)
class EpisodeInfo:
    """One of a show's episodes as resolution needs it (aliases: other known titles)."""

    season: int
    episode: int
    title: str
    aliases: tuple[str, ...] = ()


class EpisodeNotFound(NotFound):
    """No episode fits, or several fit equally; `choices` are the closest, best first."""

    def __init__(
        self, message: str, *, choices: Sequence[EpisodeInfo] = (), remedy: str | None = None
    ) -> None:
        super().__init__(message, remedy=remedy)
        self.choices = list(choices)


def episode_code(season: int, episode: int) -> str:
    return f"S{season:02d}E{episode:02d}"


_F = re.ASCII | re.IGNORECASE  # ASCII: int() would accept other scripts' digits too
_SEP = r"[\s._-]*"
# Optional range end: `-E03`, `-03`, `-S01E03`. Cross-season ranges are refused later.
_RANGE = r"(?:\s*[-\u2013]\s*(?:s([0-9]+)[\s._-]?)?e?([0-9]+))?"
# Each form is matched at the start; text after the number (`Track 3: Sam and Dante`) is ignored.
_SEASON_EPISODE = re.compile(
    rf"s(?:eason)?{_SEP}([0-9]+),?{_SEP}(?:episode|ep|e)\.?{_SEP}([0-9]+){_RANGE}\b", _F
)
_CROSS = re.compile(rf"([0-9]+)x([0-9]+){_RANGE}\b", _F)
_EPISODE = re.compile(rf"(?:episode|ep|e)\.?{_SEP}([0-9]+){_RANGE}\b", _F)
# "Track N" is Soundtrack's episode title prefix; here an episode is expected, so it is one.
_TRACK = re.compile(rf"track{_SEP}#?([0-9]+){_RANGE}\b", _F)
_BARE = re.compile(r"([0-9]+)", _F)
_TRACK_PREFIX = re.compile(r"^\s*track\s*#?[0-9]+\s*[:.\-\u2013]?\s*", _F)


# "all stars 7", "drag race uk series 2", "rpdr season 5", "rpdr s5": a season at the end of a show name.
_SEASON_IN_NAME = re.compile(
    r"^(?P<name>.*?\S)[\s,:-]+(?:(?:season|series|s)[\s._-]*)?(?P<n>[0-9]{1,3})\s*$|"
    r"^(?P<name2>.*?\S)[\s,:-]*\b(?:season|series|s)[\s._-]*(?P<n2>[0-9]{1,3})\s*$", _F)
# An episode argument that starts with its season: "season 5 finale", "series 2 premiere".
_SEASON_FIRST = re.compile(r"^\s*(?:season|series|s)[\s._-]*(?P<n>[0-9]{1,3})[\s,]+(?P<rest>\D.*)$", _F)
# Episode notations that span several words, so a command line may give them unquoted.
EPISODE_WORDS = re.compile(
    r"(?:(?:season|series|s)\s*[0-9]+\s*,?\s*(?:episode|ep|e)\.?\s*[0-9]+"
    r"|(?:episode|ep)\.?\s*[0-9]+"
    r"|(?:(?:season|series)\s*[0-9]+\s+)?(?:the\s+)?(?:season\s+)?(?:finale|premiere|pilot)"
    r"|(?:the\s+)?(?:first|last|final)\s+episode)", _F)


def split_show_season(text: str) -> tuple[str, int | None]:
    """`all stars 7` -> ("all stars", 7); `drag race uk series 2` -> ("drag race uk", 2).

    Fans put the season inside the show's name; the caller decides whether the name
    without it is a show (a show may also end in a number)."""
    m = _SEASON_IN_NAME.match(text.strip())
    if not m:
        return text, None
    name, n = (m.group("name"), m.group("n")) if m.group("name") else (m.group("name2"), m.group("n2"))
    if re.search(r"(?:^|\s)(?:e|ep|episode)$", name, _F):  # "episode 3" is an episode, not a season
        return text, None
    return name.strip(), int(n)


def split_season_first(text: str) -> tuple[int | None, str]:
    """`season 5 finale` -> (5, "finale"); other text -> (None, text)."""
    m = _SEASON_FIRST.match(text)
    if not m or parse_is_episode(m.group("rest")):
        return None, text
    return int(m.group("n")), m.group("rest").strip()


def parse_is_episode(text: str) -> bool:
    """True when the text starts with an episode notation (`e3`, `episode 3`): not title words."""
    return bool(re.match(r"\s*(?:episode|ep|e)\.?\s*[0-9]", text, _F))


def parse_episode(text: str) -> EpisodeSpec:
    """Any notation of formats.md 5.1; other text with letters is kept as title words."""
    s = text.strip()
    if not s:
        raise ParseError("no episode given", remedy="use " + ACCEPTED)
    if m := _SEASON_EPISODE.match(s) or _CROSS.match(s):
        season, first, end_season, end = m.groups()
        return _spec(text, season, first, end_season, end)
    if m := _EPISODE.match(s) or _TRACK.match(s):
        first, end_season, end = m.groups()
        return _spec(text, None, first, end_season, end)
    if _BARE.fullmatch(s):
        return _spec(text, None, s, None, None)
    if any(ch.isalpha() for ch in s):
        return EpisodeSpec(None, None, words=s)
    raise ParseError(f"{echo(text)} is not an episode", remedy="use " + ACCEPTED)


def spec_at(season: int, episode: int) -> EpisodeSpec:
    """The spec of an episode a link names by its numbers: checked as its code would be
    (the same ranges and messages), with nothing to parse."""
    return _spec(episode_code(season, episode), f"{season:02d}", f"{episode:02d}", None, None)


def _spec(text: str, season: str | None, first: str, end_season: str | None, end: str | None) -> EpisodeSpec:
    s = _number(text, season, "season")
    e = _number(text, first, "episode")
    e_end = _number(text, end, "episode")
    if end_season is not None and _number(text, end_season, "season") != s:
        raise ParseError(f"{echo(text)}: a range must stay within one season", remedy="e.g. S01E01-03")
    if e_end is not None and e is not None and e_end < e:
        raise ParseError(f"{echo(text)}: the range ends before it starts", remedy="e.g. S01E01-03")
    return EpisodeSpec(s, e, e_end if e_end != e else None)


def _number(text: str, digits: str | None, what: str) -> int | None:
    if digits is None:
        return None
    value = int(digits) if len(digits) <= 6 else MAX_NUMBER + 1  # int() refuses huge strings
    if not 1 <= value <= MAX_NUMBER:
        raise ParseError(f"{echo(text)}: {what} {digits} is out of range", remedy=f"{what}s run from 1 to {MAX_NUMBER}")
    return value


def resolve_episode(spec: EpisodeSpec, episodes: Sequence[EpisodeInfo], *, show: str = "this show") -> EpisodeInfo:
    """The one episode `spec` means; EpisodeNotFound (with choices) when none or several fit."""
    if spec.episode_end is not None:
        found = resolve_episodes(spec, episodes, show=show)
        if len(found) == 1:  # `S01E09-12` in a ten-episode season
            return found[0]
        raise EpisodeNotFound(
            f"{_describe(spec)} names {len(found)} episodes of {show}: {_list(found)}",
            choices=found,
            remedy="give one episode",
        )
    if spec.words is not None:
        return _by_words(spec.words, episodes, show)
    n = spec.episode
    if n is None:
        raise EpisodeNotFound(f"no episode given for {show}", choices=list(episodes)[:CLOSEST])
    matches = [e for e in episodes if e.episode == n and spec.season in (None, e.season)]
    if len(matches) == 1:
        return matches[0]
    if matches:  # several seasons have this episode number and none was given
        raise EpisodeNotFound(
            f"{_describe(spec)} of {show} is ambiguous: {_list(matches)}",
            choices=matches,
            remedy=f"give the season, e.g. {episode_code(matches[0].season, matches[0].episode)}",
        )
    # Closest: same season first, then by distance in episode number.
    near = sorted(
        episodes, key=lambda e: (spec.season not in (None, e.season), abs(e.episode - n), e.season, e.episode)
    )[:CLOSEST]
    raise _not_found(spec, near, show)


def resolve_episodes(spec: EpisodeSpec, episodes: Sequence[EpisodeInfo], *, show: str = "this show") -> list[EpisodeInfo]:
    """Every episode `spec` names: a range's episodes that exist, else the one episode."""
    if spec.episode_end is None or spec.episode is None:
        return [resolve_episode(spec, episodes, show=show)]
    seasons = sorted({e.season for e in episodes})
    season = spec.season if spec.season is not None else (seasons[0] if len(seasons) == 1 else None)
    if season is None:
        raise EpisodeNotFound(
            f"{_describe(spec)} of {show} is ambiguous: the show has {len(seasons)} seasons",
            remedy=f"give the season, e.g. S01E{spec.episode:02d}-{spec.episode_end:02d}",
        )
    found = [e for e in episodes if e.season == season and spec.episode <= e.episode <= spec.episode_end]
    if not found:
        raise _not_found(spec, [e for e in episodes if e.season == season][:CLOSEST], show)
    return sorted(found, key=lambda e: e.episode)


def _by_words(words: str, episodes: Sequence[EpisodeInfo], show: str) -> EpisodeInfo:
    scored = sorted(
        ((_score(words, e), e) for e in episodes), key=lambda p: (-p[0], p[1].season, p[1].episode)
    )
    spec = EpisodeSpec(None, None, words=words)
    if not scored or scored[0][0] < MIN_SCORE:
        raise _not_found(spec, [e for score, e in scored[:CLOSEST] if score > 0], show)
    best = scored[0][0]
    near = [e for score, e in scored if score > best - MIN_GAP]
    if len(near) > 1:
        raise EpisodeNotFound(
            f"{_describe(spec)} fits several episodes of {show}: {_list(near)}",
            choices=near,
            remedy="add more title words, or use the episode code",
        )
    return near[0]


def _score(words: str, episode: EpisodeInfo) -> float:
    """Best token_set_ratio over title and aliases, each also without a `Track N:` prefix."""
    names = [episode.title, *episode.aliases]
    names += [_TRACK_PREFIX.sub("", n) for n in names]
    return max((fuzz.token_set_ratio(words, n, processor=default_process) for n in names if n), default=0.0)


def _describe(spec: EpisodeSpec) -> str:
    if spec.words is not None:
        return f'episode "{spec.words}"'
    where = episode_code(spec.season, spec.episode) if spec.season and spec.episode else f"episode {spec.episode}"
    return where + (f"-{spec.episode_end:02d}" if spec.episode_end else "")


def _what(spec: EpisodeSpec) -> str:
    """`episode 11`, `episode S01E11`, `episode "xyz"`: never "episode episode 11"."""
    described = _describe(spec)
    return described if described.startswith("episode") else f"episode {described}"


def _list(episodes: Sequence[EpisodeInfo]) -> str:
    return ", ".join(f'{episode_code(e.season, e.episode)} "{e.title}"' for e in episodes)


def _not_found(spec: EpisodeSpec, near: Sequence[EpisodeInfo], show: str) -> EpisodeNotFound:
    closest = f"; closest: {_list(near)}" if near else ""
    return EpisodeNotFound(
        f"no {_what(spec)} in {show}{closest}",
        choices=near,
        remedy="try the episode code (S01E03), its number, or other title words",
    )
