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
import re
import shutil
import sqlite3
import subprocess
import sys
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
    if NIGHTLY and COUNTS:  # the #25 surfaces' tally, quoted in docs/limits.md
        print(f"\nhostile inputs (#25 surfaces): {sum(COUNTS.values()):,} — " + "; ".join(
            f"{k}: {v:,}" for k, v in COUNTS.items()))


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


# === #25: config files, environment variables, dump targets, compressed and archive inputs,
# identify --from with --jobs, every listing's output device. Each answer must be success or one
# plain error: no traceback, no hang, and nothing a terminal would obey said back.

RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # what a terminal obeys (tab and newline aside)
SCALE = float(os.environ.get("CUESHEET_FUZZ_SCALE", "1"))
COUNTS: dict[str, int] = {}


def sized(nightly: int, quick: int = 20) -> Any:
    """This surface's example count: `nightly` (times CUESHEET_FUZZ_SCALE) at night, `quick` by day."""
    return settings(FUZZ, max_examples=max(1, int(nightly * SCALE)) if NIGHTLY else quick)


def counted(surface: str) -> None:
    COUNTS[surface] = COUNTS.get(surface, 0) + 1


def said_plainly(text: str, what: Any) -> None:
    assert "Traceback" not in text, (what, text[-2000:])
    match = RAW_CONTROL.search(text)
    assert match is None, (what, "raw control character", repr(text[max(0, match.start() - 40):match.end() + 40]))


def invoke(args: list[str], env: dict[str, str] | None = None) -> Any:
    from typer.testing import CliRunner

    from cuesheet.cli import app

    result = CliRunner().invoke(app, args, env={"CUESHEET_CURATOR": "fuzzer", **(env or {})})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError((args, env, repr(result.exception), result.output[-1000:]))
    assert result.exit_code in (0, 1, 2), (args, env, result.exit_code, result.output[-1000:])
    said_plainly(result.output, (args, env))
    return result


# --- config files -----------------------------------------------------------------------------------

TOML_VALUE = st.one_of(
    st.integers().map(str), st.floats(allow_nan=True).map(repr).map(lambda t: t.replace("inf", "inf")),
    st.sampled_from(["inf", "-inf", "nan", "+nan", "1e400", "-1", "0", "'soon'", '"\\u001b]0;PWNED\\u0007"',
                     '"\\u0000"', "true", "{ a = 1 }", "1979-05-27T07:32:00Z", "[1, [2, [3]]]", '"""\n\x1b[2J"""',
                     "'" + "x" * 6000 + "'", '"' + "é" * 300 + '"']),
    st.text(max_size=40).map(json.dumps),
    st.integers(min_value=20, max_value=6000).map(lambda n: "[" * n + "]" * n),
)
TOML_KEY = st.one_of(st.sampled_from(["timeout", "retries", "backoff", "max_wait", "cache_ttl_days", "cache_path",
                                      "url", "rate", "contact", "client_id", "name", "upto", "market"]),
                     st.text(alphabet="abcxyz_\x1b[]0;", min_size=1, max_size=12).map(json.dumps))
TOML_TABLE = st.sampled_from(["network", "musicbrainz", "spotify", "curator", "viewer", "bogus", '"\\u001b[31m"'])


@sized(10_000)
@given(tables=st.lists(st.tuples(TOML_TABLE, st.lists(st.tuples(TOML_KEY, TOML_VALUE), max_size=4)), max_size=3),
       raw=st.one_of(st.none(), st.binary(max_size=300)))
def test_config_files(tmp: Path, tables: list[Any], raw: bytes | None) -> None:
    path = tmp / "config.toml"
    if raw is not None:
        path.write_bytes(raw)
    else:
        path.write_text("".join(f"[{t}]\n" + "".join(f"{k} = {v}\n" for k, v in kv) for t, kv in tables),
                        encoding="utf-8", errors="surrogatepass")
    counted("config files")
    invoke(["config", "show"], env={"CUESHEET_CONFIG": str(path)})


# --- environment variables ------------------------------------------------------------------------

ENV_NAMES = ["CUESHEET_DB", "CUESHEET_CONFIG", "CUESHEET_UPTO", "CUESHEET_CURATOR", "CUESHEET_TIMEOUT",
             "CUESHEET_RETRIES", "CUESHEET_BACKOFF", "CUESHEET_MAX_WAIT", "CUESHEET_CACHE_TTL_DAYS",
             "CUESHEET_CACHE_PATH", "CUESHEET_BUSY_TIMEOUT_MS", "CUESHEET_MUSICBRAINZ_RATE"]
