from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cuesheet.cli import app
from cuesheet.db.connection import connect

runner = CliRunner()
HEADER = "title,artist,album,year,duration,isrc,mbid,spotify_id\n"


def run(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(app, [str(a) for a in args], input=input)


def count(path: Path) -> int:
    return connect(path).conn.execute("SELECT count(*) FROM recordings").fetchone()[0]


def test_identify_json_contract(shipped_db: Path) -> None:
    result = run("identify", "Deep In A Dream - chet baker", "--db", shipped_db, "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["query"] == "Deep In A Dream - chet baker"
    assert out["verdict"] == "accepted"
    best = out["candidates"][0]
    assert (best["title"], best["artist"], best["source"]) == ("Deep in a Dream", "Chet Baker", "catalog")
    assert any(r.startswith("artist 1.00") for r in best["reasons"])
    assert out["candidates"][1]["artist"] == "Frank Sinatra"


def test_identify_from_file_answers_in_order(shipped_db: Path, tmp_path: Path) -> None:
    queries = tmp_path / "q.txt"
    queries.write_text("roads portishead\n\nelastic heart sia\nzzzz qqqq\n", encoding="utf-8")
    result = run("identify", "--from", queries, "--db", shipped_db, "--json", "--limit", "2")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["query"] for o in lines] == ["roads portishead", "elastic heart sia", "zzzz qqqq"]
    assert [o["verdict"] for o in lines] == ["accepted", "review", "no_match"]
    assert all(len(o["candidates"]) <= 2 for o in lines)


def test_identify_from_stdin(shipped_db: Path) -> None:
    result = run("identify", "--from", "-", "--db", shipped_db, "--json", input="baker street\n")
    assert json.loads(result.stdout.splitlines()[0])["candidates"][0]["title"] == "Baker Street"


def test_identify_an_id_offline_says_each_skipped_source_once(shipped_db: Path) -> None:
    """One `skipped` line per source: the query's own reason, not it and the general one too."""
    result = run("identify", "USRC11100001", "--offline", "--db", shipped_db)
    assert result.exit_code == 0, result.output
    skipped = [line for line in result.stderr.splitlines() if line.startswith("skipped ")]
    assert skipped == ["skipped musicbrainz: --offline; cannot look up ISRC USRC11100001",
                       "skipped spotify: --offline; cannot look up ISRC USRC11100001"]


def test_identify_text_offline_says_each_skipped_source_once(shipped_db: Path) -> None:
    result = run("identify", "roads portishead", "--offline", "--db", shipped_db)
    skipped = [line for line in result.stderr.splitlines() if line.startswith("skipped ")]
    assert skipped == ["skipped musicbrainz: --offline", "skipped spotify: --offline"]


@pytest.mark.parametrize("text", ["", "   "])
def test_identify_an_empty_query_is_one_error_line(shipped_db: Path, text: str) -> None:
    """As `search ""`: exit 1, one line, no `no_match` answer."""
    result = run("identify", text, "--db", shipped_db)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        'error: nothing to identify (give the song as you heard it, e.g. `cuesheet identify "elastic heart sia"`)']


def test_identify_from_a_file_applies_the_argument_limits_to_each_line(shipped_db: Path, tmp_path: Path) -> None:
    """A line with NUL or ESC, or past 5,000 characters, is refused as the argument would be:
    every bad line named by file:line, nothing answered, exit 1."""
    path = tmp_path / "q.txt"
    path.write_text("roads portishead\nnul\x00here\nsia\x1b[31m\n" + "x" * 100_000 + "\nbaker street\n",
                    encoding="utf-8")
    result = run("identify", "--from", path, "--db", shipped_db, "--offline")
    assert result.exit_code == 1
    assert result.stdout == ""
    errors = result.stderr.splitlines()
    assert errors[0] == f"error: {path}:2: query: contains a control character (U+0000) at position 4"
    assert errors[1] == f"error: {path}:3: query: contains a control character (U+001B) at position 4"
    assert errors[2] == f"error: {path}:4: query: is 100,000 characters long; at most 5,000"
    assert len(errors) == 4 and "3 errors" in errors[3]
    assert "x" * 100 not in result.output


