"""The curator's conversations: adding a cue, editing one, walking the review queue.

The questions, their order and what each answer does live here; a `Prompter` asks them
(beets' importer session asks `choose_match` the same way). The command line implements
it with rich prompts (`cuesheet.cli.prompts.TerminalPrompter`); tests script the answers,
no terminal needed. Answers are only collected: nothing is written until a conversation
has them all, so `Cancelled` at any question leaves the database as it was (the review
walk saves each decision as it is made, which is what a walk through a queue means).
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from cuesheet.curation import cues as curate
from cuesheet.curation import drafts, review
from cuesheet.curation.cues import CueDraft, CueEdit, Done, Resolved, SongDraft
from cuesheet.errors import CuesheetError, DatabaseBusy, InputError, NumberTaken, ParseError
from cuesheet.model import KINDS, USAGE_CODES, Kind, MatchStatus, Performer, RecordingRef, Song, Verdict
from cuesheet.notation.normalize import repair_text
from cuesheet.notation.timecode import format_time, parse_time
from cuesheet.viewer.answers import Answer, answers
from cuesheet.viewer.resolve import EpisodeRef

T = TypeVar("T")


class Cancelled(Exception):
    """The curator pressed Ctrl-C, input ended, or they said no to saving."""


class Prompter(Protocol):
    """How a conversation asks and shows. `text` and `confirm` raise `Cancelled` when the
    curator stops; the show methods only display (a script may ignore them)."""

    def text(self, question: str, *, default: str | None = None, hint: str | None = None) -> str:
        """One line of answer; a blank answer is the default ('' when there is none)."""
        ...

    def confirm(self, question: str, *, default: bool = True) -> bool: ...

    def warn(self, message: str) -> None:
        """An answer was not taken, and why; the question comes again."""
        ...

    def episode(self, ep: EpisodeRef, last_cues: list[tuple[int, str]]) -> None:
        """`cue add` starts: the episode and its cues so far (number, title)."""
        ...

    def editing(self, ep: EpisodeRef, number: int) -> None:
        """`cue edit` starts asking about cue `number`."""
        ...

    def candidates(self, index: int, query: str, ident: Any) -> None:
        """The matcher's candidates for song `index` searched as `query`."""
        ...

    def summary(self, ep: EpisodeRef, draft: CueDraft, number: int) -> None:
        """The cue about to be saved as `number`, before the last question."""
        ...

    def item(self, position: int, total: int, item: review.Item) -> None:
        """The review walk reaches `item` (position of total)."""
        ...

    def decided(self, done: review.Decision) -> None:
        """A review decision was saved."""
        ...


def ask(
    p: Prompter,
    question: str,
    *,
    default: str | None = None,
    parse: Callable[[str], T] | None = None,
    hint: str | None = None,
    required: bool = False,
) -> Any:
    """One question. A blank answer takes the default (or None); `parse` errors re-ask with the reason."""
    while True:
        # Pasted from an export that misread UTF-8 ("LÃ©o"): repaired as every input path does.
        raw = repair_text((p.text(question, default=default, hint=hint) or "").strip())
        if not raw:
            if required:
                p.warn("  an answer is needed here")
                continue
            return None if parse is None or default is None else parse(default)
        if parse is None:
            return raw
        try:
            return parse(raw)
        except CuesheetError as exc:
            p.warn(f"  {exc}")


# --- reading answers ------------------------------------------------------------------------------


def time_or_blank(text: str) -> int | None:
    """A time in any notation; blank or '-' is no time."""
    if text.strip() in ("", "-"):
        return None
    return parse_time(text)


def time_option(text: str | None, name: str) -> int | None:
    """A time given as option `name` (None: not given); a bad one names the option."""
    if text is None:
        return None
    try:
        return time_or_blank(text)
    except ParseError as exc:
        raise InputError(exc.message, field=name, remedy=exc.remedy) from None


def _time_out(text: str, t_in: int | None) -> int | None:
    t = time_or_blank(text)
    if t is not None and t_in is not None and t < t_in:
        raise InputError(f"{format_time(t)} is before the time in ({format_time(t_in)})")
    return t


