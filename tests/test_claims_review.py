"""Claimed ids end to end: brought in with `catalog claims`, audited on build, listed by
`review claims`, decided by `review accept/reject --claim` (undoable), dumped, and played:
an accepted id is a real track in every export and in `export spotify`, a search page only
where no id is accepted."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cuesheet.cli import app
from cuesheet.db.connection import connect
from cuesheet.export import export_playlist
from cuesheet.export import spotify_playlist as spotify
from cuesheet.export.rows import select
from cuesheet.files.build import build

from .conftest import FIXTURES
from .test_export_schemas import check_jspf, check_m3u8, check_xspf
from .test_export_spotify import config, fake, no_browser, token_file  # noqa: F401 (fixtures)

runner = CliRunner()

RAIN = "1RainRemasterTrack0001"    # the same recording, remastered: accepted
SMILE = "2SmileKaraokeTrack0002"   # a karaoke track: review
BELIEVER = "3BelieverRadioEdit0003"  # a radio edit: review
DREAM = "4DeepDreamNoDetails004"   # no details of the track known: review

CLAIMS = {
    "        artist: Gene Kelly\n": RAIN,
    "        artist: Nat King Cole\n": SMILE,
    "        artist: Imagine Dragons\n": BELIEVER,
    "        artist: Chet Baker\n": DREAM,
}
TRACKS = """id,title,artist,album,release_date,duration_ms,source
1RainRemasterTrack0001,Singin' in the Rain - Remastered 2002,Gene Kelly,Singin' in the Rain (Deluxe Edition),1952,200000,fan-list row 1
2SmileKaraokeTrack0002,Smile (In the Style of Nat King Cole) - Karaoke Version,Karaoke Kings,Karaoke Hits Vol. 4,2011,180000,fan-list row 2
3BelieverRadioEdit0003,Believer - Radio Edit,Imagine Dragons,Believer,2017,190000,fan-list row 3
"""
# The same tracks as a fan dataset names its columns (mapped with --map / --mapping).
FAN = """spotify_track_id,song_title,artist,spotify_title,spotify_artist,spotify_album,album_release_date,duration_ms,source
1RainRemasterTrack0001,Singing in the Rain,Gene Kelly,Singin' in the Rain - Remastered 2002,Gene Kelly,Singin' in the Rain (Deluxe Edition),1952,200000,fan-list row 1
2SmileKaraokeTrack0002,Smile,Nat King Cole,Smile (In the Style of Nat King Cole) - Karaoke Version,Karaoke Kings,Karaoke Hits Vol. 4,2011,180000,fan-list row 2
3BelieverRadioEdit0003,Believer,Imagine Dragons,Believer - Radio Edit,Imagine Dragons,Believer,2017,190000,fan-list row 3
"""
MAPPING = ["spotify_track_id=id", "spotify_title=title", "spotify_artist=artist", "spotify_album=album",
           "album_release_date=release_date", "song_title=-"]


def data_with_claims(tmp_path: Path, *, tracks: bool = True) -> Path:
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "minishow", data)
    path = data / "mini" / "s01e01.yaml"
    text = path.read_text(encoding="utf-8")
    for anchor, track_id in CLAIMS.items():
        assert anchor in text
        text = text.replace(anchor, anchor + f"        id_claims: [{{service: spotify, id: {track_id}, sources: [list]}}]\n", 1)
    path.write_text(text, encoding="utf-8")
    if tracks:
        (data / "claims").mkdir()
        (data / "claims" / "spotify.csv").write_text(TRACKS, encoding="utf-8")
    return data


@pytest.fixture
def claims_db(tmp_path: Path) -> Path:
    path = tmp_path / "c.sqlite"
    build(data_with_claims(tmp_path), path)
    return path


def cli(*args: str) -> object:
    return runner.invoke(app, list(args))


def claims_json(path: Path, *extra: str) -> list[dict[str, object]]:
    result = cli("review", "claims", "--json", "--db", str(path), *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# --- the audit and its listing -------------------------------------------------------------------


def test_build_audits_every_claim_and_review_claims_lists_them(claims_db: Path) -> None:
    items = claims_json(claims_db)
    assert [(i["title"], i["claim"]["id"], i["verdict"]) for i in items] == [
        ("Singing in the Rain", RAIN, "accepted"),
        ("Smile", SMILE, "review"),
        ("Believer", BELIEVER, "review"),
        ("Deep in a Dream", DREAM, "review"),
    ]
    rain = items[0]
    assert set(rain) == {"song_id", "show", "season", "episode", "code", "episode_title", "cue", "title", "artist",
                         "claim", "verdict", "kind", "reasons", "decided_by", "decided_at"}
    assert rain["show"] == "Mini Musical" and (rain["season"], rain["episode"], rain["cue"]) == (1, 1, 1)
    assert rain["artist"] == "Gene Kelly" and isinstance(rain["song_id"], int)
    assert rain["claim"] == {
        "service": "spotify", "id": RAIN, "url": f"https://open.spotify.com/track/{RAIN}",
        "title": "Singin' in the Rain - Remastered 2002", "artist": "Gene Kelly",
        "album": "Singin' in the Rain (Deluxe Edition)", "release_date": "1952", "duration_ms": 200000,
        "sources": ["list"]}
    assert rain["kind"] == "same recording" and rain["decided_by"] is None
    assert any("released again" in r for r in rain["reasons"])
    kinds = {i["claim"]["id"]: (i["kind"], i["reasons"][0]) for i in items[1:]}
    assert kinds[SMILE][0] == "another performer" and "In the Style of" in kinds[SMILE][1]
    assert kinds[BELIEVER][0] == "another edit" and "radio edit" in kinds[BELIEVER][1]
    assert kinds[DREAM][0] == "unclear" and "catalog claims" in kinds[DREAM][1]
    # Every claim has a verdict with reasons.
    assert all(i["verdict"] in ("accepted", "review", "rejected") and i["reasons"] for i in items)


def test_review_claims_filters_and_reads_as_text(claims_db: Path) -> None:
    assert [i["claim"]["id"] for i in claims_json(claims_db, "--verdict", "accepted")] == [RAIN]
    assert claims_json(claims_db, "mini", "S02E01") == []
    assert len(claims_json(claims_db, "mini", "--season", "1")) == 4
    result = cli("review", "claims", "--db", str(claims_db))
    assert result.exit_code == 0
    assert "Singing in the Rain — Gene Kelly  accepted" in result.stdout
    assert "spotify 2SmileKaraokeTrack0002: Smile (In the Style of Nat King Cole)" in result.stdout
    assert "1 accepted, 3 review" in result.stderr
    bad = cli("review", "claims", "--verdict", "maybe", "--db", str(claims_db))
    assert bad.exit_code == 2


# --- a curator's decision ------------------------------------------------------------------------


def test_accept_reject_and_undo_a_claim(claims_db: Path) -> None:
    items = {i["claim"]["id"]: i for i in claims_json(claims_db)}
    believer, rain = items[BELIEVER]["song_id"], items[RAIN]["song_id"]
    accepted = cli("review", "accept", str(believer), "--claim", "--json", "--db", str(claims_db))
    assert accepted.exit_code == 0, accepted.output
    done = json.loads(accepted.stdout)[0]
    assert done["verdict"] == "accepted" and done["claims"] == [
        {"song_id": believer, "service": "spotify", "id": BELIEVER}]
    now = {i["claim"]["id"]: i for i in claims_json(claims_db)}[BELIEVER]
    assert now["verdict"] == "accepted" and now["decided_by"] and now["decided_at"]
    assert now["reasons"] == [f"accepted by {now['decided_by']}"]
    rejected = cli("review", "reject", str(rain), "--claim", "--db", str(claims_db))
    assert rejected.exit_code == 0, rejected.output
    assert f"rejected spotify {RAIN}" in rejected.stdout
    assert {i["claim"]["id"]: i["verdict"] for i in claims_json(claims_db)}[RAIN] == "rejected"
    history = cli("history", "--json", "--db", str(claims_db))
    actions = [e["action"] for e in json.loads(history.stdout)]
    assert actions[:2] == ["review reject claim", "review accept claim"]
    assert cli("undo", "--db", str(claims_db)).exit_code == 0
    back = {i["claim"]["id"]: i for i in claims_json(claims_db)}
    assert back[RAIN]["verdict"] == "accepted" and back[RAIN]["decided_by"] is None  # the audit's again
    assert back[BELIEVER]["verdict"] == "accepted"


def test_a_song_without_a_claim_is_a_clear_error(claims_db: Path) -> None:
    conn = sqlite3.connect(claims_db)
    (song,) = conn.execute("SELECT max(id) + 1 FROM cue_songs").fetchone()
    result = cli("review", "accept", str(song), "--claim", "--db", str(claims_db))
    assert result.exit_code == 1 and f"no id claim on song #{song}" in result.stderr
    assert "Traceback" not in result.output


def test_a_curators_decision_is_dumped_and_survives_a_build(claims_db: Path, tmp_path: Path) -> None:
    smile = {i["claim"]["id"]: i for i in claims_json(claims_db)}[SMILE]["song_id"]
    assert cli("review", "reject", str(smile), "--claim", "--db", str(claims_db)).exit_code == 0
    out = tmp_path / "out"
    result = cli("dump", "--db", str(claims_db), "--to", str(out))
    assert result.exit_code == 0, result.output
    episode = (out / "mini" / "s01e01.yaml").read_text(encoding="utf-8")
    assert "verdict: rejected" in episode and "decided_by:" in episode
    assert (out / "claims" / "spotify.csv").read_bytes() == TRACKS.replace("\n", "\r\n").encode("utf-8")
    again = tmp_path / "again.sqlite"
    build(out, again)
    verdicts = {i["claim"]["id"]: (i["verdict"], i["decided_by"]) for i in claims_json(again)}
    assert verdicts[SMILE][0] == "rejected" and verdicts[SMILE][1]
    assert verdicts[RAIN] == ("accepted", None)


# --- bringing the tracks in ----------------------------------------------------------------------


def test_catalog_claims_imports_with_a_mapping_audits_and_is_undoable(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    build(data_with_claims(tmp_path, tracks=False), path)
    assert {i["verdict"] for i in claims_json(path)} == {"review"}
    fan = tmp_path / "fan.csv"
    fan.write_text(FAN, encoding="utf-8")
    mapping = tmp_path / "fan.toml"
    mapping.write_text("# the fan dataset's columns\n[columns]\n"
                       + "".join(f'{c} = "{f}"\n' for c, f in (m.split("=") for m in MAPPING[:3])), encoding="utf-8")
    args = ["catalog", "claims", str(fan), "--mapping", str(mapping), *[f"--map={m}" for m in MAPPING[3:]],
            "--db", str(path)]
    result = cli(*args)
    assert result.exit_code == 0, result.output
    assert "3 new, 0 changed" in result.stdout and "1 accepted, 3 review" in result.stdout
    assert {i["claim"]["id"]: i["verdict"] for i in claims_json(path)}[RAIN] == "accepted"
    again = cli(*args, "--json")
    assert json.loads(again.stdout)["new"] == 0 and json.loads(again.stdout)["history_id"] is None
    assert cli("undo", "--db", str(path)).exit_code == 0
    assert {i["verdict"] for i in claims_json(path)} == {"review"}
    assert sqlite3.connect(path).execute("SELECT count(*) FROM claimed_tracks").fetchone() == (0,)


def test_tracks_no_claim_names_yet_are_still_one_undoable_change(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    build(FIXTURES / "minishow", path)
    tracks = tmp_path / "tracks.csv"
    tracks.write_text(TRACKS, encoding="utf-8")
    result = cli("catalog", "claims", str(tracks), "--json", "--db", str(path))
    assert result.exit_code == 0, result.output
    done = json.loads(result.stdout)
    assert done["new"] == 3 and done["verdicts"] == {} and done["history_id"]
    assert cli("undo", "--db", str(path)).exit_code == 0
    assert sqlite3.connect(path).execute("SELECT count(*) FROM claimed_tracks").fetchone() == (0,)


@pytest.mark.parametrize(("text", "args", "message"), [
    (FAN, ["--map", "track=id"], "no column for id (column 'track')"),
    (FAN, [], "no column for id"),
    (TRACKS.replace("3BelieverRadioEdit0003", "not-an-id"), [], "fan.csv:4: id (column 1): 'not-an-id' is not"),
    (TRACKS.replace(",Imagine Dragons,", ",,"), [], "fan.csv:4: artist (column 3): is empty"),
    (TRACKS.replace(",190000,", ",3 min,"), [], "fan.csv:4: duration_ms (column 6)"),
    (TRACKS + "1RainRemasterTrack0001,Other,Someone,,,,x\n", [], "fan.csv:5: id (column 1): 1RainRemasterTrack0001"
     " is described differently on line 2"),
])
def test_bad_claimed_track_files_are_located_errors_and_change_nothing(
        claims_db: Path, tmp_path: Path, text: str, args: list[str], message: str) -> None:
    fan = tmp_path / "fan.csv"
    fan.write_text(text, encoding="utf-8")
    before = sqlite3.connect(claims_db).execute("SELECT * FROM claimed_tracks ORDER BY id").fetchall()
    result = cli("catalog", "claims", str(fan), *args, "--db", str(claims_db))
    assert result.exit_code == 1 and message in result.stderr, result.output
    assert "Traceback" not in result.output
    assert sqlite3.connect(claims_db).execute("SELECT * FROM claimed_tracks ORDER BY id").fetchall() == before


def test_a_bad_mapping_is_refused(claims_db: Path, tmp_path: Path) -> None:
    fan = tmp_path / "fan.csv"
    fan.write_text(FAN, encoding="utf-8")
    result = cli("catalog", "claims", str(fan), "--map", "spotify_title=colour", "--db", str(claims_db))
    assert result.exit_code == 1 and "'colour' is not a field" in result.stderr


# --- playlists that play -------------------------------------------------------------------------


def test_an_accepted_claim_is_a_real_track_in_every_export(claims_db: Path) -> None:
    conn = connect(claims_db).conn
    playlist = select(conn, "mini", "S01E01")
    by_title = {r.title: r for r in playlist.rows}
    assert by_title["Singing in the Rain"].spotify_id == RAIN and by_title["Singing in the Rain"].real
    assert not by_title["Smile"].real and by_title["Smile"].spotify_id is None  # a karaoke claim never plays
    assert playlist.real == 1 and playlist.searches == len(playlist.rows) - 1
    m3u = export_playlist(conn, "mini", "S01E01", fmt="m3u8").text
    entries = check_m3u8(m3u)
    assert (f"https://open.spotify.com/track/{RAIN}") in [u for _, _, u in entries]
    assert f"# 1 of {len(playlist.rows)} tracks is real" in m3u
    xspf = export_playlist(conn, "mini", "S01E01", fmt="xspf").text
    check_xspf(xspf)
    assert f"<identifier>https://open.spotify.com/track/{RAIN}</identifier>" in xspf
    jspf = check_jspf(export_playlist(conn, "mini", "S01E01", fmt="jspf").text)
    [rain] = [t for t in jspf["playlist"]["track"] if t.get("title") == "Singing in the Rain"]
    assert rain["identifier"] == [f"https://open.spotify.com/track/{RAIN}"]
    assert rain["location"] == [f"https://open.spotify.com/track/{RAIN}"]
    doc = json.loads(export_playlist(conn, "mini", "S01E01", fmt="json").text)
    assert doc["real"] == 1
    [track] = [t for t in doc["tracks"] if t["title"] == "Singing in the Rain"]
    assert track["spotify_uri"] == f"spotify:track:{RAIN}" and track["real"] and not track["location_is_search"]
    assert "accepted by the claims audit" in track["note"]


def test_listen_links_put_the_accepted_track_first(claims_db: Path) -> None:
    result = cli("what", "mini", "S01E01", "--json", "--db", str(claims_db))
    assert result.exit_code == 0, result.output
    songs = {s["title"]: s for a in json.loads(result.stdout) for s in a["songs"]}
    rain = songs["Singing in the Rain"]
    assert rain["ids"] == {"spotify_id": RAIN}
    assert list(rain["links"])[:2] == ["spotify", "musicbrainz_search"]
    assert list(songs["Smile"]["links"])[0] == "spotify_search"
    text = cli("what", "mini", "S01E01", "--db", str(claims_db))
    assert f"https://open.spotify.com/track/{RAIN}" in text.stdout


def test_export_spotify_adds_accepted_ids_without_searching(claims_db, fake, config, token_file) -> None:  # type: ignore[no-untyped-def]
    playlist = select(connect(claims_db).conn, "mini", "S01E01")
    report = spotify.export(config, playlist, open_url=no_browser, token_file=token_file, sleep=lambda _s: None,
                            search=False)
    assert report.by_id == 1 and report.found_by_search == 0
    [made] = fake.playlists.values()
    assert made.items == [f"spotify:track:{RAIN}"]
    assert fake.queries("GET", "/v1/search") == []
    assert report.to_json()["by_id"] == 1


def test_build_refuses_to_lose_imported_tracks_until_they_are_dumped(tmp_path: Path) -> None:
    data = data_with_claims(tmp_path, tracks=False)
    path = tmp_path / "c.sqlite"
    build(data, path)
    tracks = tmp_path / "tracks.csv"
    tracks.write_text(TRACKS, encoding="utf-8")
    assert cli("catalog", "claims", str(tracks), "--db", str(path)).exit_code == 0
    refused = cli("build", "--from", str(data), "--db", str(path))
    assert refused.exit_code == 1 and "3 claimed tracks the files lack" in refused.stderr
    assert cli("dump", "--db", str(path), "--to", str(data)).exit_code == 0
    again = cli("build", "--from", str(data), "--db", str(path))
    assert again.exit_code == 0, again.output
    assert {i["claim"]["id"]: i["verdict"] for i in claims_json(path)}[RAIN] == "accepted"