ENV_VALUE = st.one_of(
    HOSTILE_TEXT, HOSTILE_INT.map(str),
    st.sampled_from(["/dev/full", "/dev/zero", "/proc/self", "/tmp", "/nonexistent/x", "x" * 300, "/" + "y" * 300,
                     "inf", "nan", "-1", "1e400", "S01E03", "soundtrack 1x05", "\x1b]0;PWNED\x07", "\x1b[2J"]),
).map(lambda v: v.replace("\x00", "")).filter(bool)
ENV_COMMANDS = [["config", "show"], ["what", "soundtrack", "3"], ["history"], ["shows"], ["search", "roads"],
                ["cue", "list", "soundtrack", "3"]]


@sized(10_000)
@given(values=st.dictionaries(st.sampled_from(ENV_NAMES), ENV_VALUE, min_size=1, max_size=3),
       command=st.sampled_from(ENV_COMMANDS))
def test_environment_variables(values: dict[str, str], command: list[str]) -> None:
    env = {"CUESHEET_DB": str(database()), **values}
    try:
        env = {k: v.encode("utf-8", "surrogateescape").decode("utf-8", "surrogateescape") for k, v in env.items()}
    except UnicodeError:
        return
    counted("environment variables")
    invoke(command, env=env)


# --- dump targets -----------------------------------------------------------------------------------

NAME_PART = st.text(alphabet=st.characters(blacklist_characters="/\x00", codec="utf-8"), min_size=1, max_size=300)


@pytest.fixture(scope="module")
def dump_home() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="cuesheet-fuzz-dump-"))
    (folder / "a file").write_text("x\n", encoding="utf-8")
    (folder / "dangling").symlink_to(folder / "nowhere")
    (folder / "loop").symlink_to(folder / "loop")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@sized(2_000)
@given(target=st.one_of(
    st.sampled_from(["/dev/full", "/dev/null", "/proc/self", "/proc/self/fd", "a file", "dangling", "loop",
                     "a file/below", "no/such/folder", "dangling/x", "loop/x"]),
    NAME_PART, st.lists(NAME_PART, min_size=2, max_size=3).map("/".join)))
def test_dump_targets(dump_home: Path, target: str) -> None:
    from cuesheet.files import dump

    path = Path(target) if target.startswith("/") else dump_home / "out" / target
    if not target.startswith("/") and target.split("/")[0] in ("a file", "dangling", "loop", "no"):
        path = dump_home / target
    conn = connect(database(), readonly=True).conn
    counted("dump targets")
    try:
        dump.dump(conn, path)
    except CuesheetError as exc:
        from cuesheet.notation.echo import printable

        said = printable(str(exc), one_line=True)  # as the CLI prints an error
        said_plainly(said, target)
        assert "\n" not in said, said
    finally:
        conn.close()
        leftovers = [p for p in dump_home.rglob(".*")]
        shutil.rmtree(dump_home / "out", ignore_errors=True)
    assert leftovers == [], leftovers


# --- compressed and archive catalog files: truncated, corrupt, bombs -------------------------------


def _archives() -> dict[str, bytes]:
    """Valid .jsonl.zst, .csv.zst and .tar.zst files to damage, and a bomb (300 MB of zeros)."""
    if "zst" not in _ARCHIVES:
        import io
        import tarfile

        import zstandard

        z = zstandard.ZstdCompressor()
        jsonl = "".join(json.dumps({"title": f"Fuzz {n}", "artist": f"Artist {n % 7}"}) + "\n" for n in range(300))
        csv_text = "title,artist\n" + "".join(f"Fuzz {n},Artist {n % 7}\n" for n in range(300))
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w") as tar:
            for name, payload in (("canonical_musicbrainz_data.csv", csv_text.encode()), ("README", b"x")):
                info = tarfile.TarInfo(name)
                info.size = len(payload)
                tar.addfile(info, io.BytesIO(payload))
        nul = io.BytesIO()
        with tarfile.open(fileobj=nul, mode="w") as tar:
            info = tarfile.TarInfo("data.csv")
            info.size = 4096
            tar.addfile(info, io.BytesIO(b"\x00" * 4096))
        bomb = zstandard.ZstdCompressor(level=19).compressobj()
        zeros = b"".join(bomb.compress(b"\x00" * (1 << 20)) for _ in range(300)) + bomb.flush()
        _ARCHIVES.update({"zst": z.compress(jsonl.encode()), "csv.zst": z.compress(csv_text.encode()),
                          "tar.zst": z.compress(buf.getvalue()), "nul.tar.zst": z.compress(nul.getvalue()),
                          "bomb.zst": zeros, "frames.zst": z.compress(jsonl[:500].encode()) + z.compress(b"\n")})
    return _ARCHIVES


