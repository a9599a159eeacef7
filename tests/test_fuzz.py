"""Fuzzing as a test (issue #17, item 2): hostile cue sheets, catalog files, arguments and web queries.

Every parser gets generated input and must answer with success or a CuesheetError whose
message names the file (and, for a bad value, the line and field) — never another
exception, never a partial write.

    make test                                          # quick profile (a few dozen examples each)
    CUESHEET_FUZZ=nightly .venv/bin/python -m pytest tests/test_fuzz.py -q   # >= 10,000 each
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cuesheet.files import cueimport
from cuesheet.recordings import importer
from cuesheet.errors import CuesheetError, InputError, InputErrors

from .conftest import DATA
from cuesheet.db.connection import connect
from cuesheet.viewer.resolve import find_show

NIGHTLY = os.environ.get("CUESHEET_FUZZ") == "nightly"
settings.register_profile("fuzz-quick", max_examples=40, deadline=None, derandomize=False,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.register_profile("fuzz-nightly", max_examples=int(os.environ.get("CUESHEET_FUZZ_EXAMPLES", "10000")),
                          deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
FUZZ = settings.get_profile("fuzz-nightly" if NIGHTLY else "fuzz-quick")

# --- values a hostile or careless file holds ---------------------------------------------------

HOSTILE_TEXT = st.one_of(
    st.text(max_size=30),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=12),
    st.sampled_from(["", " ", "\x00", "a\x00b", "\x1b[31m", "=cmd|' /C calc'!A0", "'; DROP TABLE cues; --",
                     "\u202e", "\ud7ff", "x" * 6000, "2:15", "9999:00:00", "-1", "0", "1e400", "NaN",
                     "${jndi:x}", "<script>", "*&a", "!!python/object:os.system", "~", "null"]),
)
HOSTILE_INT = st.one_of(st.integers(min_value=-5, max_value=20), st.integers(), st.sampled_from(
    [0, 2**31, 2**53, 2**63 - 1, 2**63, -(2**63) - 1, 10**30]))
SCALAR = st.one_of(HOSTILE_TEXT, HOSTILE_INT, st.booleans(), st.none(), st.floats(allow_nan=True))


class Deep(int):
    """A document nested `n` lists deep, written as text (hypothesis cannot print the structure)."""

    def text(self) -> str:
        return "[" * self + "]" * self


def deep(depth: int) -> Deep:
    return Deep(depth)


SONG = st.one_of(HOSTILE_TEXT, st.fixed_dictionaries({}, optional={
    "title": SCALAR, "artist": SCALAR, "text": SCALAR, "version": SCALAR, "notes": SCALAR,
    "recording": st.one_of(SCALAR, st.fixed_dictionaries({}, optional={
        "title": SCALAR, "artist": SCALAR, "year": SCALAR, "duration": SCALAR, "isrc": SCALAR})),
    "performers": st.lists(SCALAR, max_size=2), "match": SCALAR, "bogus": SCALAR}))
CUE = st.fixed_dictionaries({}, optional={
    "cue": SCALAR, "kind": st.one_of(st.sampled_from(["lip-sync", "mashup", "background"]), SCALAR),
    "time_in": SCALAR, "time_out": SCALAR, "scene": SCALAR, "usage": SCALAR, "order": SCALAR,
    "songs": st.one_of(st.lists(SONG, max_size=3), SCALAR), "performers": st.lists(SCALAR, max_size=2),
    "sources": st.one_of(st.lists(SCALAR, max_size=2), SCALAR), "confidence": SCALAR})
EPISODE = st.fixed_dictionaries(
    {"season": st.one_of(st.just(1), HOSTILE_INT), "episode": st.one_of(st.just(3), HOSTILE_INT)},
    optional={"title": SCALAR, "cues": st.one_of(st.lists(CUE, max_size=3), SCALAR), "length": SCALAR,
              "air_date": SCALAR, "complete": SCALAR, "extra": SCALAR})
DOCUMENT = st.one_of(EPISODE, st.lists(EPISODE, max_size=2), SCALAR,
                     st.integers(min_value=20, max_value=3000).map(deep))


# --- the database every example runs against -----------------------------------------------------

_DB: dict[str, Path] = {}


def database() -> Path:
    """One database per run, built from data/ (examples that succeed add to it; that is fine)."""
    if "path" not in _DB:
        from cuesheet.files.build import build

        folder = Path(tempfile.mkdtemp(prefix="cuesheet-fuzz-"))
        build(DATA, folder / "cues.sqlite")
        _DB["path"] = folder / "cues.sqlite"
    return _DB["path"]


def teardown_module() -> None:
    if "path" in _DB:
        shutil.rmtree(_DB.pop("path").parent, ignore_errors=True)


def fingerprint(conn: sqlite3.Connection) -> tuple[int, ...]:
    return tuple(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                 for t in ("episodes", "cues", "cue_songs", "cue_performers", "recordings", "history",
                           "imported_files"))


def assert_located(exc: CuesheetError, path: Path) -> None:
    errors = exc.errors if isinstance(exc, InputErrors) else [exc]
    assert errors, exc
    for error in errors:
        text = str(error)
        assert "\n" not in text.strip() or isinstance(error, InputError), text
        if isinstance(error, InputError):
            assert error.file == str(path) or str(path) in text, text


def import_and_check(path: Path) -> None:
    """Import `path`: success, or a located CuesheetError with the database exactly as before."""

    conn = connect(database()).conn
    try:
        show = find_show(conn, "soundtrack")
        before = fingerprint(conn)
        try:
            cueimport.import_file(conn, path, show, "fuzzer", match=False, again=True)
        except CuesheetError as exc:
            assert fingerprint(conn) == before  # all or nothing
            if not isinstance(exc, (InputError, InputErrors)):
                assert str(path) in str(exc) or path.name in str(exc), str(exc)
            else:
                assert_located(exc, path)
    finally:
        conn.close()


def write(tmp: Path, name: str, data: str | bytes) -> Path:
    path = tmp / name
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8", errors="surrogatepass")
    return path


@pytest.fixture(scope="module")
def tmp() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="cuesheet-fuzz-files-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _yaml(doc: Any) -> str:
    if isinstance(doc, Deep):
        return doc.text()
    try:
        return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
    except (yaml.YAMLError, RecursionError, ValueError):
        return json.dumps(doc, default=str)


# --- cue sheet files -------------------------------------------------------------------------------


@FUZZ
@given(doc=DOCUMENT)
def test_yaml_cue_sheets(tmp: Path, doc: Any) -> None:
    import_and_check(write(tmp, "s01e03.yaml", _yaml(doc)))


@FUZZ
@given(doc=DOCUMENT, ascii_escapes=st.booleans())
def test_json_cue_sheets(tmp: Path, doc: Any, ascii_escapes: bool) -> None:
    try:
        # ensure_ascii: "\ud800" escapes, valid JSON for text that is not valid UTF-8
        text = doc.text() if isinstance(doc, Deep) else json.dumps(doc, ensure_ascii=ascii_escapes)
    except (ValueError, RecursionError):
        text = "[" * 5000
    import_and_check(write(tmp, "cues.json", text))


@FUZZ
@given(raw=st.one_of(st.binary(max_size=400), st.text(max_size=400).map(lambda t: t.encode("utf-8", "surrogatepass"))))
def test_raw_bytes_as_every_cue_format(tmp: Path, raw: bytes) -> None:
    for name in ("s01e03.yaml", "cues.json", "cues.csv"):
        import_and_check(write(tmp, name, raw))


CSV_CELL = st.one_of(HOSTILE_TEXT, HOSTILE_INT.map(str), st.sampled_from(['"', '""', "a,b", "a\nb", "\r", "1", "3"]))


@FUZZ
@given(header=st.lists(st.sampled_from(cueimport.CSV_COLUMNS + ("bogus",)), min_size=1, max_size=8, unique=True),
       rows=st.lists(st.lists(CSV_CELL, max_size=9), max_size=5))
def test_csv_cue_sheets(tmp: Path, header: list[str], rows: list[list[str]]) -> None:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["season", "episode", "title", *header])
    for row in rows:
        writer.writerow(["1", "3", "Song", *row])
    import_and_check(write(tmp, "cues.csv", out.getvalue()))


# --- catalog files ----------------------------------------------------------------------------------


def catalog_check(path: Path, fmt: str) -> None:

    conn = connect(database()).conn
    try:
        before = fingerprint(conn)
        try:
            importer.import_file(conn, path, format=fmt)
        except CuesheetError as exc:
            assert fingerprint(conn) == before
            assert_located(exc, path)
    finally:
        conn.close()


CATALOG_ROW = st.fixed_dictionaries({"title": SCALAR, "artist": SCALAR}, optional={
    "album": SCALAR, "year": SCALAR, "duration": SCALAR, "isrc": SCALAR, "mbid": SCALAR, "spotify_id": SCALAR})


@FUZZ
@given(rows=st.lists(st.one_of(CATALOG_ROW, SCALAR, st.integers(20, 5000).map(deep)), max_size=4))
def test_catalog_jsonl(tmp: Path, rows: list[Any]) -> None:
    lines = []
    for row in rows:
        try:
            lines.append(row.text() if isinstance(row, Deep) else json.dumps(row, ensure_ascii=False))
        except (ValueError, RecursionError):
            lines.append("[" * 5000)
    catalog_check(write(tmp, "catalog.jsonl", "\n".join(lines) + "\n"), "jsonl")


@FUZZ
@given(header=st.lists(st.sampled_from(importer.COLUMNS + ("bogus",)), min_size=0, max_size=8, unique=True),
       rows=st.lists(st.lists(CSV_CELL, max_size=9), max_size=5),
       raw=st.one_of(st.none(), st.binary(max_size=200)))
def test_catalog_csv(tmp: Path, header: list[str], rows: list[list[str]], raw: bytes | None) -> None:
    import csv
    import io

    if raw is not None:
        catalog_check(write(tmp, "catalog.csv", raw), "csv")
        return
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["title", "artist", *header])
    for row in rows:
        writer.writerow(row)
    catalog_check(write(tmp, "catalog.csv", out.getvalue()), "csv")


# --- command-line arguments ----------------------------------------------------------------------

ARG = st.one_of(HOSTILE_TEXT, HOSTILE_INT.map(str), st.sampled_from(
    ["soundtrack", "3", "S01E03", "1x03", "Track 3", "--json", "--limit", "-n", "--at", "--scene", "--song", "-s",
     "--kind", "--offline", "--pick", "--id", "--format", "m3u", "-", "--", "\udcff"]))
COMMANDS = [["what"], ["search"], ["episodes"], ["shows"], ["identify", "--offline"], ["catalog", "search"],
            ["cue", "list"], ["cue", "add", "--offline", "--kind", "lip-sync"], ["history"], ["check"],
            ["export", "playlist"], ["review", "list"], ["undo"]]


@FUZZ
@given(command=st.sampled_from(COMMANDS), args=st.lists(ARG, max_size=6))
def test_command_line_arguments(command: list[str], args: list[str]) -> None:
    from typer.testing import CliRunner

    from cuesheet.cli import _check_arguments, app

    try:
        _check_arguments([*command, *args])  # what main() does before any command runs
    except SystemExit as exc:
        assert exc.code == 2
        return
    runner = CliRunner()
    result = runner.invoke(app, [*command, *args, "--db", str(database())], input="\n" * 3,
                           env={"CUESHEET_CURATOR": "fuzzer"})
    assert result.exit_code in (0, 1, 2, 130), (command, args, result.output)
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), (command, args, repr(result.exception))
    assert "Traceback" not in result.output


# --- web queries ------------------------------------------------------------------------------------

SEGMENT = st.one_of(HOSTILE_TEXT, HOSTILE_INT.map(str), st.sampled_from(["soundtrack", "1", "3", "song", "search",
                                                                          "index.json", "S01E03", "static"]))


@FUZZ
@given(segments=st.lists(SEGMENT, max_size=4), params=st.dictionaries(
    st.sampled_from(["q", "show", "limit", "at", "x"]), st.one_of(HOSTILE_TEXT, HOSTILE_INT.map(str)), max_size=3),
    json_twin=st.booleans())
def test_web_queries(segments: list[str], params: dict[str, str], json_twin: bool) -> None:
    from urllib.parse import quote, urlencode

    from starlette.testclient import TestClient

    from cuesheet.web.app import create_app

    client = _client(create_app, TestClient)
    path = "/" + "/".join(quote(s.encode("utf-8", "surrogatepass"), safe="") or "-" for s in segments)
    if json_twin and segments:
        path += ".json"
    query = urlencode({k: v.encode("utf-8", "surrogatepass") for k, v in params.items()})
    response = client.get(path + ("?" + query if query else ""), follow_redirects=False)
    assert response.status_code in (200, 301, 302, 303, 307, 308, 400, 404, 405), (path, query, response.status_code)
    assert "Traceback" not in response.text


_CLIENTS: dict[str, Any] = {}


def _client(create_app: Any, test_client: Any) -> Any:
    if "web" not in _CLIENTS:
        _CLIENTS["web"] = test_client(create_app(database()), raise_server_exceptions=False)
    return _CLIENTS["web"]
