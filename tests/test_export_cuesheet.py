"""`export cuesheet`: the music cue sheet as PROs expect it, its gaps, and golden files."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cuesheet.cli import app
from cuesheet.db.connection import connect
from cuesheet.errors import CuesheetError, NotFound
from cuesheet.export import cue_sheet as sheetmod
from cuesheet.export.credits import works_for_recordings
from cuesheet.export.cue_sheet import export_cuesheet, gaps
from cuesheet.viewer.resolve import find_episode, find_show

from .conftest import FIXTURES
from .export_support import tiny_db, tiny_db_file  # noqa: F401 (fixtures)
from .test_export_playlist import golden

WHEN = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)
runner = CliRunner()


@pytest.fixture
def conn(tiny_db: Path):  # type: ignore[no-untyped-def]
    return connect(tiny_db).conn


def add_works(conn) -> None:  # type: ignore[no-untyped-def]
    """Works in the store of issue #5 (migration m003), as MusicBrainz and a curator fill it."""
    conn.executescript(
        """
        INSERT INTO works (id, mbid, title, iswc)
          VALUES (1, '00000000-0000-4000-8000-0000000000d1', 'Smile', 'T-000.000.001-0');
        INSERT INTO work_credits (work_id, position, name, role, share, society, ipi) VALUES
          (1, 1, 'A. Writer', 'composer', 50, 'ASCAP', '00000000011'),
          (1, 2, 'B. Writer', 'lyricist', 50, 'PRS', NULL),
          (1, 3, 'Example Music', 'publisher', 100, 'ASCAP', NULL);
        INSERT INTO works (id, mbid, title, iswc) VALUES (2, NULL, 'Morning View', NULL);
        INSERT INTO work_credits (work_id, position, name, role, share, society, ipi)
          VALUES (2, 1, 'C. Writer', 'writer', 60, 'BMI', NULL);
        INSERT INTO recording_works
          SELECT id, 1 FROM recordings WHERE title = 'Smile'
          UNION ALL SELECT id, 2 FROM recordings WHERE title = 'Morning View';
        """
    )