_ARCHIVES: dict[str, bytes] = {}
_SUFFIX = {"zst": ".jsonl.zst", "csv.zst": ".csv.zst", "tar.zst": ".tar.zst", "nul.tar.zst": ".tar.zst",
           "bomb.zst": ".jsonl.zst", "frames.zst": ".jsonl.zst"}


@sized(5_000)
@given(kind=st.sampled_from(sorted(_SUFFIX)), cut=st.one_of(st.none(), st.floats(0, 1)),
       flips=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), max_size=4),
       tail=st.one_of(st.none(), st.binary(min_size=1, max_size=40)))
def test_compressed_and_archive_catalogs(tmp: Path, kind: str, cut: float | None,
                                         flips: list[tuple[float, int]], tail: bytes | None) -> None:
    data = bytearray(_archives()[kind])
    for where, byte in flips:
        data[min(len(data) - 1, int(where * len(data)))] = byte
    if cut is not None:
        data = data[: int(cut * len(data))]
    if tail is not None:
        data += tail
    path = write(tmp, "catalog" + _SUFFIX[kind], bytes(data))
    counted("compressed and archive inputs")
    catalog_check(path, None)


# --- identify --from with --jobs: never a hang ------------------------------------------------------

QUERY = st.one_of(st.uuids().map(str), st.sampled_from(["b1a9c0e9-d987-4042-ae91-78d6a3267d69", "roads portishead",
                                                        "USIR20400274", "spotify:track:4uLU6hMCjMI75M1A2tKUQC",
                                                        "https://musicbrainz.org/recording/x", "\x1b[2J", ""]),
                  HOSTILE_TEXT.map(lambda t: t.replace("\n", " ").replace("\r", " ")))


@sized(150, quick=3)
@given(queries=st.lists(QUERY, min_size=1, max_size=6), jobs=st.sampled_from(["2", "3"]))
def test_identify_from_with_jobs(tmp: Path, queries: list[str], jobs: str) -> None:
    path = write(tmp, "q.txt", "\n".join(queries) + "\n")
    counted("identify --from --jobs")
    try:
        done = subprocess.run([sys.executable, "-c", _CLI, "identify", "--from", str(path), "--offline", "--jobs",
                               jobs, "--db", str(database())], capture_output=True, timeout=10,
                              cwd=Path(__file__).resolve().parent.parent)
    except subprocess.TimeoutExpired:
        raise AssertionError(("a hang over 10 s", queries, jobs)) from None
    assert done.returncode in (0, 1), (queries, done.stderr[-2000:])
    said_plainly(done.stdout.decode("utf-8", "replace") + done.stderr.decode("utf-8", "replace"), queries)


_CLI = "import sys; from cuesheet.cli import main; sys.argv = ['cuesheet'] + sys.argv[1:]; main()"

# --- every listing's output device ------------------------------------------------------------------

LISTINGS = [["shows"], ["episodes", "soundtrack"], ["what", "soundtrack", "3"], ["search", "roads"], ["history"],
            ["cue", "list", "soundtrack", "3"], ["review", "list"], ["catalog", "search", "roads"], ["check"],
            ["export", "playlist", "soundtrack", "3"], ["export", "cuesheet", "soundtrack", "3"],
            ["identify", "roads", "--offline"], ["catalog", "stats"]]


@pytest.mark.parametrize("json_flag", [[], ["--json"]], ids=["text", "json"])
@pytest.mark.parametrize("command", LISTINGS, ids=" ".join)
def test_every_listing_on_a_full_device_exits_non_zero_with_one_line(command: list[str], json_flag: list[str]) -> None:
    if json_flag and command[0] in ("check", "export"):
        return
    if not NIGHTLY and (json_flag or command[0] not in ("shows", "history", "export")):
        pytest.skip("the nightly profile tries every listing; by day a few")
    from cuesheet.curation import cues as curate  # a history entry, so `history` has something to say

    db_path = database()
    conn = connect(db_path).conn
    try:
        if not conn.execute("SELECT count(*) FROM history").fetchone()[0]:
            from .curator_helpers import draft

            from cuesheet.viewer.resolve import find_episode
            curate.add_cue(conn, find_episode(conn, find_show(conn, "soundtrack"), "3"), draft("Roads - Portishead"),
                           "fuzzer")
    finally:
        conn.close()
    counted("output devices")
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-c", _CLI, *command, *json_flag, "--db", str(db_path)],
                              stdout=full, stderr=subprocess.PIPE, timeout=120,
                              cwd=Path(__file__).resolve().parent.parent)
    err = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 1, (command, done.returncode, err[-1000:])
    said_plainly(err, command)
    assert [line for line in err.splitlines() if line.startswith("error")] == [
        "error: cannot write the output: No space left on device"] or "no space left" in err.lower(), err

