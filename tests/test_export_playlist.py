"""`export playlist`: every format parsed back with a real parser, checked against its spec, and golden files.

Golden files live in tests/golden/; after an intended change, rewrite them with
`UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_export_playlist.py`
and review the diff.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cuesheet.cli import app
from cuesheet.db.connection import connect
from cuesheet.errors import CuesheetError, NotFound
from cuesheet.export import FORMATS, export_playlist, format_for
from cuesheet.export.rows import (
    LEFT_OUT_ORIGINAL,
    LEFT_OUT_UNIDENTIFIED,
    LEFT_OUT_UNMATCHED,
    left_out_text,
    select,
)

from .export_support import tiny_db, tiny_db_file  # noqa: F401 (fixtures)

GOLDEN = Path(__file__).resolve().parent / "golden"
WHEN = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)
XSPF = "{http://xspf.org/ns/0/}"
# XSPF 1 track children, in the order the specification lists them.
XSPF_TRACK_ORDER = ["location", "identifier", "title", "creator", "annotation", "info", "image",
                    "album", "trackNum", "duration", "link", "meta", "extension"]
MBID_URL = re.compile(r"^https://musicbrainz\.org/recording/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$")
runner = CliRunner()


@pytest.fixture
def conn(tiny_db: Path):  # type: ignore[no-untyped-def]
    return connect(tiny_db).conn


def render(conn, fmt: str, episode: str | None = "1", **kw) -> str:  # type: ignore[no-untyped-def]
    return export_playlist(conn, "tiny", episode, fmt=fmt, generated=WHEN, **kw).text


def golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")
    assert path.exists(), f"no golden file {path}; run with UPDATE_GOLDEN=1"
    with open(path, encoding="utf-8", newline="") as fh:
        assert text == fh.read(), f"{name} differs from its golden file"


# --- rows -------------------------------------------------------------------------------


def test_rows_follow_episode_and_cue_order_and_split_mashups(conn) -> None:
    playlist = select(conn, "tiny")
    assert [(r.code, r.cue, r.part) for r in playlist.rows] == [
        ("S01E01", 1, 1), ("S01E01", 2, 1), ("S01E01", 2, 2), ("S01E01", 3, 1), ("S01E01", 4, 1),
        ("S01E02", 1, 1),
    ]
    assert [r.position for r in playlist.rows] == [1, 2, 3, 4, 5, 6]
    mashup = [r for r in playlist.rows if r.cue == 2 and r.code == "S01E01"]
    assert [r.title for r in mashup] == ["Morning View", "Elastic Heart"]
    assert [r.performers for r in mashup] == [("Bo",), ("Ada",)]
    assert [r.original for r in playlist.rows] == [False, False, False, True, False, False]
    assert [r.matched for r in playlist.rows] == [True, True, True, False, False, True]


def test_originals_and_unmatched_can_be_left_out_and_are_counted(conn) -> None:
    playlist = select(conn, "tiny", "1", originals=False, matched_only=True)
    assert [r.title for r in playlist.rows] == ["Smile", "Morning View", "Elastic Heart"]
    assert [r.position for r in playlist.rows] == [1, 2, 3]
    # The cast original is unmatched too: it is counted once, as an original.
    assert playlist.left_out == {"cast original (--no-originals)": 1, "unmatched (--matched-only)": 1}
    assert playlist.summary() == (
        "3 songs, 1 cast original (--no-originals) left out, 1 unmatched (--matched-only) left out"
    )


def test_left_out_counts_read_as_english() -> None:
    assert left_out_text(LEFT_OUT_ORIGINAL, 1) == "1 cast original (--no-originals) left out"
    assert left_out_text(LEFT_OUT_ORIGINAL, 2) == "2 cast originals (--no-originals) left out"
    assert left_out_text(LEFT_OUT_UNMATCHED, 3) == "3 unmatched (--matched-only) left out"


def test_season_and_whole_show_scopes(conn) -> None:
    assert select(conn, "tiny", season=1).title == "Tiny Tunes season 1"
    assert len(select(conn, "tiny", season=1).rows) == 6
    assert select(conn, "the tiny show").scope == "all episodes"
    with pytest.raises(NotFound, match="no season 3"):
        select(conn, "tiny", season=3)
    with pytest.raises(CuesheetError, match="not both"):
        select(conn, "tiny", "1", season=1)


# --- each format, parsed back ----------------------------------------------------------------


def parse_m3u(text: str) -> list[tuple[int, str, str]]:
    """(seconds, 'Artist - Title', location) per entry; strict about the extended M3U layout."""
    lines = text.split("\n")
    assert lines[0] == "#EXTM3U" and lines[-1] == ""
    entries, pending = [], None
    for line in lines[1:-1]:
        assert line and line == line.strip(), f"stray line {line!r}"
        if line.startswith("#EXTINF:"):
            assert pending is None, "two #EXTINF lines without a location"
            seconds, _, title = line[len("#EXTINF:"):].partition(",")
            pending = (int(seconds), title)
        elif line.startswith("#"):
            assert pending is None, "a comment between #EXTINF and its location"
        else:
            assert pending is not None, f"a location without #EXTINF: {line}"
            assert " " not in line
            entries.append((*pending, line))
            pending = None
    assert pending is None
    return entries


def test_m3u8(conn) -> None:
    text = render(conn, "m3u8")
    assert not text.startswith("\ufeff")
    entries = parse_m3u(text)
    assert entries[0] == (170, "Nat King Cole - Smile", "https://open.spotify.com/track/0SmileTestTrackId00001")
    assert entries[2] == (-1, "Sia - Elastic Heart",
                          "https://musicbrainz.org/recording/00000000-0000-4000-8000-000000000003")
    assert entries[4][1] == "deep in a dream chet baker"
    assert entries[4][2].startswith("https://open.spotify.com/search/")
    assert "#PLAYLIST:Tiny Tunes S01E01 – Pilot: Rain & Smiles" in text
    assert "# S01E01 cue 3: cast original; unmatched, no recording found in the catalog; " \
        "the location is a search\n#EXTINF:-1,Ann Actor" in text
    golden("tiny-s01e01.m3u8", text)


def test_xspf(conn) -> None:
    text = render(conn, "xspf")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == XSPF + "playlist" and root.get("version") == "1"
    assert root.findtext(XSPF + "title") == "Tiny Tunes S01E01 – Pilot: Rain & Smiles"
    assert root.findtext(XSPF + "date") == "2026-11-24T12:00:00Z"
    tracks = root.findall(f"{XSPF}trackList/{XSPF}track")
    assert len(tracks) == 5
    for track in tracks:
        names = [child.tag.removeprefix(XSPF) for child in track]
        assert all(child.tag.startswith(XSPF) for child in track)
        assert names == sorted(names, key=XSPF_TRACK_ORDER.index), names
        for tag in ("title", "creator", "annotation", "album", "duration", "info"):
            assert len(track.findall(XSPF + tag)) <= 1
        duration = track.findtext(XSPF + "duration")
        assert duration is None or int(duration) > 0
        for uri in [e.text for e in track.findall(XSPF + "location") + track.findall(XSPF + "identifier")]:
            assert uri and " " not in uri and re.match(r"^(https://|spotify:track:)", uri)
    smile = tracks[0]
    assert smile.findtext(XSPF + "duration") == "170000"  # milliseconds
    assert [e.text for e in smile.findall(XSPF + "identifier")] == [
        "https://musicbrainz.org/recording/00000000-0000-4000-8000-000000000001",
        "https://open.spotify.com/track/0SmileTestTrackId00001",
    ]
    metas = {m.get("rel").rsplit("#", 1)[1]: m.text for m in smile.findall(XSPF + "meta")}
    assert metas == {"episode": "S01E01", "cue": "1", "kind": "lip-sync", "usage": "VV", "isrc": "USAAA5400001"}
    unmatched = tracks[4]
    # No id: the same search link the other formats carry, and no identifier.
    assert unmatched.findtext(XSPF + "location") == (
        "https://open.spotify.com/search/deep%20in%20a%20dream%20chet%20baker")
    assert unmatched.find(XSPF + "identifier") is None
    assert "unmatched" in unmatched.findtext(XSPF + "annotation")
    golden("tiny-s01e01.xspf", text)


def test_jspf_holds_every_track(conn) -> None:
    result = export_playlist(conn, "tiny", "1", fmt="jspf", generated=WHEN)
    doc = json.loads(result.text)
    playlist = doc["playlist"]
    assert set(doc) == {"playlist"} and "trackList" not in playlist
    assert playlist["title"] and playlist["creator"] == "cuesheet"
    assert playlist["extension"]["https://musicbrainz.org/doc/jspf#playlist"] == {"public": False}
    assert datetime.fromisoformat(playlist["date"]) == WHEN
    tracks = playlist["track"]
    assert [t["title"] for t in tracks] == [
        "Smile", "Morning View", "Elastic Heart", 'Tiny "Heart", Big City', "deep in a dream chet baker"]
    assert tracks[0]["creator"] == "Nat King Cole" and tracks[0]["album"] == "Smile"
    assert tracks[0]["duration"] == 170000
    assert tracks[0]["identifier"] == ["https://musicbrainz.org/recording/00000000-0000-4000-8000-000000000001",
                                       "https://open.spotify.com/track/0SmileTestTrackId00001"]
    assert tracks[1]["identifier"] == ["https://open.spotify.com/track/0MorningViewTestId0002"]
    assert "identifier" not in tracks[4]
    assert tracks[4]["location"] == ["https://open.spotify.com/search/deep%20in%20a%20dream%20chet%20baker"]
    meta = tracks[0]["extension"]["https://musicbrainz.org/doc/jspf#track"]["additional_metadata"]
    assert meta["isrc"] == "USAAA5400001" and meta["episode"] == "S01E01" and meta["cue"] == 1
    assert result.notes == []
    golden("tiny-s01e01.jspf", result.text)


def test_jspf_for_listenbrainz_keeps_only_recording_mbids(conn) -> None:
    result = export_playlist(conn, "tiny", "1", listenbrainz=True, generated=WHEN)
    assert result.format == "jspf"
    tracks = json.loads(result.text)["playlist"]["track"]
    # ListenBrainz refuses a track without a recording MBID: only the two with one are in.
    assert [t["title"] for t in tracks] == ["Smile", "Elastic Heart"]
    for track in tracks:
        assert len(track["identifier"]) == 1 and MBID_URL.match(track["identifier"][0])
    assert result.notes == [
        "jspf --listenbrainz: 3 songs without a MusicBrainz recording id (ListenBrainz needs one) left out"]
    golden("tiny-s01e01-listenbrainz.jspf", result.text)


def test_listenbrainz_with_no_recording_mbid_is_an_error(conn) -> None:
    conn.execute("UPDATE recordings SET mbid = NULL")
    with pytest.raises(NotFound, match="none of the 5 songs has a MusicBrainz recording id"):
        export_playlist(conn, "tiny", "1", listenbrainz=True, generated=WHEN)


def test_listenbrainz_is_jspf_only(conn) -> None:
    with pytest.raises(CuesheetError, match="--listenbrainz writes a JSPF file, not xspf"):
        export_playlist(conn, "tiny", "1", fmt="xspf", listenbrainz=True)


def test_csv(conn) -> None:
    text = render(conn, "csv")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert text.split("\r\n")[0].startswith("position,episode,episode_title,cue,part,title,artist")
    assert len(rows) == 5
    assert rows[0]["spotify_uri"] == "spotify:track:0SmileTestTrackId00001"
    assert rows[0]["location"] == "https://open.spotify.com/track/0SmileTestTrackId00001"
    assert rows[2]["location"] == "https://musicbrainz.org/recording/00000000-0000-4000-8000-000000000003"
    assert rows[0]["duration_ms"] == "170000" and rows[0]["time_in_ms"] == "135000"
    assert rows[3]["title"] == 'Tiny "Heart", Big City'  # quotes and comma survive RFC 4180 quoting
    assert rows[3]["original"] == "yes" and rows[3]["matched"] == "no"
    assert rows[3]["note"] == "cast original; unmatched: no recording found in the catalog"
    assert rows[4]["artist"] == "" and rows[4]["time_out_ms"] == ""
    assert [(r["cue"], r["part"]) for r in rows] == [("1", "1"), ("2", "1"), ("2", "2"), ("3", "1"), ("4", "1")]
    golden("tiny-s01e01.csv", text)


def test_json(conn) -> None:
    text = render(conn, "json", None)
    doc = json.loads(text)
    assert doc["title"] == "Tiny Tunes: all episodes" and doc["scope"] == "all episodes"
    assert doc["generated"] == "2026-11-24T12:00:00+00:00"
    assert doc["unmatched"] == 2 and doc["left_out"] == {}
    assert [t["code"] for t in doc["tracks"]] == ["S01E01"] * 5 + ["S01E02"]
    first = doc["tracks"][0]
    for key in ("position", "episode", "cue", "part", "title", "artist", "album", "duration_ms", "isrc",
                "mbid", "spotify_id", "spotify_uri", "location", "location_is_search", "identifiers",
                "links", "kind", "usage", "original", "matched", "note", "performers"):
        assert key in first
    assert first["links"] == {"spotify": "https://open.spotify.com/track/0SmileTestTrackId00001",
                              "musicbrainz": "https://musicbrainz.org/recording/00000000-0000-4000-8000-000000000001"}
    search = doc["tracks"][4]
    assert search["identifiers"] == [] and search["location_is_search"] is True
    assert search["location"] == search["links"]["spotify_search"]
    golden("tiny-all.json", text)


def test_a_season_playlist_in_every_format_parses(conn) -> None:
    for fmt in FORMATS:
        text = render(conn, fmt, None, season=1)
        if fmt == "m3u8":
            assert len(parse_m3u(text)) == 6
        elif fmt == "xspf":
            assert len(ET.fromstring(text.encode()).findall(f"{XSPF}trackList/{XSPF}track")) == 6
        elif fmt == "csv":
            assert len(list(csv.DictReader(io.StringIO(text)))) == 6
        else:
            json.loads(text)


def test_the_shipped_season_exports(shipped_db: Path) -> None:
    conn = connect(shipped_db).conn
    playlist = select(conn, "soundtrack", season=1)
    # 32 songs, one of them episode 6's unidentified song: not a playable track, so left out and said.
    assert len(playlist.rows) == 31 and playlist.rows[0].title == "Elastic Heart"
    assert not [r for r in playlist.rows if r.status == "unknown" or not r.title]
    assert playlist.left_out == {LEFT_OUT_UNIDENTIFIED: 1}
    assert playlist.summary().startswith("31 songs")
    assert "1 unidentified song (not a playable track) left out" in playlist.summary()
    assert len(parse_m3u(export_playlist(conn, "soundtrack", fmt="m3u8").text)) == 31


@pytest.mark.parametrize("fmt", ["m3u8", "xspf", "jspf", "csv", "json"])
def test_an_episode_with_only_an_unidentified_song_exports_nothing(shipped_db: Path, fmt: str) -> None:
    out = shipped_db.parent / f"six.{fmt}"
    result = runner.invoke(app, ["export", "playlist", "soundtrack", "6", "-f", fmt, "-o", str(out),
                                          "--db", str(shipped_db)])
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "no playable track" in lines[0] and "unidentified" in lines[0]
    assert not out.exists()


@pytest.mark.parametrize("fmt", ["m3u8", "xspf", "jspf", "csv", "json"])
def test_the_count_line_matches_what_the_file_holds(shipped_db: Path, fmt: str) -> None:
    result = runner.invoke(app, ["export", "playlist", "soundtrack", "--season", "1", "-f", fmt,
                                          "--db", str(shipped_db)])
    assert result.exit_code == 0, result.output
    text = result.stdout
    if fmt == "m3u8":
        held = len(parse_m3u(text))
    elif fmt == "xspf":
        held = len(ET.fromstring(text.encode()).findall(f"{XSPF}trackList/{XSPF}track"))
    elif fmt == "jspf":
        held = len(json.loads(text)["playlist"]["track"])
    elif fmt == "csv":
        held = len(list(csv.DictReader(io.StringIO(text))))
    else:
        held = len(json.loads(text)["tracks"])
    assert f": {held} songs," in result.stderr
    assert "1 unidentified song (not a playable track) left out" in result.stderr


@pytest.mark.parametrize(
    ("fmt", "output", "expected"),
    [(None, None, "m3u8"), ("XSPF", None, "xspf"), ("m3u", None, "m3u8"), (None, "a.jspf", "jspf"),
     (None, "list.CSV", "csv"), (None, "x.txt", "m3u8"), ("json", "a.csv", "json")],
)
def test_format_from_option_or_suffix(fmt, output, expected) -> None:
    assert format_for(fmt, Path(output) if output else None) == expected


def test_unknown_format_names_the_choices() -> None:
    with pytest.raises(CuesheetError, match="m3u8, xspf, jspf, csv, json"):
        format_for("pls", None)


# --- the command -----------------------------------------------------------------------------


def test_cli_writes_stdout_and_counts_on_stderr(tiny_db: Path) -> None:
    result = runner.invoke(app, ["export", "playlist", "tiny", "1", "--matched-only", "--db", str(tiny_db)])
    assert result.exit_code == 0, result.output
    assert len(parse_m3u(result.stdout)) == 3
    assert "3 songs, 2 unmatched (--matched-only) left out (m3u8)" in result.stderr


def test_cli_output_file_takes_its_format_from_the_suffix(tiny_db: Path, tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "tiny.xspf"
    result = runner.invoke(app, ["export", "playlist", "tiny", "--season", "1", "-o", str(target),
                                 "--no-originals", "--db", str(tiny_db)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert len(ET.parse(target).getroot().findall(f"{XSPF}trackList/{XSPF}track")) == 5
    assert f"(xspf to {target})" in result.stderr
    assert [p.name for p in target.parent.iterdir()] == ["tiny.xspf"]  # no temporary file left


def test_cli_failed_export_leaves_no_file(tiny_db: Path, tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "out.m3u8"
    result = runner.invoke(app, ["export", "playlist", "tiny", "9", "-o", str(target), "--db", str(tiny_db)])
    assert result.exit_code == 1
    assert "error:" in result.stderr and "Traceback" not in result.output
    assert list(target.parent.iterdir()) == []


def test_cli_episode_and_season_together_is_an_error(tiny_db: Path) -> None:
    result = runner.invoke(app, ["export", "playlist", "tiny", "1", "--season", "1", "--db", str(tiny_db)])
    assert result.exit_code == 1 and "not both" in result.stderr
