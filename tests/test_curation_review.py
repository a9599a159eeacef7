"""The review queue: doubtful matches, the curator's decisions, and the matcher respecting them."""

from __future__ import annotations

from pathlib import Path

import pytest

from cuesheet.curation import review
from cuesheet.curation.matcher import match_new
from cuesheet.db import history
from cuesheet.errors import CuesheetError, InputError, InputErrors, NotFound

from .curator_helpers import open_conn, snapshot


@pytest.fixture
def conn(shipped_db: Path):
    return open_conn(shipped_db)


def _elastic(conn) -> review.Item:
    [it] = [i for i in review.queue(conn) if i.text == "Elastic Heart - Sia"]
    return it


def _status(conn, song_id: int) -> tuple[str, str | None]:
    return conn.execute(
        "SELECT s.match_status, r.title || ' / ' || r.artist || ' / ' || coalesce(r.year, '')"
        " FROM cue_songs s LEFT JOIN recordings r ON r.id = s.recording_id WHERE s.id = ?", [song_id]).fetchone()


def test_queue_lists_doubtful_songs_with_ranked_candidates(conn) -> None:
    it = _elastic(conn)
    assert (it.code, it.cue, it.status) == ("S01E01", 1, "review")
    assert [c.rank for c in it.candidates] == [1, 2]
    assert {c.candidate.year for c in it.candidates} == {2013, 2014}
    assert all(c.reasons for c in it.candidates)
    data = it.to_json()
    assert data["candidates"][0]["title"] == "Elastic Heart" and "reasons" in data["candidates"][0]


def test_accept_pick_links_that_candidate_and_the_matcher_keeps_it(conn) -> None:
    it = _elastic(conn)
    year = it.candidates[1].candidate.year
    done = review.accept(conn, it.id, "kim", pick=2)
    assert _status(conn, it.id) == ("curated", f"Elastic Heart / {it.candidates[1].candidate.artist} / {year}")
    assert review.queue(conn) == []
    match_new(conn, [it.id])
    assert _status(conn, it.id)[0] == "curated"
    assert history.get(conn, done.history_id).action == "review accept"


def test_undo_of_an_accept_puts_the_song_back_in_the_queue(conn) -> None:
    before = snapshot(conn)
    review.accept(conn, _elastic(conn).id, "kim")
    history.undo(conn, None, "kim")
    assert snapshot(conn) == before
    assert len(_elastic(conn).candidates) == 2


def test_reject_is_final_for_the_matcher(conn) -> None:
    it = _elastic(conn)
    review.reject(conn, it.id, "kim")
    match_new(conn, [it.id])
    assert _status(conn, it.id) == ("rejected", None)
    assert review.queue(conn) == []
    # The turned-down candidates are kept as a record.
    assert len(review.item(conn, it.id).candidates) == 2


def test_set_by_title_and_artist_adds_a_curated_recording(conn) -> None:
    it = _elastic(conn)
    review.set_recording(conn, it.id, "kim", title="Elastic Heart", artist="Sia", album="Live", year=2016,
                         mbid="https://musicbrainz.org/recording/12345678-1234-1234-1234-123456789abc")
    assert _status(conn, it.id) == ("curated", "Elastic Heart / Sia / 2016")
    mbid = conn.execute("SELECT r.mbid FROM cue_songs s JOIN recordings r ON r.id = s.recording_id"
                        " WHERE s.id = ?", [it.id]).fetchone()[0]
    assert mbid == "12345678-1234-1234-1234-123456789abc"


def test_set_by_a_known_id_uses_that_recording(conn) -> None:
    it = _elastic(conn)
    rec_id = conn.execute("SELECT id FROM recordings WHERE year = 2014 AND title = 'Elastic Heart'").fetchone()[0]
    conn.execute("UPDATE recordings SET spotify_id = '4L5jXpQvLdvZ8Vu6mUsYBH' WHERE id = ?", [rec_id])
    review.set_recording(conn, it.id, "kim", spotify_id="spotify:track:4L5jXpQvLdvZ8Vu6mUsYBH")
    assert conn.execute("SELECT recording_id FROM cue_songs WHERE id = ?", [it.id]).fetchone()[0] == rec_id


def test_set_errors(conn) -> None:
    it = _elastic(conn)
    before = snapshot(conn)
    with pytest.raises(InputErrors):
        review.set_recording(conn, it.id, "kim", mbid="not-an-id", isrc="bad")
    with pytest.raises(NotFound):
        review.set_recording(conn, it.id, "kim", mbid="12345678-1234-1234-1234-123456789abc")
    with pytest.raises(InputError):
        review.set_recording(conn, it.id, "kim", title="Only a title")
    assert snapshot(conn) == before


def test_accept_errors(conn) -> None:
    it = _elastic(conn)
    with pytest.raises(InputError):
        review.accept(conn, it.id, "kim", pick=3)
    with pytest.raises(NotFound):
        review.accept(conn, 9999, "kim")
    other = conn.execute("SELECT id FROM cue_songs WHERE match_status = 'accepted' LIMIT 1").fetchone()[0]
    with pytest.raises(CuesheetError):
        review.accept(conn, other, "kim")
    review.accept(conn, it.id, "kim", pick=2)
    with pytest.raises(CuesheetError) as again:  # accepting twice: say it is decided, not "no candidates"
        review.accept(conn, it.id, "kim")
    assert "already decided: curated as Elastic Heart — Sia" in again.value.message