def test_identify_from_a_file_notes_the_blank_lines_it_skips(shipped_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "q.txt"
    path.write_text("roads portishead\n\n  \nbaker street\n", encoding="utf-8")
    result = run("identify", "--from", path, "--db", shipped_db, "--offline", "--json")
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["query"] for line in result.stdout.splitlines()] == ["roads portishead", "baker street"]
    assert f"{path}: skipped 2 blank lines (lines 2, 3)" in result.stderr


def test_identify_for_people_shows_reasons(shipped_db: Path) -> None:
    result = run("identify", "elastic heart sia", "--db", shipped_db)
    assert result.exit_code == 0
    assert "review" in result.stdout
    assert "title 1.00" in result.stdout
    assert "1000 Forms of Fear" in result.stdout


def test_identify_needs_text_or_file(shipped_db: Path) -> None:
    result = run("identify", "--db", shipped_db)
    assert result.exit_code == 2


def test_match_reports_and_is_idempotent(shipped_db: Path) -> None:
    conn = connect(shipped_db).conn
    conn.execute("UPDATE cue_songs SET recording_id = NULL, match_status = 'unmatched' WHERE title = 'Roads'")
    first = run("match", "soundtrack", "9", "--db", shipped_db, "--json")
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["accepted"] == 1
    second = run("match", "soundtrack", "9", "--db", shipped_db, "--json")
    assert json.loads(second.stdout)["considered"] == 0


def test_match_unknown_show_is_one_line(shipped_db: Path) -> None:
    result = run("match", "no such show at all", "--db", shipped_db)
    assert result.exit_code == 1
    assert "Traceback" not in result.output


# --- catalog import ---------------------------------------------------------------------------


def test_catalog_import_csv_and_reimport(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(HEADER + "Smile,Nat King Cole,,1954,2:50,,,\nRoads,Portishead,Dummy,1994,305,,,\n",
                    encoding="utf-8")
    dbp = tmp_path / "new.sqlite"
    first = run("catalog", "import", path, "--create", "--db", dbp, "--json")
    assert first.exit_code == 0, first.output
    report = json.loads(first.stdout)
    assert {k: report[k] for k in ("path", "rows", "added", "duplicates", "changed", "unchanged")} == {
        "path": str(path), "rows": 2, "added": 2, "duplicates": 0, "changed": 0, "unchanged": 0}
    second = run("catalog", "import", path, "--db", dbp)
    assert "0 added, 0 changed, 2 unchanged" in second.stdout
    assert count(dbp) == 2
    found = run("catalog", "search", "portishead roads", "--db", dbp, "--json")
    assert json.loads(found.stdout)[0]["title"] == "Roads"


def test_catalog_import_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text('{"title": "Roads", "artist": "Portishead", "year": 1994, "duration": 305}\n'
                    '{"title": "Smile", "artist": "Nat King Cole", "isrc": "USCA29900001"}\n', encoding="utf-8")
    dbp = tmp_path / "new.sqlite"
    result = run("catalog", "import", path, "--create", "--db", dbp)
    assert result.exit_code == 0, result.output
    row = connect(dbp).conn.execute("SELECT duration_ms, year FROM recordings WHERE title = 'Roads'").fetchone()
    assert row == (305_000, 1994)


@pytest.mark.parametrize(
    ("content", "fmt", "expected"),
    [
        (HEADER + "Fine,Row,,,,,,\n,Sia,,,,,,\n", "csv", ":3: title: is required"),
        (HEADER + "Fine,Row,,,,,,\nX,Sia,,19x4,,,,\n", "csv", ":3: year:"),
        (HEADER + "Fine,Row,,,,,,\nX,Sia,,,,BAD,,\n", "csv", ":3: isrc:"),
        ("title,artist,mood\nX,Y,happy\n", "csv", ":1: header: unknown columns ['mood']"),
        ('{"title": "X", "artist": "Y"}\n{"title": "X", "artist": "Y", "mood": 1}\n', "jsonl", ":2: mood:"),
        ('{"title": "X", "artist": "Y"}\nnot json\n', "jsonl", ":2: row: not JSON"),
        ('{"artist": "Y"}\n', "jsonl", ":1: title: is required"),
    ],
)
def test_bad_rows_import_nothing(tmp_path: Path, content: str, fmt: str, expected: str) -> None:
    dbp = tmp_path / "c.sqlite"
    run("catalog", "import", _write(tmp_path, HEADER + "Keep,Me,,,,,,\n", "keep.csv"), "--create", "--db", dbp)
    path = _write(tmp_path, content, f"bad.{fmt}")
    result = run("catalog", "import", path, "--db", dbp)
    assert result.exit_code == 1
    assert expected in result.output
    assert "Traceback" not in result.output
    assert count(dbp) == 1  # the good rows of the bad file were not written either


def test_ignore_extra_skips_unknown_columns(tmp_path: Path) -> None:
    path = _write(tmp_path, "title,artist,mood\nRoads,Portishead,sad\n", "x.csv")
    result = run("catalog", "import", path, "--create", "--db", tmp_path / "c.sqlite", "--ignore-extra")
    assert result.exit_code == 0, result.output


def test_bad_encoding_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + "Fine,Row,,,,,,\n").encode() + "Beyoncé,Halo,,,,,,\n".encode("latin-1"))
    result = run("catalog", "import", path, "--create", "--db", tmp_path / "c.sqlite")
    assert result.exit_code == 1
    assert "not UTF-8" in result.output and ":3:" in result.output