def parse_csv(text: str) -> tuple[dict[str, str], list[dict[str, str]]]:
    """The header block (field,value), a blank line, then the table."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    blank = rows.index([])
    assert rows[0] == ["field", "value"]
    header = {k: v for k, v in rows[1:blank]}
    table = [dict(zip(rows[blank + 1], r)) for r in rows[blank + 2 :]]
    assert all(len(r) == len(rows[blank + 1]) for r in rows[blank + 2 :])
    return header, table


def test_csv_header_and_one_row_per_song_use(conn) -> None:
    result = export_cuesheet(conn, "tiny", "1", prepared=WHEN)
    header, table = parse_csv(result.text)
    assert header == {
        "production": "Tiny Tunes", "network": "Test Stream", "season": "1", "episode": "1",
        "episode_code": "S01E01", "episode_title": "Pilot: Rain & Smiles", "air_date": "2025-03-14",
        "length": "42:30", "total_music": "05:11", "music_uses": "5", "complete": "yes",
        "shares": "writers 100 / publishers 100", "prepared_by": "cuesheet 0.1.0",
        "date_prepared": "2026-11-24",
    }
    assert [r["seq"] for r in table] == ["1", "2", "3", "4", "5"]
    assert [r["cue_id"] for r in table] == ["1M01", "1M02a", "1M02b", "1M03", "1M04"]
    smile = table[0]
    assert (smile["time_in"], smile["time_out"], smile["duration"]) == ("00:02:15", "00:04:40", "02:25")
    assert smile["usage"] == "VV" and smile["performer"] == "Nat King Cole"
    # Unknown credits are blank cells (a word there could pass for a name) and the notes say why.
    assert smile["composers"] == "" and smile["publishers"] == ""
    assert "composers and publishers missing" in smile["notes"]
    # The mashup's songs share its timing; the usage comes from the kind and says so.
    assert table[1]["duration"] == table[2]["duration"] == "01:36"  # 1:35.5, partial seconds round up
    assert "usage VV inferred from the mashup kind" in table[1]["notes"]
    assert table[3]["title"] == 'Tiny "Heart", Big City'
    assert table[4]["usage"] == "ET" and table[4]["time_out"] == "" and table[4]["duration"] == ""
    golden("tiny-s01e01-cuesheet.csv", result.text)


def test_json_has_header_rows_and_gaps(conn) -> None:
    result = export_cuesheet(conn, "tiny", "S01E01", fmt="json", prepared=WHEN)
    doc = json.loads(result.text)
    assert set(doc) == {"header", "rows", "gaps"}
    row = doc["rows"][0]
    assert row["usage_meaning"] == "visual vocal" and row["duration_ms"] == 145000
    assert row["composers"] == [] and row["time_in"] == "00:02:15"
    assert {g["field"] for g in doc["gaps"]} == {"composers", "publishers", "match", "time"}
    golden("tiny-s01e01-cuesheet.json", result.text)


def test_gaps_name_what_the_sheet_cannot_be_complete_without(conn) -> None:
    episode = find_episode(conn, find_show(conn, "tiny"), "1")
    found = gaps(conn, episode)
    by_field: dict[str, list[str]] = {}
    for g in found:
        by_field.setdefault(g.field, []).append(str(g))
    assert by_field["match"] == [
        'S01E01 cue 3 Tiny "Heart", Big City: no recording linked yet (run `cuesheet match`, or pin one with '
        '`cuesheet review set`)',
        "S01E01 cue 4 deep in a dream chet baker: no recording linked yet (run `cuesheet match`, or pin one with "
        "`cuesheet review set`)",
    ]
    assert by_field["time"] == [
        "S01E01 cue 2 song 1 Morning View: mashup: each song's part of the cue's 01:36 is unknown",
        "S01E01 cue 2 song 2 Elastic Heart: mashup: each song's part of the cue's 01:36 is unknown",
        "S01E01 cue 4 deep in a dream chet baker: time out missing",
    ]
    assert len(by_field["composers"]) == 5 and len(by_field["publishers"]) == 5
    assert all(g.to_json()["code"] == "S01E01" for g in found)


def test_an_incomplete_episode_in_list_order_says_so(conn) -> None:
    episode = find_episode(conn, find_show(conn, "tiny"), "2")
    fields = [g.field for g in gaps(conn, episode)]
    assert fields[:2] == ["cues", "order"]
    assert "usage" not in fields  # a lip-sync is a visual vocal


def test_composers_publishers_and_shares_from_the_works_store(conn) -> None:
    add_works(conn)
    result = export_cuesheet(conn, "tiny", "1", prepared=WHEN)
    _, table = parse_csv(result.text)
    assert table[0]["composers"] == "A. Writer (C, ASCAP, IPI 00000000011, 50); B. Writer (A, PRS, 50)"
    assert table[0]["publishers"] == "Example Music (E, ASCAP, 100)"
    assert table[0]["iswc"] == "T-000.000.001-0"
    assert table[1]["composers"] == "C. Writer (CA, BMI, 60)"
    assert table[1]["publishers"] == "" and "publishers missing" in table[1]["notes"].split("; ")
    assert "missing" not in table[0]["notes"]
    found = [g for g in result.sheet.gaps if g.cue in (1, 2)]
    assert [(g.cue, g.part, g.field) for g in found if g.field in ("composers", "publishers", "shares")] == [
        (2, 1, "publishers"), (2, 1, "shares"), (2, 2, "composers"), (2, 2, "publishers"),
    ]
    assert any("writer shares sum to 60, not 100" in g.message for g in found)
    doc = json.loads(export_cuesheet(conn, "tiny", "1", fmt="json").text)
    assert doc["rows"][0]["composers"][0] == {
        "name": "A. Writer", "role": "C", "share": 50.0, "society": "ASCAP", "ipi": "00000000011",
    }


def test_without_a_works_store_composers_are_empty_not_an_error(conn) -> None:
    assert works_for_recordings(conn, [1, 2, 3]) == {}


def test_the_shipped_episode_lists_its_gaps(shipped_db: Path) -> None:
    conn = connect(shipped_db).conn
    result = export_cuesheet(conn, "soundtrack", "3", prepared=WHEN)
    _, table = parse_csv(result.text)
    assert [r["title"] for r in table][:2] == ["Deep in a Dream", "Morning View"]
    assert "sources disagree on artist" in table[0]["notes"]
    # One line for the columns the shipped data leaves blank in every row, and why.
    assert result.notes[0] == (
        "empty columns: iswc (no MusicBrainz work with an ISWC is stored for these songs); "
        "composers, publishers (no MusicBrainz work with credits is stored for these songs); "
        "isrc (no ISRC is known for these recordings); "
        "time_in, time_out, duration (the sources give no times)"
    )
    assert result.notes[1] == (
        "missing: composers for 6 songs, publishers for 6 songs, exact timing for 6 songs"
    )
    assert any("list order" in line for line in result.notes)


def test_an_episode_without_cues_is_refused(tmp_path: Path) -> None:
    from cuesheet.files.build import build

    path = tmp_path / "mini.sqlite"
    build(FIXTURES / "minishow", path)
    conn = connect(path).conn
    with pytest.raises(NotFound, match="no cues known yet"):
        export_cuesheet(conn, "mini", "s2e1")
    episode = find_episode(conn, find_show(conn, "mini"), "s2e1")
    assert [g.field for g in gaps(conn, episode)] == ["cues"]


def test_unknown_format(conn) -> None:
    with pytest.raises(CuesheetError, match="csv or json"):
        export_cuesheet(conn, "tiny", "1", fmt="xlsx")


@pytest.mark.parametrize(("ms", "text"), [(None, None), (0, "00:00:00"), (135_999, "00:02:15"),
                                          (3_725_000, "01:02:05")])
def test_clock(ms, text) -> None:
    assert sheetmod.clock(ms) == text


def test_cli_writes_a_file_and_lists_gaps_on_stderr(tiny_db: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "sheet.json"
    target.parent.mkdir()
    result = runner.invoke(app, ["export", "cuesheet", "tiny", "pilot", "-o", str(target),
                                 "--db", str(tiny_db)])
    assert result.exit_code == 0, result.output
    assert json.loads(target.read_text())["header"]["episode_code"] == "S01E01"
    assert "Tiny Tunes S01E01: 5 music uses (json to" in result.stderr
    assert "missing: composers for 5 songs, publishers for 5 songs, exact timing for 3 songs, " \
           "an identified recording for 2 songs" in result.stderr
    assert result.stdout == ""


def test_empty_columns_follow_the_data(conn) -> None:
    assert sheetmod.empty_columns_line([sheetmod.build(conn, "tiny", "1")]) == (
        "empty columns: iswc (no MusicBrainz work with an ISWC is stored for these songs); "
        "composers, publishers (no MusicBrainz work with credits is stored for these songs)")
    add_works(conn)
    assert sheetmod.empty_columns_line([sheetmod.build(conn, "tiny", "1")]) is None


@pytest.fixture
def sheets(tmp_path: Path) -> Path:
    """An empty folder for a season's cue sheets (the test database lives in tmp_path)."""
    folder = tmp_path / "sheets"
    folder.mkdir()
    return folder