def kind_answer(text: str) -> str:
    kind = curate.kind_named(text)
    if kind is None:
        raise InputError(f"{text!r} is not one of {', '.join(KINDS)}")
    return kind


def _usage_answer(text: str) -> str | None:
    if text.strip() in ("", "-"):
        return None
    code = curate.usage_named(text)
    if code is None:
        raise InputError(f"{text!r} is not a usage code ({', '.join(USAGE_CODES)})")
    return code


def _cue_number(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise InputError(f"{text!r} is not a cue number (1, 2, 3 ...)")
    return int(text)


def _year(text: str) -> int:
    if not (text.isdigit() and len(text) == 4):
        raise InputError(f"{text!r} is not a year")
    return int(text)


def song_name(s: Any) -> str:
    """A song of an answer as a curator knows it: title — artist, its text, or what was heard."""
    if s.status == MatchStatus.UNKNOWN or not (s.title or s.text):
        return "an unidentified song" + (f" (heard: {s.heard})" if s.heard else "")
    return f"{s.title} — {s.artist}" if s.artist else s.title or s.text


# --- cue add -------------------------------------------------------------------------------------

# The questions `cue add` may ask about the cue itself (the songs are always asked for).
ADD_QUESTIONS = frozenset({"number", "time_in", "time_out", "scene", "performers", "kind", "usage"})


@dataclass(frozen=True)
class NewCue:
    """What the command line said about a new cue. `open` names the questions its options left
    open (see ADD_QUESTIONS): they are asked when there is a prompter, else left empty."""

    number: int | None = None
    shift: bool = False
    time_in_ms: int | None = None
    time_out_ms: int | None = None
    scene: str | None = None
    performers: tuple[Performer, ...] = ()
    kind: str | None = None
    usage: str | None = None
    songs: tuple[str, ...] = ()  # songs as heard ('elastic heart sia')
    title: str | None = None  # or one song by its parts
    artist: str | None = None
    version: str | None = None
    pick: int | None = None  # link candidate N of each song without asking
    unknown: bool = False
    heard: str | None = None
    confidence: str | None = None
    sources: tuple[str, ...] = ()
    notes: str | None = None
    order_confirmed: bool = True
    open: frozenset[str] = frozenset()
    # Ask only what a typical cue needs (song, scene, time in, performers; the rest takes its
    # default): `cue add` without --full. False asks every open question.
    quick: bool = False


def add_cue(conn: sqlite3.Connection, ep: EpisodeRef, given: NewCue, curator: str, *,
            prompter: Prompter | None = None, matcher: Any = None) -> Done:
    """The whole `cue add`: ask what is open (with a prompter), draft, resolve (check and match
    in memory), confirm, write once. `matcher` finds the candidates shown (or picked with `pick`).
    A draft kept when the database was busy is offered first (with a prompter, when no song was given)."""
    if prompter is not None and not (given.songs or given.title or given.unknown):
        kept = _kept_draft(ep, prompter)
        if kept is not None:
            done = save_cue(conn, ep, curate.resolve(conn, ep, kept.draft), curator, shift=False, prompter=prompter)
            drafts.discard(kept)
            return done
    resolved, shift = draft_cue(conn, ep, given, prompter, matcher)
    return save_cue(conn, ep, resolved, curator, shift=shift, prompter=prompter)


def _kept_draft(ep: EpisodeRef, p: Prompter) -> drafts.Saved | None:
    """Answers kept when this episode's database was busy: offered back, so nothing typed is lost."""
    for kept in drafts.pending(ep.show.slug, ep.code):
        p.warn(f"Answers kept from a cue add that found the database busy: {kept.label}")
        p.summary(ep, kept.draft, kept.draft.number or 0)
        if p.confirm("Save this cue now?"):
            return kept
        if p.confirm("Throw these answers away?", default=False):
            drafts.discard(kept)
    return None


def draft_cue(conn: sqlite3.Connection, ep: EpisodeRef, given: NewCue, p: Prompter | None,
              matcher: Any) -> tuple[Resolved, bool]:
    """The cue the curator means, checked and matched, and whether its number shifts the later cues."""
    number, shift = given.number, given.shift
    t_in, t_out, scene, performers = given.time_in_ms, given.time_out_ms, given.scene, given.performers
    if p is not None and given.quick:
        return _quick_cue(conn, ep, given, p, matcher)
    if p is not None:
        p.episode(ep, curate.cue_titles(conn, ep.id))
        number, shift, t_in, t_out, scene, performers = _ask_cue(conn, ep, given, p)
    drafts = _given_songs(given, p, matcher)
    if p is not None and not given.unknown:
        drafts = _ask_songs(conn, ep, drafts, given, p, matcher)
    kind, usage = given.kind, given.usage
    default_kind = Kind.MASHUP.value if len(drafts) > 1 else Kind.LIP_SYNC.value
    if p is not None and "kind" in given.open:
        kind = ask(p, "Kind", default=default_kind, parse=kind_answer, hint=" / ".join(KINDS))
    kind = curate.kind_named(kind or default_kind) or kind  # 'lipsync' is lip-sync; a bad one is reported
    if usage:
        usage = curate.usage_named(usage) or usage
    if p is not None and "usage" in given.open:
        usage = ask(p, "Usage code", default=curate.DEFAULT_USAGE.get(kind, "VV"), parse=_usage_answer,
                    hint="VV visual vocal, BV background vocal, VS visual source, ET end title ...")
    draft = CueDraft(
        songs=tuple(drafts), kind=kind, number=number, order_confirmed=given.order_confirmed,
        time_in_ms=t_in, time_out_ms=t_out, scene=scene, performers=performers,
        usage=usage if usage is not None else curate.DEFAULT_USAGE.get(kind),
        confidence=given.confidence, sources=given.sources, notes=given.notes,
    )
    resolved = curate.resolve(conn, ep, draft)  # the local catalog matches what the curator left open
    if p is not None:
        p.summary(ep, draft, number or curate.next_number(conn, ep.id))
        if not p.confirm("Save this cue?"):
            raise Cancelled()
    return resolved, shift


# The questions a quick `cue add` may ask about the cue, in order (the song is asked first).
QUICK_QUESTIONS = ("scene", "time_in", "performers")


def _quick_cue(conn: sqlite3.Connection, ep: EpisodeRef, given: NewCue, p: Prompter,
               matcher: Any) -> tuple[Resolved, bool]:
    """A typical cue in a few answers: the song as one line ("title — artist", read by identify;
    its best candidate taken when the matcher is sure), then scene, time in and performers
    (the last cue's offered), each skipped with Enter; number, time out, kind and usage take
    their defaults. `--full` asks everything."""
    p.episode(ep, curate.cue_titles(conn, ep.id))
    drafts = _given_songs(given, p, matcher)
    if not drafts:
        text = ask(p, "Song", required=True, hint="title — artist, or words heard; ? when nobody knows it")
        if text.strip() == "?":
            what = ask(p, "What was heard", hint="voice, instruments, a lyric fragment; blank if nothing")
            drafts = [SongDraft(Song(title="", artist="", unknown=True, heard=what))]
        else:
            drafts = [song_draft(p, matcher, 1, text, None, None, None, given.pick, quick=True)]
    scene, t_in, performers = given.scene, given.time_in_ms, given.performers
    if "scene" in given.open:
        scene = ask(p, "Scene", hint="what happens on screen; Enter to skip")
    if "time_in" in given.open:
        t_in = ask(p, "Time in", parse=time_or_blank, hint="12:30, 1:02:03; Enter if unknown")
    if "performers" in given.open:
        cast = curate.characters(conn, ep.show.id)
        last = curate.last_performers(conn, ep.id)
        performers = ask(p, "Performers", default=last, parse=lambda s: curate.parse_performers(s, cast),
                         hint="Character (Actor), comma-separated; ? = inferred"
                         + ("; Enter: as the last cue" if last else "; Enter to skip")) or ()
    kind = curate.kind_named(given.kind or "lip-sync") or given.kind
    usage = curate.usage_named(given.usage) if given.usage else curate.DEFAULT_USAGE.get(kind or "")
    draft = CueDraft(
        songs=tuple(drafts), kind=kind, number=given.number, order_confirmed=given.order_confirmed,
        time_in_ms=t_in, time_out_ms=given.time_out_ms, scene=scene, performers=performers,
        usage=usage, confidence=given.confidence, sources=given.sources, notes=given.notes,
    )
    resolved = curate.resolve(conn, ep, draft)  # checked, and matched in memory, before the question
    p.summary(ep, draft, given.number or curate.next_number(conn, ep.id))
    if not p.confirm("Save this cue?"):
        raise Cancelled()
    return resolved, given.shift


def _ask_cue(conn: sqlite3.Connection, ep: EpisodeRef, given: NewCue,
             p: Prompter) -> tuple[int | None, bool, int | None, int | None, str | None, tuple[Performer, ...]]:
    """The open questions about the cue itself: number, times, scene, performers."""
    number, shift = given.number, given.shift
    t_in, t_out, scene, performers = given.time_in_ms, given.time_out_ms, given.scene, given.performers
    if "number" in given.open:
        number, shift = _ask_number(conn, ep, p)
    if "time_in" in given.open:
        t_in = ask(p, "Time in", parse=time_or_blank, hint="12:30, 1:02:03, 12m30s; blank if unknown")
    if "time_out" in given.open:
        t_out = ask(p, "Time out", parse=lambda s: _time_out(s, t_in), hint="blank if unknown")
    if "scene" in given.open:
        scene = ask(p, "Scene", hint="what happens on screen")
    if "performers" in given.open:
        cast = curate.characters(conn, ep.show.id)
        names = ", ".join(name for name, _ in cast.values())
        performers = ask(
            p, "Performers", parse=lambda s: curate.parse_performers(s, cast),
            hint="Character (Actor), comma-separated; ? = inferred" + (f"; known: {names}" if names else ""),
        ) or ()
    return number, shift, t_in, t_out, scene, performers


def _ask_number(conn: sqlite3.Connection, ep: EpisodeRef, p: Prompter) -> tuple[int, bool]:
    offered = curate.next_number(conn, ep.id)
    while True:
        n = ask(p, "Cue number", default=str(offered), parse=_cue_number)
        if n >= offered:
            return n, False
        if p.confirm(f"Cue {n} exists. Insert before it, moving {n} and later up by one?", default=False):
            return n, True


def _given_songs(given: NewCue, p: Prompter | None, matcher: Any) -> list[SongDraft]:
    """The songs the options name, each with the curator's decision (or --pick's)."""
    drafts = []
    if given.unknown:
        drafts.append(SongDraft(Song(title="", artist="", unknown=True, heard=given.heard)))
    texts: list[tuple[str, str | None, str | None]] = []  # (text, title, artist)
    if given.title:
        texts.append((f"{given.title} - {given.artist}" if given.artist else given.title,
                      given.title, given.artist))
    texts += [(s, None, None) for s in given.songs]
    for i, (text, t, a) in enumerate(texts, start=1):
        drafts.append(song_draft(p, matcher, i, text, t, a, given.version if t else None, given.pick))
    if given.heard and not given.unknown and drafts:
        d = drafts[0]
        drafts[0] = SongDraft(Song(**{**d.song.__dict__, "heard": given.heard}), d.pick, d.review)
    return drafts


def _ask_songs(conn: sqlite3.Connection, ep: EpisodeRef, drafts: list[SongDraft], given: NewCue,
               p: Prompter, matcher: Any) -> list[SongDraft]:
    """More songs until a blank answer (a mashup), then who performs each when there are several."""
    drafts = list(drafts)
    while True:
        text = ask(p, f"Song {len(drafts) + 1}", required=not drafts,
                   hint="as heard, e.g. 'elastic heart sia'; ? when nobody knows it" if not drafts
                   else "another song for a mashup; blank when done; ? for an unidentified one")
        if not text:
            break
        if text.strip() == "?":
            what = ask(p, "What was heard", hint="voice, instruments, a lyric fragment; blank if nothing")
            drafts.append(SongDraft(Song(title="", artist="", unknown=True, heard=what)))
            continue
        drafts.append(song_draft(p, matcher, len(drafts) + 1, text, None, None, None, given.pick))
    if len(drafts) > 1:
        cast = curate.characters(conn, ep.show.id)
        for i, d in enumerate(drafts):
            who = ask(p, f"Who performs song {i + 1} ({curate.draft_label(d)})",
                      parse=lambda s: curate.parse_performers(s, cast), hint="blank: the cue's performers")
            if who:
                drafts[i] = SongDraft(Song(**{**d.song.__dict__, "performers": who}), d.pick, d.review)
    return drafts


def song_draft(p: Prompter | None, matcher: Any, index: int, text: str, title: str | None,
               artist: str | None, version: str | None, pick: int | None, *, quick: bool = False) -> SongDraft:
    """One song: show its candidates and take the curator's decision (or `pick`'s). `quick`:
    a best candidate the matcher is sure of is taken without asking (the summary shows it)."""
    song = Song(title=title or text, artist=artist or "", version=version, text=None if title else text)
    if p is None and pick is None:
        return SongDraft(song)  # the matcher decides when it is saved
    query, who = (title, artist) if title else (text, None)
    while True:
        ident = matcher.identify(query, who)
        if p is None:
            assert pick is not None
            if pick > len(ident.candidates):
                raise InputError(f"{text!r} has {len(ident.candidates)} candidates, not {pick}", field="--pick")
            return SongDraft(song, pick=ident.candidates[pick - 1].candidate)
        p.candidates(index, query, ident)
        n = len(ident.candidates)
        if quick and n and ident.verdict == "accepted":
            return SongDraft(song, pick=ident.candidates[0].candidate)
        options = (("1 pick, " if n == 1 else f"1-{n} pick, " if n else "")
                   + "s search again, n none of these (keep for review), m type it by hand")
        default = "1" if n and ident.verdict == Verdict.ACCEPTED else "n"
        answer = (ask(p, "Choice", default=default, hint=options) or default).strip().lower()
        if answer.isdigit() and 1 <= int(answer) <= n:
            return SongDraft(song, pick=ident.candidates[int(answer) - 1].candidate)
        if answer.startswith("s"):
            query = ask(p, "Search for", default=query, hint="title and artist, any order") or query
            who = None
            continue
        if answer.startswith("n"):
            return SongDraft(song, review=ident)  # waits in `cuesheet review`, candidates or not
        if answer.startswith("m"):
            return SongDraft(_by_hand(p, song))
        p.warn(f"  {answer!r}? answer {options}")


def _by_hand(p: Prompter, song: Song) -> Song:
    title = ask(p, "Title", default=song.title, required=True)
    artist = ask(p, "Artist", default=song.artist or None, required=True)
    version = ask(p, "Version", hint="live, remaster ...; blank if none")
    album = ask(p, "Album", hint="blank if unknown")
    y = ask(p, "Year", parse=_year, hint="blank if unknown")
    ref = RecordingRef(title=title, artist=artist, version=version, album=album, year=y)
    return Song(**{**song.__dict__, "title": title, "artist": artist, "version": version, "recording": ref})


def save_cue(conn: sqlite3.Connection, ep: EpisodeRef, resolved: Resolved, curator: str, *, shift: bool,
             prompter: Prompter | None = None) -> Done:
    """Save the cue; when another curator took its number meanwhile, offer the next free
    one (or inserting before it), and when the database stays busy (a long import), offer
    to wait again or keep the answers as a draft, instead of losing every answer typed."""
    p = prompter
    while True:
        try:
            return curate.write(conn, ep, resolved, curator, shift=shift)
        except DatabaseBusy as exc:
            if p is None:
                raise
            p.warn(f"{exc.message}; nothing was written yet.")
            if p.confirm("Wait and try again?"):
                continue
            path = drafts.save(resolved.draft, ep.show.slug, ep.code)
            raise CuesheetError(
                f"the cue was not saved (the database is busy); your answers are kept in {path}",
                remedy=f"`cuesheet cue add {ep.show.slug} {ep.code}` offers them again") from None
        except NumberTaken as exc:
            if p is None:
                raise
            p.warn(f"Cue {exc.number} was added meanwhile (another curator?).")
            if p.confirm(f"Save this cue as cue {exc.free} instead?"):
                resolved = dataclasses.replace(resolved, draft=dataclasses.replace(resolved.draft, number=exc.free))
            elif p.confirm(f"Insert it as cue {exc.number}, moving {exc.number} and later up by one?",
                           default=False):
                shift = True
            else:
                raise Cancelled() from None


# --- cue edit ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CueChanges:
    """What the command line said to change, as typed (None: not said; '-' clears)."""

    time_in: str | None = None
    time_out: str | None = None
    scene: str | None = None
    performers: Sequence[str] | None = None
    kind: str | None = None
    usage: str | None = None
    confidence: str | None = None
    notes: str | None = None
    order: str | None = None  # confirmed or list
    song: int = 1  # which song title/artist/version/text/heard change
    title: str | None = None
    artist: str | None = None
    version: str | None = None
    text: str | None = None
    heard: str | None = None
    add_songs: Sequence[str] = ()
    remove_songs: Sequence[int] = ()

    @property
    def nothing(self) -> bool:
        return (all(v is None for v in (self.time_in, self.time_out, self.scene, self.performers, self.kind,
                                        self.usage, self.confidence, self.notes, self.order, self.title,
                                        self.artist, self.version, self.text, self.heard))
                and not self.add_songs and not self.remove_songs)


class NothingToChange(Exception):
    """`cue edit` was told no change and has no prompter to ask for one."""


def clearable(text: str | None) -> Any:
    return None if text is None or text.strip() in ("", "-") else text.strip()


def edit_cue(conn: sqlite3.Connection, ep: EpisodeRef, number: int, given: CueChanges, curator: str, *,
             prompter: Prompter | None = None) -> Done:
    """The whole `cue edit`: with no change given, ask for each value (Enter keeps it); then
    write only what really differs."""
    [a] = answers(conn, [curate.cue_id(conn, ep, number)])
    prompted_heard: dict[int, Any] = {}
    if given.nothing:
        if prompter is None:
            raise NothingToChange()
        given, prompted_heard = _ask_changes(ep, number, a, prompter)
    return curate.edit_cue(conn, ep, number, cue_edit(conn, ep, a, given, prompted_heard), curator)


def _ask_changes(ep: EpisodeRef, number: int, a: Answer, p: Prompter) -> tuple[CueChanges, dict[int, Any]]:
    """Every value of the cue, its current one the default; and what was heard of each song."""
    p.editing(ep, number)
    time_in = ask(p, "Time in", default=a.time_in or "-")
    time_out = ask(p, "Time out", default=a.time_out or "-")
    scene = ask(p, "Scene", default=a.scene or "-")
    current = curate.format_performers(curate.parse_performers(
        [f"{x['character'] or ''}" + (f" ({x['actor']})" if x["actor"] else "") + ("?" if x["inferred"] else "")
         for x in a.performers]))
    performers = [ask(p, "Performers", default=current or "-")]
    kind = ask(p, "Kind", default=a.kind, parse=kind_answer)
    usage = ask(p, "Usage code", default=a.usage or "-")
    heard: dict[int, Any] = {}
    for i, sa in enumerate(a.songs, start=1):
        said = ask(p, f"Heard of song {i} ({song_name(sa)})", default=sa.heard or "-",
                   hint="voice, instruments, a lyric fragment")
        if clearable(said) != sa.heard:
            heard[i] = clearable(said)
    changes = CueChanges(time_in=time_in, time_out=time_out, scene=scene, performers=performers, kind=kind,
                         usage=usage)
    return changes, heard


def cue_edit(conn: sqlite3.Connection, ep: EpisodeRef, a: Answer, given: CueChanges,
             heard: dict[int, Any]) -> CueEdit:
    """The edit the changes mean for cue `a`; values equal to the current ones are left out."""
    fields: dict[str, Any] = {}
    if given.time_in is not None:
        fields["time_in_ms"] = time_option(given.time_in, "--at")
    if given.time_out is not None:
        fields["time_out_ms"] = time_option(given.time_out, "--time-out")
    for name, value in (("scene", given.scene), ("notes", given.notes), ("confidence", given.confidence)):
        if value is not None:
            fields[name] = clearable(value)
    if given.usage is not None:
        fields["usage"] = clearable(given.usage) and (curate.usage_named(given.usage) or given.usage.strip())
    if given.kind is not None:
        fields["kind"] = curate.kind_named(given.kind) or given.kind
    if given.order is not None:
        fields["order_confirmed"] = int(given.order == "confirmed")
    performers = None
    if given.performers is not None:
        cast = curate.characters(conn, ep.show.id)
        performers = () if [x.strip() for x in given.performers] == ["-"] else curate.parse_performers(
            given.performers, cast, field_name="--performer")
    # Only what really differs is written; prompts answered with Enter change nothing.
    current = {"time_in_ms": a.time_in_ms, "time_out_ms": a.time_out_ms, "scene": a.scene,
               "usage": a.usage, "kind": a.kind, "confidence": a.confidence}
    fields = {k: v for k, v in fields.items() if k not in current or current[k] != v}
    song_fields = {k: (v if k in ("title", "artist", "text") else clearable(v))
                   for k, v in (("title", given.title), ("artist", given.artist), ("version", given.version),
                                ("text", given.text), ("heard", given.heard))
                   if v is not None}
    songs = {i: {"heard": h} for i, h in heard.items()}
    if song_fields:
        songs[given.song] = {**songs.get(given.song, {}), **song_fields}
    return CueEdit(
        fields=fields, performers=performers, songs=songs,
        add_songs=tuple(SongDraft(Song(title=t, artist="", text=t)) for t in given.add_songs),
        remove_songs=tuple(given.remove_songs),
    )


# --- the review walk -------------------------------------------------------------------------------


def walk_review(conn: sqlite3.Connection, items: Sequence[review.Item], curator: str, matcher: Any,
                p: Prompter) -> int:
    """One song at a time: accept a candidate, reject them, type the recording, search again,
    skip or quit. Each decision is saved as it is made; returns how many were decided."""
    decided = 0
    try:
        for n, it in enumerate(items, start=1):
            p.item(n, len(items), it)
            if _decide(conn, it, n, curator, matcher, p):
                decided += 1
    except Cancelled:
        pass
    return decided


def _decide(conn: sqlite3.Connection, it: review.Item, n: int, curator: str, matcher: Any,
            p: Prompter) -> bool:
    """One song of the walk; False when it is skipped."""
    candidates = [s.candidate for s in it.candidates]
    while True:
        k = len(candidates)
        options = (("1 accept, " if k == 1 else f"1-{k} accept, " if k else "")
                   + ("" if it.unknown else "r reject, ")  # nothing to reject for an unknown song
                   + "s search again, m type it by hand, k skip, q quit")
        answer = (ask(p, "Choice", default="k", hint=options) or "k").strip().lower()
        if answer.isdigit() and 1 <= int(answer) <= k:
            p.decided(review.accept(conn, it.id, curator, candidate=candidates[int(answer) - 1]))
        elif answer.startswith("r") and not it.unknown:
            p.decided(review.reject(conn, it.id, curator))
        elif answer.startswith("m"):
            title = ask(p, "Title", default=it.title, required=True)
            artist = ask(p, "Artist", default=it.artist, required=True)
            album = ask(p, "Album", hint="blank if unknown")
            p.decided(review.set_recording(conn, it.id, curator, title=title, artist=artist, album=album))
        elif answer.startswith("s"):
            text = ask(p, "Search for", default=it.text or it.heard,
                       hint="title and artist, any order, or an id or link")
            ident, _ = review.search(conn, it.id, text, curator, matcher)
            candidates = [s.candidate for s in ident.candidates]
            p.candidates(n, text, ident)
            continue
        elif answer.startswith("q"):
            raise Cancelled()
        elif not answer.startswith("k"):
            p.warn(f"  {answer!r}? answer {options}")
            continue
        else:
            return False
        return True
