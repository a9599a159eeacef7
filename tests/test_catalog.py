from __future__ import annotations

from pathlib import Path

import pytest

from cuesheet.db.connection import connect
from cuesheet.errors import InputErrors
from cuesheet.recordings import importer
from cuesheet.viewer.answers import answers

HEADER = "title,artist,album,year,duration,isrc,mbid,spotify_id\n"


def write(tmp_path: Path, body: str, header: str = HEADER) -> Path:
    path = tmp_path / "cat.csv"
    path.write_text(header + body, encoding="utf-8")
    return path


def test_rows_are_read_and_normalised(tmp_path: Path) -> None:
    rows = importer.read_csv(write(tmp_path, "Smile,Nat King Cole,Smile,1954,2:50,us-aaa-54-00001,,spotify:track:0SmileTestTrackId00001\n"))
    assert rows[0].duration_ms == 170_000
    assert rows[0].isrc == "USAAA5400001"
    assert rows[0].spotify_id == "0SmileTestTrackId00001"


@pytest.mark.parametrize(
    ("body", "field"),
    [(",Sia,,,,,,\n", "title"), ("X,Sia,,19x4,,,,\n", "year"), ("X,Sia,,,,nope,,\n", "isrc"),
     ("X,Sia,,,soon,,,\n", "duration"), ("X,Sia,,,,,not-an-id,\n", "mbid")],
)
def test_bad_rows_name_file_line_and_field(tmp_path: Path, body: str, field: str) -> None:
    path = write(tmp_path, "Fine,Row,,,,,,\n" + body)
    with pytest.raises(InputErrors) as info:
        importer.read_csv(path)
    error = info.value.errors[0]
    assert (error.file, error.line, error.field) == (str(path), 3, field)


def test_unknown_column_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputErrors, match="unknown columns"):
        importer.read_csv(write(tmp_path, "X,Y,1\n", header="title,artist,mood\n"))


def test_reimport_does_not_duplicate(tmp_path: Path) -> None:
    conn = connect(tmp_path / "c.sqlite", create=True).conn
    rows = importer.read_csv(write(tmp_path, "Smile,Nat King Cole,,1954,,,,\nRoads,Portishead,Dummy,1994,,,,\n"))
    assert importer.insert_rows(conn, rows) == 2
    assert importer.insert_rows(conn, rows) == 0
    assert conn.execute("SELECT count(*) FROM recordings").fetchone()[0] == 2


def test_shipped_songs_link_only_where_unambiguous(shipped_db_file: Path) -> None:
    conn = connect(shipped_db_file).conn
    songs = {
        (s.title, s.artist): s
        for a in answers(conn, [r[0] for r in conn.execute("SELECT id FROM cues")])
        for s in a.songs
    }
    # Two Sia releases and nothing in the cue sheet chooses: left for review.
    assert songs[("Elastic Heart", "Sia")].status == "review"
    assert songs[("Elastic Heart", "Sia")].year is None
    # The cue sheet names Chet Baker, so Sinatra's take is not linked.
    assert songs[("Deep in a Dream", "Chet Baker")].status == "accepted"
    assert songs[("Deep in a Dream", "Chet Baker")].album is None
    # "2000 re-recording" picks Joni Mitchell's 2000 recording, not Clouds (1969).
    joni = songs[("Both Sides, Now", "Joni Mitchell")]
    assert (joni.album, joni.year) == ("Both Sides Now", 2000)
    assert songs[("Smile", "Nat King Cole")].year == 1954
