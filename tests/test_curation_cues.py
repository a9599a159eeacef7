"""Curator operations: each validates first, writes in one transaction, and numbers stay unique."""

from __future__ import annotations

from pathlib import Path

import pytest

from cuesheet.curation import cues as curate
from cuesheet.errors import InputError, InputErrors, NotFound
from cuesheet.model import Performer, RecordingRef, Song
from cuesheet.viewer.answers import answers

from .curator_helpers import draft, episode, numbers, open_conn, snapshot


@pytest.fixture
def conn(mini_db: Path):
    return open_conn(mini_db)


@pytest.fixture
def ep(conn):
    return episode(conn, "mini", "s1e1")


def test_add_takes_the_next_number_and_stores_everything(conn, ep) -> None:
    done = curate.add_cue(conn, ep, draft(
        "Elastic Heart - Sia", time_in_ms=40_000, time_out_ms=90_000, scene="Rooftop",
        performers=(Performer("Ada", "Ann Actor"),), usage="vv", sources=("list",), confidence="high",
    ), "kim")
    assert done.number == 4
    [a] = answers(conn, [done.cue_id])
    assert (a.cue, a.time_in, a.time_out, a.scene, a.kind, a.usage) == (4, "0:40", "1:30", "Rooftop", "lip-sync", "VV")
    assert a.performers == [{"character": "Ada", "actor": "Ann Actor", "inferred": False}]
    assert [(s.title, s.artist) for s in a.songs] == [("Elastic Heart", "Sia")]
    assert a.sources == ["list"]


def test_two_songs_make_a_mashup_by_default(conn, ep) -> None:
    done = curate.add_cue(conn, ep, draft("A - X", "B - Y"), "kim")
    [a] = answers(conn, [done.cue_id])
    assert a.kind == "mashup" and [s.title for s in a.songs] == ["A", "B"]


def test_every_problem_is_reported_at_once_and_nothing_written(conn, ep) -> None:
    before = snapshot(conn)
    bad = draft("Solo - One", kind="mashup", usage="ZZ", confidence="sure", time_in_ms=10_000,
                time_out_ms=5_000, sources=("nope",))
    with pytest.raises(InputErrors) as info:
        curate.add_cue(conn, ep, bad, "kim")
    fields = sorted(e.field for e in info.value.errors)
    assert fields == ["confidence", "kind", "source", "time_out", "usage"]
    assert snapshot(conn) == before


def test_a_taken_number_is_refused_unless_shifting(conn, ep) -> None:
    with pytest.raises(InputError) as info:
        curate.add_cue(conn, ep, draft("New - One", number=2), "kim")
    assert "take 4" in str(info.value)
    curate.add_cue(conn, ep, draft("New - One", number=2), "kim", shift=True)
    assert numbers(conn, ep) == [(1, "Singing in the Rain"), (2, "New"), (3, "Smile"), (4, "Deep in a Dream")]


def test_hand_typed_metadata_is_a_curated_recording(conn, ep) -> None:
    song = Song(title="my song", artist="", text="my song",
                recording=RecordingRef(title="My Song", artist="The Band", year=1999))
    done = curate.add_cue(conn, ep, curate.CueDraft(songs=(curate.SongDraft(song),)), "kim")
    status, rec = conn.execute(
        "SELECT match_status, r.title || ' / ' || r.artist FROM cue_songs s JOIN recordings r ON r.id = s.recording_id"
        " WHERE s.cue_id = ?", [done.cue_id]).fetchone()
    assert (status, rec) == ("curated", "My Song / The Band")


def test_parse_performers_completes_known_characters(conn, ep) -> None:
    cast = curate.characters(conn, ep.show.id)
    assert curate.parse_performers("ada, Zed (Zoe Z)?; Bo (Other Actor)", cast) == (
        Performer("Ada", "Ann Actor"), Performer("Zed", "Zoe Z", inferred=True), Performer("Bo", "Other Actor"))
    assert curate.format_performers(curate.parse_performers("Zed (Zoe Z)?")) == "Zed (Zoe Z)?"
    with pytest.raises(InputError):
        curate.parse_performers("Sam (Paul (James))")


