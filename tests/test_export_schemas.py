"""Every playlist file checked against its published grammar, and every format telling one story.

XSPF against an XML Schema retyped from the XSPF v1 rules (tests/schemas/xspf1.xsd),
JSPF against a JSON Schema of its shape (tests/schemas/jspf.schema.json, plus the
ListenBrainz rule for `--listenbrainz`), M3U8 through the `m3u8` package's strict
parser and our own stricter reading of the extended M3U layout. Run over the tiny
show, the hostile one and the shipped season, in every scope.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import xmlschema
from m3u8 import parser as m3u8_parser
from typer.testing import CliRunner

from cuesheet.cli import app
from cuesheet.db.connection import connect
from cuesheet.export import FORMATS, export_playlist

from .export_support import hostile_db, tiny_db, tiny_db_file  # noqa: F401 (fixtures)
from .test_export_playlist import MBID_URL, XSPF, parse_m3u

SCHEMAS = Path(__file__).resolve().parent / "schemas"
XSPF_SCHEMA = xmlschema.XMLSchema(SCHEMAS / "xspf1.xsd")
JSPF_SCHEMA = json.loads((SCHEMAS / "jspf.schema.json").read_text(encoding="utf-8"))
# ListenBrainz's own rule on top: each track identified by its MusicBrainz recording.
LISTENBRAINZ_TRACK = {
    "type": "object",
    "required": ["identifier"],
    "properties": {"identifier": {"type": "array", "minItems": 1,
                                  "items": {"pattern": MBID_URL.pattern}}},
}
runner = CliRunner()


def m3u8_entries(text: str) -> list[tuple[float, str, str]]:
    """The `m3u8` package's strict parser; it knows `#PLAYLIST` and comments only through us."""
    def known(line: str, lineno: int, data: dict[str, Any], state: dict[str, Any]) -> bool:
        if line.startswith("#PLAYLIST:"):
            data["playlist_title"] = line.split(":", 1)[1]
            return True
        return line.startswith("# ")  # a comment (a `#` line that is no directive)

    data = m3u8_parser.parse(text, strict=True, custom_tags_parser=known)
    assert data.get("playlist_title")
    return [(s["duration"], s["title"], s["uri"]) for s in data["segments"]]


def check_m3u8(text: str) -> list[tuple[int, str, str]]:
    ours = parse_m3u(text)
    assert [(float(d), t, u) for d, t, u in ours] == m3u8_entries(text)
    return ours


def check_xspf(text: str) -> None:
    XSPF_SCHEMA.validate(text)


def check_jspf(text: str, listenbrainz: bool = False) -> dict[str, Any]:
    doc = json.loads(text)
    jsonschema.validate(doc, JSPF_SCHEMA)
    if listenbrainz:
        for track in doc["playlist"]["track"]:
            jsonschema.validate(track, LISTENBRAINZ_TRACK)
    return doc


SCOPES = [("1", None), ("2", None), (None, 1), (None, None)]


@pytest.mark.parametrize(("episode", "season"), SCOPES)
@pytest.mark.parametrize("which", ["tiny", "hostile"])
def test_every_playlist_file_follows_its_grammar(request, which: str, episode, season) -> None:
    conn = connect(request.getfixturevalue(f"{which}_db")).conn
    check_m3u8(export_playlist(conn, "tiny", episode, season=season, fmt="m3u8").text)
    check_xspf(export_playlist(conn, "tiny", episode, season=season, fmt="xspf").text)
    check_jspf(export_playlist(conn, "tiny", episode, season=season, fmt="jspf").text)
    check_jspf(export_playlist(conn, "tiny", episode, season=season, listenbrainz=True).text,
               listenbrainz=True)


def test_the_shipped_season_follows_every_grammar(shipped_db: Path) -> None:
    conn = connect(shipped_db).conn
    assert len(check_m3u8(export_playlist(conn, "soundtrack", season=1, fmt="m3u8").text)) == 31
    check_xspf(export_playlist(conn, "soundtrack", season=1, fmt="xspf").text)
    doc = check_jspf(export_playlist(conn, "soundtrack", season=1, fmt="jspf").text)
    # Every playable song, as in every other format: 31 (episode 6's unidentified one is no track).
    assert len(doc["playlist"]["track"]) == 31


@pytest.mark.parametrize("broken", [
    "<playlist version='1' xmlns='http://xspf.org/ns/0/'><title>x</title></playlist>",  # no trackList
    "<playlist version='2' xmlns='http://xspf.org/ns/0/'><trackList/></playlist>",
    "<playlist version='1' xmlns='http://xspf.org/ns/0/'><trackList><track><title>a</title>"
    "<location>http://x/y</location></track></trackList></playlist>",  # out of order
    "<playlist version='1' xmlns='http://xspf.org/ns/0/'><trackList><track>"
    "<location>http://x/a b</location></track></trackList></playlist>",  # a space in a URI
    "<playlist version='1' xmlns='http://xspf.org/ns/0/'><trackList><track>"
    "<duration>2:50</duration></track></trackList></playlist>",  # ms, not a clock
])
def test_the_xspf_schema_refuses_what_the_spec_forbids(broken: str) -> None:
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        XSPF_SCHEMA.validate(broken)