def test_a_season_is_one_file_per_episode(conn, sheets: Path) -> None:
    done = sheetmod.export_cuesheet_season(conn, "tiny", 1, sheets, prepared=WHEN)
    assert sorted(p.name for p in sheets.iterdir()) == [
        "tiny-S01E01-cuesheet.csv", "tiny-S01E02-cuesheet.csv"]
    assert [f.sheet.code for f in done.files] == ["S01E01", "S01E02"]
    header, table = parse_csv((sheets / "tiny-S01E01-cuesheet.csv").read_text(encoding="utf-8"))
    assert header["episode_code"] == "S01E01" and len(table) == 5
    # Each file is the episode's own sheet, byte for byte.
    with open(sheets / "tiny-S01E01-cuesheet.csv", encoding="utf-8", newline="") as fh:
        assert fh.read() == export_cuesheet(conn, "tiny", "1", prepared=WHEN).text
    assert done.notes[0].startswith("empty columns: iswc") and done.without_cues == []


def test_a_season_names_episodes_without_cues(conn, sheets: Path) -> None:
    conn.execute("DELETE FROM cues WHERE episode_id = (SELECT id FROM episodes WHERE number = 2)")
    done = sheetmod.export_cuesheet_season(conn, "tiny", 1, sheets, fmt="json", prepared=WHEN)
    assert [p.name for p in sheets.iterdir()] == ["tiny-S01E01-cuesheet.json"]
    assert done.without_cues == ["S01E02"] and done.notes[-1] == "no cues known, no file: S01E02"


