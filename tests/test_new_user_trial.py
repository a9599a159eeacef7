"""What a new curator's trial run found: each test fails on the code before its fix."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cuesheet.cli import app
from cuesheet.curation import cues as curate

from .curator_helpers import open_conn, snapshot

runner = CliRunner()


def run(db: Path, *args: str, input: str | None = None):
    return runner.invoke(app, [*args, "--db", str(db)], input=input)


def _unknown_song_id(db: Path) -> int:
    conn = open_conn(db)
    return int(conn.execute("""SELECT cs.id FROM cue_songs cs JOIN cues c ON c.id = cs.cue_id
                                JOIN episodes e ON e.id = c.episode_id
                               WHERE e.number = 6 AND cs.match_status = 'unknown'""").fetchone()[0])


# --- episode 6: the unnamed song and the episode's notes ------------------------------------------


def test_what_shows_the_scene_and_the_episode_notes_when_no_song_has_a_name(shipped_db: Path) -> None:
    r = run(shipped_db, "what", "soundtrack", "6")
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert any("an unidentified song" in line for line in lines)
    assert any(line.strip().startswith("Scene not described") for line in lines)  # the cue's scene, from data/
    [about] = [line for line in lines if line.startswith("About this episode:")]
    assert "cut for budget" in about  # the episode's notes, which say why no song is named
    # An episode with a named song keeps to its cards.
    r = run(shipped_db, "what", "soundtrack", "7")
    assert r.exit_code == 0 and "About this episode" not in r.stdout


# --- review search: only what applies, and --offline not echoed ----------------------------------


def test_review_search_with_nothing_found_does_not_offer_a_pick(shipped_db: Path) -> None:
    song = _unknown_song_id(shipped_db)
    r = run(shipped_db, "review", "search", str(song), "hold on wilson phillips", "--offline")
    assert r.exit_code == 0, r.output
    assert "none found" in r.stdout
    assert "--pick" not in r.stderr and f"review set {song}" in r.stderr
    assert "skipped" not in r.output  # --offline was asked for; it is not said back
    r = run(shipped_db, "review", "search", str(song), "roads portishead", "--offline")
    assert r.exit_code == 0 and f"review accept {song} --pick N" in r.stderr


def test_sources_left_out_for_another_reason_are_still_said(shipped_db: Path, monkeypatch: pytest.MonkeyPatch,
                                                             tmp_path: Path, closed_port: int) -> None:
    base = f"http://127.0.0.1:{closed_port}"
    for name, value in {"CUESHEET_MUSICBRAINZ_URL": base, "CUESHEET_MUSICBRAINZ_RATE": "0",
                        "CUESHEET_SPOTIFY_API_URL": base + "/v1/", "CUESHEET_SPOTIFY_TOKEN_URL": base + "/api/token",
                        "CUESHEET_CACHE_PATH": str(tmp_path / "responses.sqlite"), "CUESHEET_RETRIES": "0"}.items():
        monkeypatch.setenv(name, value)
    r = run(shipped_db, "review", "search", str(_unknown_song_id(shipped_db)), "roads portishead")
    assert r.exit_code == 0, r.output
    assert "skipped spotify: no credentials" in r.stderr


# --- messages ------------------------------------------------------------------------------------


def test_episode_set_names_its_options_and_the_value_it_replaces(shipped_db: Path) -> None:
    before = snapshot(open_conn(shipped_db))
    r = run(shipped_db, "episode", "set", "soundtrack", "6", "--air-date", "2019-13-45")
    assert r.exit_code == 1 and r.stderr.startswith("error: --air-date: '2019-13-45'")
    r = run(shipped_db, "episode", "set", "soundtrack", "6", "--length", "abc")
    assert r.exit_code == 1 and "--fps" not in r.stderr  # episode set has no --fps to point at
    assert snapshot(open_conn(shipped_db)) == before
    r = run(shipped_db, "episode", "set", "soundtrack", "6", "--note", "checked")
    assert r.exit_code == 0, r.output
    assert re.search(r"notes: 'The episode holds exactly one song.*…' -> 'checked'", r.stdout)
    assert "`cuesheet undo` takes it back" in r.stderr
    r = run(shipped_db, "episode", "set", "soundtrack", "6", "--note", "checked")
    assert "Soundtrack S01E06 already has those values; nothing changed" in r.stdout


def test_import_says_added_and_counts_the_unidentified_song(shipped_db: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "more.csv"
    sheet.write_text("season,episode,cue,title,artist,heard\n"
                     "1,6,2,Roads,Portishead,\n"
                     "1,6,3,,,\"female voice, 80s synth\"\n", encoding="utf-8")
    r = run(shipped_db, "cue", "import", str(sheet), "--show", "soundtrack")
    assert r.exit_code == 0, r.output
    assert "added S01E06 cue 2: Roads — Portishead" in r.stdout
    assert "Imported 2 cues with 2 songs into Soundtrack: 1 accepted, 0 for review, 0 without a match, " \
           "1 unidentified" in r.stdout.replace("\n", " ")
    report = json.loads(run(shipped_db, "cue", "import", str(sheet), "--show", "soundtrack", "--replace",
                            "--dry-run", "--json").stdout)[0]
    assert report["unidentified"] == 1


def test_cue_add_header_lists_the_cues_it_says(shipped_db: Path) -> None:
    r = run(shipped_db, "cue", "add", "soundtrack", "8", "--prompt", "--full", input="\x04")
    assert "2 cues so far: 1 Butterfly By, 2 It's a Fine Life" in r.stdout
    assert "the last:" not in r.stdout


def test_listings_start_with_their_first_line_and_a_capital(shipped_db: Path) -> None:
    r = run(shipped_db, "history")  # a fresh build has no changes
    assert r.stderr.strip() == "No changes recorded yet."
    for args in (["review", "unknown"], ["review", "--status", "unknown"]):
        r = run(shipped_db, *args)
        assert r.exit_code == 0, r.output
        assert r.stdout.splitlines()[0].startswith("#")  # no blank line first


# --- kinds and usages as people type them -------------------------------------------------------


@pytest.mark.parametrize("typed, kind", [("lipsync", "lip-sync"), ("lip sync", "lip-sync"), ("Lip-Sync", "lip-sync"),
                                         ("cast original", "cast-original"), ("mash", "mashup"), ("BACKGROUND", "background")])
def test_kind_variants(typed: str, kind: str) -> None:
    assert curate.kind_named(typed) == kind


def test_kind_that_is_not_one_stays_unknown() -> None:
    assert curate.kind_named("karaoke") is None and curate.kind_named("") is None
    assert curate.usage_named("v v") == "VV" and curate.usage_named("zz") is None


def test_the_kind_prompt_takes_lipsync(shipped_db: Path) -> None:
    answers = "\n".join(["", "", "", "", "", "roads portishead", "1", "", "lipsync", "", "y"]) + "\n"
    r = run(shipped_db, "cue", "add", "soundtrack", "6", "--prompt", "--full", "--offline", input=answers)
    assert r.exit_code == 0, r.output
    assert "is not one of" not in r.stdout
    r = run(shipped_db, "cue", "add", "soundtrack", "6", "--song", "roads portishead", "--kind", "lip sync",
            "--yes", "--offline", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)[0]["kind"] == "lip-sync"


def test_episode_set_add_note_keeps_the_researched_note(shipped_db: Path) -> None:
    conn = open_conn(shipped_db)
    [old] = conn.execute("SELECT notes FROM episodes WHERE number = 6").fetchone()
    r = run(shipped_db, "episode", "set", "soundtrack", "6", "--add-note", "Checked in 2026.")
    assert r.exit_code == 0, r.output
    assert "notes: added 'Checked in 2026.'" in r.stdout
    assert conn.execute("SELECT notes FROM episodes WHERE number = 6").fetchone()[0] == old + " Checked in 2026."
    r = run(shipped_db, "episode", "set", "soundtrack", "6", "--add-note", "x", "--note", "y")
    assert r.exit_code == 2
    assert run(shipped_db, "undo").exit_code == 0
    assert conn.execute("SELECT notes FROM episodes WHERE number = 6").fetchone()[0] == old


def test_cue_add_card_has_no_trailing_spaces(shipped_db: Path) -> None:
    r = run(shipped_db, "cue", "add", "soundtrack", "6", "--unknown", "--heard", "female voice, 80s synth",
            "--scene", "Joanna at the gym", "--yes")
    assert r.exit_code == 0, r.output
    assert "Joanna at the gym" in r.stdout
    assert [line for line in r.stdout.splitlines() if line != line.rstrip()] == []
