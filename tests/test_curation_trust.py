"""Issue #14: changes a curator can trust — undo keeps references whole, `match` is undoable,
bookkeeping columns are not conflicts, one cue of a larger change can be undone."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cuesheet.cli import app
from cuesheet.curation import check, review
from cuesheet.curation import cues as curate
from cuesheet.curation.matcher import Matcher, match_recorded
from cuesheet.db import history
from cuesheet.errors import CuesheetError
from cuesheet.viewer.resolve import find_show

from .curator_helpers import draft, episode, open_conn, snapshot

runner = CliRunner()


def run(db: Path, *args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(app, [*args, "--db", str(db)], input=input)


def _song_ids(conn, ep) -> list[int]:  # type: ignore[no-untyped-def]
    return [r[0] for r in conn.execute(
        """SELECT s.id FROM cue_songs s JOIN cues c ON c.id = s.cue_id WHERE c.episode_id = ?
            ORDER BY c.number, s.position""", [ep.id])]


def test_the_issue_scenario_undo_refuses_to_orphan_a_song_match_linked(shipped_db: Path) -> None:
    """cue add Jolene twice; review set the first; match links the second to that recording; undo."""
    for _ in range(2):
        r = run(shipped_db, "cue", "add", "soundtrack", "6", "--title", "Jolene", "--artist", "Dolly Parton",
                "--yes", "--offline")
        assert r.exit_code == 0, r.output
    conn = open_conn(shipped_db)
    ep = episode(conn, "soundtrack", "6")
    first, second = _song_ids(conn, ep)[-2:]
    r = run(shipped_db, "review", "set", str(first), "--title", "Jolene", "--artist", "Dolly Parton", "--offline")
    assert r.exit_code == 0, r.output
    r = run(shipped_db, "match", "soundtrack", "6", "--offline")
    assert r.exit_code == 0, r.output
    rec = conn.execute("SELECT recording_id, match_status FROM cue_songs WHERE id = ?", [second]).fetchone()
    first_rec = conn.execute("SELECT recording_id FROM cue_songs WHERE id = ?", [first]).fetchone()[0]
    assert rec == (first_rec, "accepted")
    # `match` is in the history, so plain undo takes the match back first ...
    [latest] = history.entries(conn, limit=1)
    assert latest.action == "match"
    # ... and undoing `review set` while the match still uses its recording is refused, naming both.
    before = snapshot(conn)
    r = run(shipped_db, "undo", str(latest.id - 1))
    assert r.exit_code != 0
    assert f"song #{second}" in r.output and f"#{latest.id}" in r.output
    assert snapshot(conn) == before
    assert check.check(conn, episode_id=ep.id) == [f for f in check.check(conn, episode_id=ep.id)
                                                   if f.code != "lost-recording"]
    # Undo in order: the match, then review set; nothing is left pointing nowhere.
    assert run(shipped_db, "undo").exit_code == 0
    assert conn.execute("SELECT recording_id FROM cue_songs WHERE id = ?", [second]).fetchone()[0] is None
    assert run(shipped_db, "undo").exit_code == 0
    assert not [f for f in check.check(conn, episode_id=ep.id) if f.code == "lost-recording"]


def test_forced_undo_sends_the_orphaned_song_back_to_the_matcher(shipped_db: Path) -> None:
    conn = open_conn(shipped_db)
    ep = episode(conn, "soundtrack", "6")
    for _ in range(2):
        curate.add_cue(conn, ep, draft("Jolene - Dolly Parton"), "kim", match=False)
    first, second = _song_ids(conn, ep)[-2:]
    made = review.set_recording(conn, first, "kim", title="Jolene", artist="Dolly Parton")
    match_recorded(conn, Matcher.offline(conn).sources, "kim", episode_ids=[ep.id])
    with pytest.raises(CuesheetError, match=f"song #{second}"):
        history.undo(conn, made.history_id, "kim")
    done = history.undo(conn, made.history_id, "kim", force=True)
    assert done.forced and any(f"song #{second}" in c for c in done.conflicts)
    assert conn.execute("SELECT recording_id, match_status FROM cue_songs WHERE id = ?",
                        [second]).fetchone() == (None, "unmatched")
    assert not [f for f in check.check(conn, episode_id=ep.id) if f.code == "lost-recording"]


def test_check_reports_a_decided_song_without_recording_as_an_error(shipped_db: Path) -> None:
    conn = open_conn(shipped_db)
    song_id = conn.execute("SELECT id FROM cue_songs WHERE recording_id IS NOT NULL LIMIT 1").fetchone()
    if song_id is None:  # the shipped data pins no recording: make one decision first
        ep = episode(conn, "soundtrack", "6")
        curate.add_cue(conn, ep, draft("Jolene - Dolly Parton"), "kim", match=False)
        sid = _song_ids(conn, ep)[-1]
        review.set_recording(conn, sid, "kim", title="Jolene", artist="Dolly Parton")
    else:
        sid = song_id[0]
    conn.execute("UPDATE cue_songs SET match_status = 'curated' WHERE id = ?", [sid])
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("UPDATE cue_songs SET recording_id = NULL WHERE id = ?", [sid])
    findings = [f for f in check.check(conn) if f.code == "lost-recording"]
    assert [f.song for f in findings] == [sid]
    assert findings[0].severity == check.ERROR and check.has_errors(findings)


def test_match_is_one_undoable_change(shipped_db: Path) -> None:
    conn = open_conn(shipped_db)
    ep = episode(conn, "soundtrack", "6")
    curate.add_cue(conn, ep, draft("Jolene - Dolly Parton"), "kim", match=False)
    review.set_recording(conn, _song_ids(conn, ep)[0], "kim", title="Jolene", artist="Dolly Parton")
    curate.add_cue(conn, ep, draft("Jolene - Dolly Parton"), "kim", match=False)
    before = snapshot(conn)
    report = match_recorded(conn, Matcher.offline(conn).sources, "kim")
    assert report.accepted >= 1 and report.history_id
    entry = history.get(conn, report.history_id)
    assert entry.action == "match" and "accepted" in entry.summary
    history.undo(conn, None, "kim")
    assert snapshot(conn) == before


def test_matched_at_restamped_by_match_does_not_block_an_earlier_undo(shipped_db: Path) -> None:
    conn = open_conn(shipped_db)
    ep = episode(conn, "soundtrack", "6")
    before = snapshot(conn)
    added = curate.add_cue(conn, ep, draft("zzqx unknown words nobody sings"), "kim")
    assert conn.execute("SELECT matched_at FROM cue_songs WHERE cue_id = ?", [added.cue_id]).fetchone()[0]
    # A program (an old `match`, a script) re-stamps only the bookkeeping column, outside the history.
    conn.execute("UPDATE cue_songs SET matched_at = '2031-01-01 00:00:00' WHERE cue_id = ?", [added.cue_id])
    history.undo(conn, added.history_id, "kim")
    assert snapshot(conn) == before


def test_a_real_change_outside_the_history_still_blocks_undo(shipped_db: Path) -> None:
    conn = open_conn(shipped_db)
    ep = episode(conn, "soundtrack", "6")
    added = curate.add_cue(conn, ep, draft("Jolene - Dolly Parton"), "kim", match=False)
    conn.execute("UPDATE cues SET scene = 'typed by a script' WHERE id = ?", [added.cue_id])
    with pytest.raises(CuesheetError, match="changed outside the history"):
        history.undo(conn, added.history_id, "kim")


def test_undo_one_cue_of_a_larger_import(shipped_db: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "s01e06.yaml"
    sheet.write_text(
        "season: 1\nepisode: 6\ntitle: 'Track 6: Joanna and Eleanor'\ncues:\n"
        "  - cue: 5\n    kind: lip-sync\n    songs: [{title: Jolene, artist: Dolly Parton}]\n"
        "  - cue: 6\n    kind: lip-sync\n    songs: [{title: Hurt, artist: Johnny Cash}]\n"
        "  - cue: 7\n    kind: lip-sync\n    songs: [{title: Dreams, artist: Fleetwood Mac}]\n",
        encoding="utf-8")
    r = run(shipped_db, "cue", "import", str(sheet), "--show", "soundtrack")
    assert r.exit_code == 0, r.output
    conn = open_conn(shipped_db)
    ep = episode(conn, "soundtrack", "6")
    [entry] = history.entries(conn, limit=1)
    r = run(shipped_db, "undo", str(entry.id), "--episode", "6", "--cue", "6")
    assert r.exit_code == 0, r.output
    left = [n for (n,) in conn.execute("SELECT number FROM cues WHERE episode_id = ? ORDER BY number", [ep.id])]
    assert 6 not in left and {5, 7} <= set(left)
    assert history.get(conn, entry.id).undone_by is None  # the rest of the import is still in effect
    # The one-cue undo is itself a change: undoing it brings the cue back.
    assert run(shipped_db, "undo").exit_code == 0
    assert 6 in [n for (n,) in conn.execute("SELECT number FROM cues WHERE episode_id = ?", [ep.id])]


# --- cue import: one run, every error ---------------------------------------------------------------


def test_import_lists_bad_bytes_fields_duplicates_and_taken_numbers_in_one_run(mini_db: Path, tmp_path: Path) -> None:
    from cuesheet.errors import InputErrors
    from cuesheet.files import cueimport

    conn = open_conn(mini_db)
    before = snapshot(conn)
    path = tmp_path / "s01e01.yaml"
    path.write_bytes(
        b"season: 1\nepisode: 1\ncues:\n"
        b"  - cue: 1\n    kind: lip-sync\n    songs: [{title: Smile, artist: Nat King Cole}]\n"   # 4: taken in the db
        b"  - cue: 9\n    kind: nope\n    songs: [{title: Caf\xe9, artist: X}]\n"                  # 8: kind; 9: bytes
        b"  - cue: 9\n    kind: lip-sync\n    songs: [roar]\n"                                      # 10: twice
        b"  - cue: 10\n    kind: lip-sync\n    time_in: soon\n    songs: [roar]\n")                 # 15: time
    with pytest.raises(InputErrors) as info:
        cueimport.import_file(conn, path, find_show(conn, "mini"), "kim")
    got = [(e.line, e.field) for e in info.value.errors]
    assert got == [(4, "cue"), (8, "cues[1].kind"), (9, None), (10, "cues[2].cue"), (15, "cues[3].time_in")]
    assert "not UTF-8" in info.value.errors[2].message
    assert snapshot(conn) == before


def test_import_names_an_unknown_episode_plainly(mini_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "cues.yaml"
    path.write_text("season: 7\nepisode: 3\ncues:\n  - cue: 1\n    kind: nope\n    songs: [roar]\n", encoding="utf-8")
    r = run(mini_db, "cue", "import", str(path), "--show", "mini")
    assert r.exit_code == 1
    assert "S07E03 is not in the database; give its title to add it" in r.output
    assert "is required" not in r.output
    assert "kind" in r.output  # its cues are checked in the same run