@pytest.mark.parametrize(("season", "message"), [(3, "Tiny Tunes has no season 3")])
def test_a_season_that_does_not_exist(conn, sheets: Path, season: int, message: str) -> None:
    with pytest.raises(NotFound, match=message):
        sheetmod.export_cuesheet_season(conn, "tiny", season, sheets)
    assert list(sheets.iterdir()) == []


def test_cli_season_writes_the_folder(tiny_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "sheets"
    out.mkdir()
    result = runner.invoke(app, ["export", "cuesheet", "tiny", "--season", "1", "-o", str(out),
                                 "--db", str(tiny_db)])
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert lines[0] == f"2 cue sheets, 6 music uses (csv to {out})"
    assert len(list(out.iterdir())) == 2
    assert lines[3].startswith("empty columns: iswc")


@pytest.mark.parametrize("args", [["--season", "1"], ["--season", "1", "-o", "not-a-folder.csv"]])
def test_cli_season_needs_a_folder(tiny_db: Path, tmp_path: Path, args: list[str]) -> None:
    result = runner.invoke(app, ["export", "cuesheet", "tiny", *args, "--db", str(tiny_db)])
    assert result.exit_code != 0 and len(result.stderr.splitlines()) == 1
    assert "one file per episode" in result.stderr


def test_cli_season_makes_a_missing_folder_but_refuses_a_file(tiny_db: Path, tmp_path: Path) -> None:
    """`-o sheets` for a season: the folder is made (one level); a file or a missing parent is refused."""
    out = tmp_path / "new-sheets"
    result = runner.invoke(app, ["export", "cuesheet", "tiny", "--season", "1", "-o", str(out),
                                 "--db", str(tiny_db)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["tiny-S01E01-cuesheet.csv", "tiny-S01E02-cuesheet.csv"]
    a_file = tmp_path / "notes.txt"
    a_file.write_text("mine", encoding="utf-8")
    refused = runner.invoke(app, ["export", "cuesheet", "tiny", "--season", "1", "-o", str(a_file),
                                  "--db", str(tiny_db)])
    assert refused.exit_code == 1 and "it is a file, not a folder" in refused.stderr
    assert a_file.read_text(encoding="utf-8") == "mine"
    deep = tmp_path / "no-such" / "sheets"
    refused = runner.invoke(app, ["export", "cuesheet", "tiny", "--season", "1", "-o", str(deep),
                                  "--db", str(tiny_db)])
    assert refused.exit_code == 1 and "does not exist" in refused.stderr
    assert not deep.parent.exists()


def test_cli_needs_an_episode(tiny_db: Path) -> None:
    result = runner.invoke(app, ["export", "cuesheet", "tiny", "--db", str(tiny_db)])
    assert result.exit_code == 2
    assert "give one episode or --season N" in result.stderr


def test_an_unidentified_song_is_sent_to_review_not_to_match(shipped_db: Path) -> None:
    # `cuesheet match` leaves unidentified songs alone; the advice must name what works.
    conn = connect(shipped_db).conn
    result = export_cuesheet(conn, "soundtrack", "6", fmt="csv")
    [row] = list(csv.DictReader(io.StringIO(result.text.split("\r\n\r\n", 1)[-1])))  # type: ignore[arg-type]
    notes = " ".join(v for v in row.values() if isinstance(v, str))
    assert "cuesheet review unknown" in notes and "cuesheet match" not in notes
    episode = find_episode(conn, find_show(conn, "soundtrack"), "6")
    [match_gap] = [g for g in gaps(conn, episode) if g.field == "match"]
    assert "`cuesheet review unknown`" in str(match_gap) and "cuesheet match" not in str(match_gap)