def test_edit_changes_fields_and_keeps_the_rest(conn, ep) -> None:
    curate.edit_cue(conn, ep, 1, curate.CueEdit(fields={"time_in_ms": 1000, "usage": "bv"}), "kim")
    [a] = answers(conn, [curate.cue_id(conn, ep, 1)])
    assert (a.time_in_ms, a.time_out_ms, a.usage, a.scene) == (1000, 280_000, "BV", "Ada sings in the rain outside the bakery")


def test_edit_refuses_a_time_out_before_time_in(conn, ep) -> None:
    with pytest.raises(InputErrors) as info:
        curate.edit_cue(conn, ep, 1, curate.CueEdit(fields={"time_in_ms": 500_000}), "kim")
    assert info.value.errors[0].field == "time_out"


def test_editing_a_song_title_carries_its_source_statements(conn, ep) -> None:
    curate.edit_cue(conn, ep, 3, curate.CueEdit(songs={1: {"title": "Deep In A Dream"}}), "kim")
    [a] = answers(conn, [curate.cue_id(conn, ep, 3)])
    assert a.songs[0].title == "Deep In A Dream"
    # The artist conflict stays; no new conflict on the title.
    assert [c["field"] for c in a.conflicts] == ["artist"]


def test_edit_adds_and_removes_songs_and_checks_the_kind(conn, ep) -> None:
    with pytest.raises(InputErrors):  # a mashup left with one song
        curate.edit_cue(conn, ep, 2, curate.CueEdit(remove_songs=(1,)), "kim")
    curate.edit_cue(conn, ep, 2, curate.CueEdit(remove_songs=(1,), fields={"kind": "lip-sync"},
                                               add_songs=()), "kim")
    [a] = answers(conn, [curate.cue_id(conn, ep, 2)])
    assert [s.title for s in a.songs] == ["Believer"]
    curate.edit_cue(conn, ep, 2, curate.CueEdit(fields={"kind": "mashup"},
                                               add_songs=draft("Roar - Katy Perry").songs), "kim")
    [a] = answers(conn, [curate.cue_id(conn, ep, 2)])
    assert [s.title for s in a.songs] == ["Believer", "Roar"]
    assert a.sources == ["list"]


def test_edit_of_a_missing_cue_names_the_cues_there_are(conn, ep) -> None:
    with pytest.raises(NotFound) as info:
        curate.edit_cue(conn, ep, 9, curate.CueEdit(fields={"scene": "x"}), "kim")
    assert "cues: 1, 2, 3" in str(info.value)


def test_remove_keeps_other_numbers(conn, ep) -> None:
    curate.remove_cue(conn, ep, 2, "kim")
    assert [n for n, _ in numbers(conn, ep)] == [1, 3]
    assert conn.execute("SELECT count(*) FROM cue_songs s LEFT JOIN cues c ON c.id = s.cue_id"
                        " WHERE c.id IS NULL").fetchone() == (0,)


@pytest.mark.parametrize(("number", "to", "expected"), [
    (3, 1, ["Deep in a Dream", "Singing in the Rain", "Smile"]),
    (1, 3, ["Smile", "Deep in a Dream", "Singing in the Rain"]),
    (1, 2, ["Smile", "Singing in the Rain", "Deep in a Dream"]),
    (2, 9, ["Singing in the Rain", "Deep in a Dream", "Smile"]),
])
def test_move_within_an_episode_shifts_the_cues_between(conn, ep, number, to, expected) -> None:
    curate.move_cue(conn, ep, number, "kim", to=to)
    assert numbers(conn, ep) == list(zip([1, 2, 3], expected))


def test_move_to_another_episode(conn, ep) -> None:
    two = episode(conn, "mini", "s2e1")
    done = curate.move_cue(conn, ep, 2, "kim", to_episode=two)
    assert done.number == 1
    assert numbers(conn, two) == [(1, "Smile")]
    assert [n for n, _ in numbers(conn, ep)] == [1, 3]


def test_renumber_closes_gaps_and_orders_by_time(conn, ep) -> None:
    curate.remove_cue(conn, ep, 1, "kim")
    curate.edit_cue(conn, ep, 3, curate.CueEdit(fields={"time_in_ms": 0}), "kim")
    done = curate.renumber(conn, ep, "kim")
    assert done.numbers == {2: 1, 3: 2}
    done = curate.renumber(conn, ep, "kim", by_time=True)
    assert numbers(conn, ep) == [(1, "Deep in a Dream"), (2, "Smile")]
    assert curate.renumber(conn, ep, "kim", by_time=True).history_id is None
