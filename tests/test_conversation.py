"""The curator's conversations driven by a scripted prompter: no terminal, no CliRunner."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cuesheet.curation import conversation, review
from cuesheet.curation.conversation import Cancelled, CueChanges, NewCue
from cuesheet.curation.matcher import Matcher
from cuesheet.viewer.answers import answers
from cuesheet.viewer.search import what

from .curator_helpers import episode, open_conn, snapshot


class Script:
    """A prompter that answers from a list, in order, and records what it was asked and shown."""

    def __init__(self, *replies: str | bool) -> None:
        self.replies = list(replies)
        self.asked: list[str] = []
        self.warned: list[str] = []
        self.shown: list[tuple[str, Any]] = []

    def _next(self, question: str) -> Any:
        self.asked.append(question)
        if not self.replies:
            raise Cancelled()  # as when input ends at a question
        return self.replies.pop(0)

    def text(self, question: str, *, default: str | None = None, hint: str | None = None) -> str:
        reply = self._next(question)
        assert isinstance(reply, str), (question, reply)
        return reply or (default or "")

    def confirm(self, question: str, *, default: bool = True) -> bool:
        reply = self._next(question)
        assert isinstance(reply, bool), (question, reply)
        return reply

    def warn(self, message: str) -> None:
        self.warned.append(message.strip())

    def episode(self, ep: Any, last_cues: list[tuple[int, str]]) -> None:
        self.shown.append(("episode", [n for n, _ in last_cues]))

    def editing(self, ep: Any, number: int) -> None:
        self.shown.append(("editing", number))

    def candidates(self, index: int, query: str, ident: Any) -> None:
        self.shown.append(("candidates", [s.candidate.title for s in ident.candidates]))

    def summary(self, ep: Any, draft: Any, number: int) -> None:
        self.shown.append(("summary", number))

    def item(self, position: int, total: int, item: Any) -> None:
        self.shown.append(("item", (position, total)))

    def decided(self, done: Any) -> None:
        self.shown.append(("decided", done.summary))


def test_add_asks_the_open_questions_then_saves_the_pick(shipped_db: Path) -> None:
    conn = open_conn(shipped_db)
    ep = episode(conn, "soundtrack", "3")
    p = Script("", "later", "12:30", "12:00", "13:05", "Sam imagines the roof", "Sam",
               "deep in a dream chet baker", "1", "", "", "", True)
    done = conversation.add_cue(conn, ep, NewCue(open=conversation.ADD_QUESTIONS), "tester",
                                prompter=p, matcher=Matcher.offline(conn))
    assert p.asked == ["Cue number", "Time in", "Time in", "Time out", "Time out", "Scene", "Performers",
                       "Song 1", "Choice", "Song 2", "Kind", "Usage code", "Save this cue?"]
    assert p.warned[0].startswith("'later' is not a time") and "before the time in (12:30)" in p.warned[1]
    assert p.shown[0] == ("episode", [1, 2, 3, 4, 5])
    assert p.shown[1][0] == "candidates" and p.shown[1][1][0] == "Deep in a Dream"
    assert p.shown[-1] == ("summary", 6)
    [a] = answers(conn, [done.cue_id])
    assert (a.cue, a.time_in, a.time_out, a.scene, a.kind, a.usage) == (
        6, "12:30", "13:05", "Sam imagines the roof", "lip-sync", "VV")
    assert (a.songs[0].title, a.songs[0].status) == ("Deep in a Dream", "curated")


def test_add_asks_only_what_the_options_leave_open(shipped_db: Path) -> None:
    conn = open_conn(shipped_db)
    ep = episode(conn, "soundtrack", "3")
    given = NewCue(number=6, scene="roof", songs=("roads portishead",), open=frozenset({"time_in"}))
    p = Script("1:00", "n", "", True)
    done = conversation.add_cue(conn, ep, given, "tester", prompter=p, matcher=Matcher.offline(conn))
    assert p.asked == ["Time in", "Choice", "Song 2", "Save this cue?"]
    [a] = answers(conn, [done.cue_id])
    assert (a.time_in, a.scene, a.songs[0].status) == ("1:00", "roof", "review")


def test_add_without_a_prompter_asks_nothing(shipped_db: Path) -> None:
    conn = open_conn(shipped_db)
    ep = episode(conn, "soundtrack", "3")
    done = conversation.add_cue(conn, ep, NewCue(songs=("roads portishead",)), "tester")
    [a] = answers(conn, [done.cue_id])
    assert (a.cue, a.songs[0].title, a.songs[0].status) == (6, "Roads", "accepted")


FULL: list[str | bool] = ["", "", "", "", "", "roads portishead", "n", "", "", "", True]


@pytest.mark.parametrize("replies", [FULL[:0], FULL[:1], FULL[:6], FULL[:10], [*FULL[:10], False]])
def test_stopping_anywhere_writes_nothing(shipped_db: Path, replies: list[str | bool]) -> None:
    conn = open_conn(shipped_db)
    ep = episode(conn, "soundtrack", "3")
    before = snapshot(conn)
    with pytest.raises(Cancelled):
        conversation.add_cue(conn, ep, NewCue(open=conversation.ADD_QUESTIONS), "tester",
                             prompter=Script(*replies), matcher=Matcher.offline(conn))
    assert snapshot(conn) == before


def test_edit_asks_each_value_and_writes_only_what_differs(shipped_db: Path) -> None:
    conn = open_conn(shipped_db)
    ep = episode(conn, "soundtrack", "3")
    p = Script("5:00", "", "", "", "", "", "a piano intro")
    done = conversation.edit_cue(conn, ep, 2, CueChanges(), "tester", prompter=p)
    assert p.shown == [("editing", 2)]
    assert p.asked[:6] == ["Time in", "Time out", "Scene", "Performers", "Kind", "Usage code"]
    assert p.asked[6].startswith("Heard of song 1")
    assert done.history_id is not None
    a = what(conn, "soundtrack", "3").answers[1]
    assert a.time_in == "5:00" and a.songs[0].heard == "a piano intro"


def test_edit_with_nothing_to_change_and_no_prompter(shipped_db: Path) -> None:
    conn = open_conn(shipped_db)
    with pytest.raises(conversation.NothingToChange):
        conversation.edit_cue(conn, episode(conn, "soundtrack", "3"), 2, CueChanges(), "tester")


def test_review_walk_decides_skips_and_quits(shipped_db: Path) -> None:
    conn = open_conn(shipped_db)
    ep = episode(conn, "soundtrack", "3")
    conversation.add_cue(conn, ep, NewCue(songs=("elastic heart sia",)), "tester")
    items = review.queue(conn, statuses=review.QUEUE_STATUSES)
    assert len(items) == 2
    p = Script("x", "2", "q")
    decided = conversation.walk_review(conn, items, "tester", Matcher.offline(conn), p)
    assert decided == 1
    assert p.warned and p.warned[0].startswith("'x'? answer 1-2 accept")
    assert [k for k, _ in p.shown] == ["item", "decided", "item"]
    assert len(review.queue(conn, statuses=review.QUEUE_STATUSES)) == 1
