"""One validation layer (issue #17 item 1): the same limits on every path, each refusal one located line."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from cuesheet.files import cueimport
from cuesheet.notation import limits
from cuesheet.recordings import importer
from cuesheet.errors import CuesheetError, InputError, InputErrors
from cuesheet.viewer.resolve import find_episode, find_show

ROOT = Path(__file__).resolve().parent.parent
CUESHEET = str(Path(sys.executable).with_name("cuesheet"))


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CUESHEET, *args], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "CUESHEET_CURATOR": "t", **(env or {})})


def import_errors(db: Path, path: Path) -> list[str]:
    conn = sqlite3.connect(db, isolation_level=None)
    show = find_show(conn, "soundtrack")
    with pytest.raises(CuesheetError) as info:  # InputErrors (several) or one InputError
        cueimport.import_file(conn, path, show, "t", match=False)
    return [str(e) for e in getattr(info.value, "errors", [info.value])]


YAML_CUE = "season: 1\nepisode: 3\ncues:\n  - cue: {cue}\n    kind: lip-sync\n    scene: {scene}\n    time_in: {time}\n    songs:\n      - title: a\n        artist: b\n        recording: {{title: a, artist: b, year: {year}}}\n"


@pytest.mark.parametrize(("values", "field", "words"), [
    ({"cue": 2**63}, "cues[0].cue", "out of range for a cue number"),
    ({"cue": 2**63 - 1}, "cues[0].cue", "out of range for a cue number"),
    ({"year": 99999}, "cues[0].songs[0].recording.year", "out of range for a year"),
    ({"year": 0}, "cues[0].songs[0].recording.year", "must be 1000 or more"),
    ({"time": "9999:00:00"}, "cues[0].time_in", "more than 24 hours"),
    ({"scene": '"a\\0b"'}, "cues[0].scene", "control character (U+0000)"),
    ({"scene": "x" * 6000}, "cues[0].scene", "6,000 characters long"),
])
def test_yaml_values_past_a_limit_are_located(shipped_db: Path, tmp_path: Path, values: dict, field: str,
                                              words: str) -> None:
    doc = {"cue": 30, "scene": "ok", "time": "1:00", "year": 1999, **values}
    path = tmp_path / "s01e03.yaml"
    path.write_text(YAML_CUE.format(**doc))
    errors = import_errors(shipped_db, path)
    assert any(e.startswith(f"{path}:") and f": {field}: " in e and words in e for e in errors), errors


def test_the_same_limits_hold_for_csv_and_json(shipped_db: Path, tmp_path: Path) -> None:
    csv_path = tmp_path / "cues.csv"
    csv_path.write_text(f"season,episode,cue,title,scene\n1,3,{2**63},a,x\n1,3,31,{'t' * 600},x\n"
                        f"{'9' * 5000},3,32,a,x\n1,3,33,a,{'s' * 200_000}\n")
    errors = import_errors(shipped_db, csv_path)
    assert f"{csv_path}:2: cue: 9223372036854775808 is out of range for a cue number (1-9999)" in errors
    assert any(e.startswith(f"{csv_path}:3: title: is 600 characters") for e in errors), errors
    assert any(e.startswith(f"{csv_path}:4: season: ") and "out of range" in e for e in errors), errors
    assert any(e.startswith(f"{csv_path}:5: not valid CSV: field larger than field limit") for e in errors), errors
    json_path = tmp_path / "cues.json"
    json_path.write_text('{"season": 1, "episode": 3, "cues": [{"cue": 99999999999999999999, "kind": "lip-sync", '
                         '"songs": ["a"]}]}')
    assert any("cues[0].cue: 99999999999999999999 is out of range" in e for e in import_errors(shipped_db, json_path))


@pytest.mark.parametrize("kind", ["yaml", "json"])
def test_deep_nesting_is_one_located_line(shipped_db: Path, tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"deep.{kind}"
    path.write_text('{"season": 1, "episode": 3, "cues": ' + "[" * 50_000 + "]" * 50_000 + "}")
    errors = import_errors(shipped_db, path)
    assert errors == [f"{path}:1: nested more than {limits.DEPTH} levels deep; a cue sheet needs six"]


def test_catalog_files_follow_the_same_rules(tmp_path: Path) -> None:
    path = tmp_path / "cat.csv"
    path.write_text(f"title,artist,year\na,b,0000\nc,d,{2**63}\ne,{'x' * 200_000},1999\ng,h,1999\n")
    with pytest.raises(InputErrors) as info:
        importer.read_csv(path)
    errors = [str(e) for e in info.value.errors]
    assert f"{path}:2: year: '0000' is not a year (1000-2100)" in errors
    assert any(e.startswith(f"{path}:3: year:") for e in errors)
    assert any(e.startswith(f"{path}:4: row: ") and "field larger than field limit" in e for e in errors), errors
    jsonl = tmp_path / "cat.jsonl"
    jsonl.write_text('{"title": "a", "artist": "b"}\n' + "[" * 100_000 + "]" * 100_000 + "\n")
    with pytest.raises(InputErrors) as info:
        list(importer.iter_rows(jsonl, "jsonl"))
    assert [str(e) for e in info.value.errors] == [f"{jsonl}:2: row: nested more than {limits.DEPTH} levels deep"]
    # Past the documented limit but far below Python's own: refused the same way, not read as a title.
    nested = '{"a": ' * (limits.DEPTH + 1) + "1" + "}" * (limits.DEPTH + 1)
    jsonl.write_text('{"title": ' + nested + ', "artist": "b"}\n')
    with pytest.raises(InputErrors) as info:
        list(importer.iter_rows(jsonl, "jsonl"))
    assert [str(e) for e in info.value.errors] == [f"{jsonl}:1: row: nested more than {limits.DEPTH} levels deep"]


def test_a_nul_byte_in_a_catalog_csv_is_located(tmp_path: Path) -> None:
    path = tmp_path / "cat.csv"
    path.write_bytes(b"title,artist\na,b\nc\x00,d\n")
    with pytest.raises(InputErrors) as info:
        importer.read_csv(path)
    assert all(isinstance(e, InputError) and e.file == str(path) for e in info.value.errors)


@pytest.mark.parametrize("args", [
    ["search", "x", "--limit", str(2**63)],
    ["identify", "x", "--limit", str(2**63), "--offline"],
    ["catalog", "search", "x", "--limit", str(2**63)],
    ["history", "--id", str(10**30)],
    ["cue", "add", "--yes", "soundtrack", "3", "-n", str(2**63), "-s", "x", "--offline"],
])
def test_huge_numbers_on_the_command_line_are_usage_errors(shipped_db: Path, args: list[str]) -> None:
    result = run(*args, "--db", str(shipped_db))
    assert result.returncode == 2, result.stderr
    assert "Invalid value" in result.stderr and "Traceback" not in result.stderr


def test_cue_add_refuses_text_and_times_past_the_limits(shipped_db: Path) -> None:
    base = ["cue", "add", "--yes", "soundtrack", "3", "-s", "x", "--kind", "lip-sync", "--offline", "--db", str(shipped_db)]
    result = run(*base, "--scene", "a\x01b")  # any argument: refused before the command runs
    assert result.returncode == 2 and "contains a control character (U+0001)" in result.stderr
    result = run(*base, "--scene", "s" * 5_001)
    assert result.returncode == 2 and "5,001 characters long" in result.stderr
    result = run(*base, "--at", "9999:00:00")
    assert result.returncode == 1 and "time_in: is more than 24 hours" in result.stderr


def test_the_next_cue_number_past_the_limit_is_an_error_not_a_crash(shipped_db: Path) -> None:
    conn = sqlite3.connect(shipped_db)
    conn.execute("UPDATE cues SET number = ? WHERE id = (SELECT c.id FROM cues c JOIN episodes e ON e.id = c.episode_id"
                 " JOIN shows s ON s.id = e.show_id WHERE s.slug = 'soundtrack' AND e.season = 1 AND e.number = 3"
                 " LIMIT 1)", [2**63 - 1])
    conn.commit()
    conn.close()
    result = run("cue", "add", "--yes", "soundtrack", "3", "-s", "x", "--kind", "lip-sync", "--offline", "--db", str(shipped_db))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "pass -n with a free number" in result.stderr


def test_non_utf8_arguments_with_a_strict_stdout(shipped_db: Path) -> None:
    result = subprocess.run([CUESHEET, "what", "soundtrack", os.fsdecode(b"\xff\xfe"), "--db", str(shipped_db)],
                            capture_output=True, timeout=60, env={**os.environ, "PYTHONIOENCODING": "utf-8:strict"})
    assert result.returncode == 2 and b"Traceback" not in result.stderr
    assert b"argument 3 (\\udcff\\udcfe) is not valid UTF-8 text (byte 0xFF at position 1)" in result.stderr


def test_text_that_is_not_utf8_never_reaches_the_database(shipped_db: Path, tmp_path: Path) -> None:
    """A JSON escape for half a surrogate pair is valid JSON but no UTF-8 text; SQLite would refuse it."""
    path = tmp_path / "cues.json"
    path.write_text('{"season": 1, "episode": 3, "cues": [{"cue": 40, "kind": "lip-sync", "songs": ["a\\ud800"]}]}')
    errors = import_errors(shipped_db, path)
    assert any("is not valid UTF-8 text (U+D800" in e for e in errors), errors


def test_sqlite_errors_with_non_utf8_bytes_are_one_line(tmp_path: Path) -> None:
    """A damaged schema whose SQLite error carries bytes that are not UTF-8."""
    path = tmp_path / "bad.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    conn.execute("INSERT INTO _migrations VALUES ('m001_initial', 'x')")
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("INSERT INTO sqlite_master VALUES ('table', CAST(X'FF' AS TEXT), CAST(X'FF' AS TEXT), 0, "
                 "CAST(X'43524541544520FF' AS TEXT))")
    conn.commit()
    conn.close()
    result = subprocess.run([CUESHEET, "shows", "--db", str(path)], capture_output=True, timeout=60)
    assert result.returncode == 1, result.stderr
    assert b"Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_docs_list_every_limit() -> None:
    text = (ROOT / "docs" / "limits.md").read_text()
    for bounds in (limits.SEASON, limits.EPISODE, limits.CUE_NUMBER, limits.YEAR, limits.SHOW_YEAR, limits.LIMIT):
        assert re.search(rf"\| {bounds.low}–{bounds.high} ", text), bounds
    for number in (limits.NAME, limits.TEXT, limits.QUERY, limits.DEPTH):
        assert f"{number:,}" in text or str(number) in text


def test_the_library_checks_cue_add_text_too(shipped_db: Path) -> None:
    """The CLI refuses such arguments early; the library refuses them for any other caller."""
    from cuesheet.curation import cues as curate
    from cuesheet.model import Song

    conn = sqlite3.connect(shipped_db, isolation_level=None)
    episode = find_episode(conn, find_show(conn, "soundtrack"), "3")
    draft = curate.CueDraft(songs=(curate.SongDraft(Song(title="x", artist="", text="x")),), scene="a\x00b",
                            time_in_ms=limits.MAX_TIME_MS + 1, number=2**63)
    fields = {e.field for e in curate.validate(conn, episode, draft)}
    assert {"scene", "time_in", "number"} <= fields