def test_missing_file_is_one_line(tmp_path: Path) -> None:
    result = run("catalog", "import", tmp_path / "nope.csv", "--create", "--db", tmp_path / "c.sqlite")
    assert result.exit_code == 1
    assert "nope.csv" in result.output


def test_catalog_stats(shipped_db: Path) -> None:
    out = json.loads(run("catalog", "stats", "--db", shipped_db, "--json").stdout)
    assert out["recordings"] == 34
    assert out["by_source"] == {"catalog": 34}
    assert out["linked_songs"] == 30


def _write(tmp_path: Path, content: str, name: str) -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def test_a_failing_service_behind_a_cached_answer_is_reported(
        shipped_db: Path, httpserver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """--refresh against a broken MusicBrainz still answers from the cache, and says so in one line."""
    from tests import factories as f

    monkeypatch.setenv("CUESHEET_MUSICBRAINZ_URL", httpserver.url_for("/").rstrip("/"))
    monkeypatch.setenv("CUESHEET_MUSICBRAINZ_RATE", "0")
    monkeypatch.setenv("CUESHEET_RETRIES", "0")
    monkeypatch.setenv("CUESHEET_CACHE_PATH", str(tmp_path / "responses.sqlite"))
    roads = f.song(5, "Roads", "Portishead", album="Dummy", date="1994")
    httpserver.expect_request("/ws/2/recording/").respond_with_data(
        f.mb_search([roads]), content_type="application/xml")
    args = ["identify", "roads portishead", "--source", "musicbrainz", "--db", str(shipped_db)]
    first = runner.invoke(app, args)
    assert first.exit_code == 0 and "answered from the cache" not in first.output
    httpserver.clear()
    httpserver.expect_request("/ws/2/recording/").respond_with_data("busy", status=503)
    again = runner.invoke(app, [*args, "--refresh"])
    assert again.exit_code == 0, again.output
    assert "Roads — Portishead" in again.output
    [line] = [ln for ln in again.output.splitlines() if "answered from the cache" in ln]
    assert line.startswith("musicbrainz: server error (HTTP 503")
