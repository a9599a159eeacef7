"""check: errors a cue sheet must not have, warnings for work still to do, exit code for CI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cuesheet.cli import app
from cuesheet.curation import check
from cuesheet.curation import cues as curate
from cuesheet.db.connection import connect

from .curator_helpers import episode, open_conn

runner = CliRunner()


def codes(findings: list[check.Finding]) -> list[tuple[str, str, int | None]]:
    return [(f.code, f.where, f.cue) for f in findings]


def test_the_mini_show_has_only_warnings(mini_db: Path) -> None:
    found = check.check(open_conn(mini_db))
    assert not check.has_errors(found)
    got = {(f.severity, f.code, f.where) for f in found}
    assert ("warning", "empty-episode", "Mini Musical S02E01") in got
    assert ("warning", "conflict", "Mini Musical S01E01 cue 3") in got
    conflict = next(f for f in found if f.code == "conflict")
    assert "Chet Baker (recap)" in conflict.message and "Frank Sinatra (recap)" in conflict.message


def test_overlapping_and_out_of_order_times(mini_db: Path) -> None:
    conn = open_conn(mini_db)
    ep = episode(conn, "mini", "s1e1")
    curate.edit_cue(conn, ep, 3, curate.CueEdit(fields={"time_in_ms": 180_000}), "kim")
    found = [f for f in check.check(conn, episode_id=ep.id) if f.code in ("overlap", "out-of-order")]
    assert sorted((f.code, f.cue) for f in found) == [("out-of-order", 3), ("overlap", 3)]
    overlap = next(f for f in found if f.code == "overlap")
    assert "while cue 1 plays (2:15–4:40)" in overlap.message
    curate.renumber(conn, ep, "kim", by_time=True)
    found = [f.code for f in check.check(conn, episode_id=ep.id)]
    assert "out-of-order" not in found and "overlap" in found


def test_errors_cue_without_songs_lonely_mashup_reversed_time(mini_db: Path) -> None:
    conn = open_conn(mini_db)
    ep = episode(conn, "mini", "s1e1")
    c1, c2 = curate.cue_id(conn, ep, 1), curate.cue_id(conn, ep, 2)
    conn.execute("DELETE FROM cue_songs WHERE cue_id = ?", [c1])
    conn.execute("DELETE FROM cue_songs WHERE cue_id = ? AND position = 2", [c2])
    conn.execute("PRAGMA ignore_check_constraints = ON")  # as another program might have written it
    conn.execute("UPDATE cues SET time_out_ms = 1000 WHERE id = ?", [c2])
    found = check.check(conn, episode_id=ep.id)
    errors = [(f.code, f.cue) for f in found if f.severity == "error"]
    assert errors == [("no-songs", 1), ("mashup-one-song", 2), ("time-reversed", 2)]
    assert found[0].severity == "error"  # errors come first


def test_unmatched_and_review_songs_name_their_id(shipped_db: Path) -> None:
    conn = open_conn(shipped_db)
    found = check.check(conn)
    review = [f for f in found if f.code == "review"]
    assert review and review[0].song is not None and f"id {review[0].song}" in review[0].message


def test_cli_exit_codes_and_json(mini_db: Path) -> None:
    result = runner.invoke(app, ["check", "--db", str(mini_db), "--json"])
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)
    assert {"severity", "code", "show", "episode_code", "cue", "message"} <= set(items[0])
    assert runner.invoke(app, ["check", "--db", str(mini_db), "--strict"]).exit_code == 1
    conn = open_conn(mini_db)
    conn.execute("DELETE FROM cue_songs WHERE cue_id = (SELECT min(id) FROM cues)")
    result = runner.invoke(app, ["check", "mini", "s1e1", "--db", str(mini_db)])
    assert result.exit_code == 1
    assert "error" in result.stdout and "has no song" in result.stdout


@pytest.mark.parametrize("code", sorted(check.RULES))
def test_every_rule_has_a_severity_and_a_meaning(code: str) -> None:
    severity, meaning = check.RULES[code]
    assert severity in (check.ERROR, check.WARNING) and meaning


def test_check_warns_what_a_cue_sheet_would_lack(shipped_db: Path) -> None:

    conn = connect(shipped_db).conn
    ep = conn.execute("SELECT id FROM episodes WHERE season = 1 AND number = 3").fetchone()[0]
    found = [f for f in check.check(conn, episode_id=ep) if f.code == "cue-sheet"]
    assert len(found) == 1 and found[0].severity == check.WARNING and found[0].cue is None
    assert "composers (cues 1-5)" in found[0].message and "time in and time out (cues 1-5)" in found[0].message
    assert not [f for f in check.check(conn, episode_id=ep, cue_sheet=False) if f.code == "cue-sheet"]
    # Timing cue 1 and giving its song's work composers and publishers closes its gaps.
    conn.execute("UPDATE cues SET time_in_ms = 60000, time_out_ms = 120000 WHERE episode_id = ? AND number = 1", [ep])
    rec = conn.execute("""SELECT s.recording_id FROM cue_songs s JOIN cues c ON c.id = s.cue_id
                          WHERE c.episode_id = ? AND c.number = 1""", [ep]).fetchone()[0]
    conn.execute("INSERT INTO works (id, title) VALUES (1, 'Deep in a Dream')")
    conn.execute("INSERT INTO work_credits (work_id, position, role, name, share) VALUES "
                 "(1, 1, 'composer', 'Jimmy Van Heusen', 50), (1, 2, 'lyricist', 'Eddie DeLange', 50), "
                 "(1, 3, 'publisher', 'Some Music Co', 100)")
    conn.execute("INSERT INTO recording_works (recording_id, work_id) VALUES (?, 1)", [rec])
    after = [f for f in check.check(conn, episode_id=ep) if f.code == "cue-sheet"]
    assert "composers (cues 2-5)" in after[0].message and "time in and time out (cues 2-5)" in after[0].message


def test_check_names_which_time_a_cue_lacks(shipped_db: Path) -> None:
    """Cues with a start time lack only their end time; "time (cues 1-5)" said they lacked both."""

    conn = connect(shipped_db).conn
    ep = conn.execute("SELECT id FROM episodes WHERE season = 1 AND number = 3").fetchone()[0]
    conn.execute("UPDATE cues SET time_in_ms = number * 60000 WHERE episode_id = ? AND number >= 2", [ep])
    conn.execute("UPDATE cues SET time_in_ms = 10000, time_out_ms = 20000 WHERE episode_id = ? AND number = 5",
                 [ep])
    found = [f for f in check.check(conn, episode_id=ep) if f.code == "cue-sheet"]
    message = found[0].message
    assert "time in and time out (cue 1)" in message and "time out (cues 2-4)" in message, message
    assert "; time (" not in message and "lack time (" not in message


@pytest.mark.parametrize(("numbers", "text"), [([1], "1"), ([1, 2, 3, 5], "1-3, 5"), ([2, 4, 5, 6, 9], "2, 4-6, 9")])
def test_cue_ranges(numbers: list[int], text: str) -> None:
    assert check._ranges(numbers) == text


def test_check_cli_can_leave_cue_sheet_gaps_out(shipped_db: Path) -> None:
    import json

    from typer.testing import CliRunner

    from cuesheet.cli import app

    out = CliRunner().invoke(app, ["check", "soundtrack", "3", "--db", str(shipped_db), "--json", "--no-cue-sheet"])
    assert all(f["code"] != "cue-sheet" for f in json.loads(out.stdout))
    out = CliRunner().invoke(app, ["check", "soundtrack", "3", "--db", str(shipped_db), "--json"])
    assert any(f["code"] == "cue-sheet" for f in json.loads(out.stdout))


def test_an_overlap_names_each_cue_with_its_own_times(shipped_db: Path) -> None:
    """Cue 2 starts first but is numbered later: each time must stay with its own cue,
    and a cue without a time out 'starts at', it does not 'play 30:00–30:00'."""
    from .curator_helpers import draft

    conn = open_conn(shipped_db)
    ep = episode(conn, "soundtrack", "6")
    conn.execute("DELETE FROM cues WHERE episode_id = ?", [ep.id])  # its one untimed cue is not the point
    curate.add_cue(conn, ep, draft("Roads - Portishead", time_in_ms=600_000, time_out_ms=900_000), "kim")
    curate.add_cue(conn, ep, draft("Smile - Nat King Cole", time_in_ms=300_000, time_out_ms=700_000), "kim")
    curate.add_cue(conn, ep, draft("Baker Street - Gerry Rafferty", time_in_ms=800_000), "kim")
    overlaps = {f.cue: f.message for f in check.check(conn, episode_id=ep.id) if f.code == "overlap"}
    assert overlaps[1] == "plays 10:00–15:00 while cue 2 plays (5:00–11:40)"
    assert overlaps[3] == "starts at 13:20 while cue 1 plays (10:00–15:00)"