@pytest.mark.parametrize("broken", [
    {"playlist": {"trackList": []}},
    {"playlist": {"track": [{"identifier": "https://musicbrainz.org/recording/x"}]}},  # not a list
    {"playlist": {"track": [{"duration": "170000"}]}},
    {"playlist": {"track": [{"location": ["not a uri"]}]}},
])
def test_the_jspf_schema_refuses_what_the_shape_forbids(broken: dict[str, Any]) -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, JSPF_SCHEMA)


def test_the_m3u8_parser_refuses_a_broken_duration() -> None:
    with pytest.raises(Exception):
        m3u8_entries("#EXTM3U\n#PLAYLIST:x\n#EXTINF:abc,Sia - Elastic Heart\nhttps://x/y\n")


# --- one idea of where a track lives ---------------------------------------------------


def where_each_format_says(conn, episode: str | None, season: int | None) -> dict[str, list[Any]]:  # type: ignore[no-untyped-def]
    """(location, identifiers) per track, read back from each format's own file."""
    import xml.etree.ElementTree as ET

    def text(fmt: str) -> str:
        return export_playlist(conn, "tiny", episode, season=season, fmt=fmt).text

    root = ET.fromstring(text("xspf").encode())
    xspf = [(t.findtext(XSPF + "location"), [i.text for i in t.findall(XSPF + "identifier")])
            for t in root.iter(XSPF + "track")]
    jspf = [((t.get("location") or [None])[0], t.get("identifier", []))
            for t in json.loads(text("jspf"))["playlist"]["track"]]
    as_json = [(t["location"], t["identifiers"]) for t in json.loads(text("json"))["tracks"]]
    as_csv = [r["location"] or None for r in csv.DictReader(io.StringIO(text("csv"), newline=""))]
    m3u = [u for _, _, u in parse_m3u(text("m3u8"))]
    return {"xspf": xspf, "jspf": jspf, "json": as_json, "csv": as_csv, "m3u8": m3u}


@pytest.mark.parametrize(("episode", "season"), SCOPES)
def test_every_format_gives_the_same_location_and_identifiers(conn_tiny, episode, season) -> None:
    said = where_each_format_says(conn_tiny, episode, season)
    assert said["xspf"] == said["jspf"] == said["json"]
    assert said["csv"] == [loc for loc, _ in said["json"]]
    assert said["m3u8"] == [loc for loc, _ in said["json"] if loc]
    assert set(FORMATS) == set(said)


def test_an_unidentified_song_is_no_track_in_any_format(conn_tiny) -> None:
    # A song nobody identified, with no words heard (issue #14's unknown songs): nothing to play.
    before = where_each_format_says(conn_tiny, "1", None)
    conn_tiny.execute("UPDATE cue_songs SET title = NULL, artist = NULL, text = '', match_status = 'unmatched'"
                      " WHERE coalesce(title, text) LIKE 'deep in a dream%'")
    said = where_each_format_says(conn_tiny, "1", None)
    for fmt in FORMATS:
        assert len(said[fmt]) == len(before[fmt]) - 1, fmt
    assert said["xspf"] == said["jspf"] == said["json"]
    result = export_playlist(conn_tiny, "tiny", "1", fmt="m3u8")
    assert "1 unidentified song (not a playable track) left out" in result.playlist.summary()
    check_m3u8(result.text)
    check_xspf(export_playlist(conn_tiny, "tiny", "1", fmt="xspf").text)


@pytest.fixture
def conn_tiny(tiny_db: Path):  # type: ignore[no-untyped-def]
    return connect(tiny_db).conn


# --- nothing to export ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", [*FORMATS, "listenbrainz"])
def test_an_export_with_no_tracks_fails_in_every_format(tiny_db: Path, tmp_path: Path, fmt: str) -> None:
    """Episode 2's one song, unlinked from its recording, is left out by --matched-only."""
    conn = connect(tiny_db).conn
    conn.execute("UPDATE cue_songs SET recording_id = NULL, match_status = 'no_match' WHERE cue_id IN "
                 "(SELECT c.id FROM cues c JOIN episodes e ON e.id = c.episode_id WHERE e.number = 2)")
    conn.commit()
    option = ["--listenbrainz"] if fmt == "listenbrainz" else ["-f", fmt]
    target = tmp_path / "out"
    result = runner.invoke(app, ["export", "playlist", "tiny", "2", "--matched-only", *option,
                                 "-o", str(target), "--db", str(tiny_db)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: Tiny Tunes S01E02 – Second Helping: every song was left out (1 unmatched (--matched-only) left out); "
        "nothing to export"]
    assert not target.exists()
