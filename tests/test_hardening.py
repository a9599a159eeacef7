"""Hardening v3 (#25): every case the attacker's round found is a regression test here.

Each runs the real command (a subprocess, as a user would) where the failure was a
hang, a traceback or raw bytes on the terminal; the kill -9 trials are in test_kill9.py.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from cuesheet.db import history

from .curator_helpers import draft, episode, open_conn, snapshot

CLI = "import sys; from cuesheet.cli import main; sys.argv = ['cuesheet'] + sys.argv[1:]; main()"
RAW = [chr(c) for c in [*range(0, 9), *range(11, 32), 127]]  # what a terminal would obey


def cuesheet(*args: str, env: dict[str, str] | None = None, stdin: str | None = None,
             timeout: float = 120, **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", CLI, *args], env={**os.environ, **(env or {})},
                          input=stdin, capture_output=True, text=True, timeout=timeout,
                          errors="surrogateescape", **kw)  # type: ignore[call-overload]


def one_plain_error(done: subprocess.CompletedProcess[str], *words: str) -> str:
    """Exit 1 (or 2), no traceback, nothing a terminal would obey, the words in the message."""
    assert done.returncode in (1, 2), (done.returncode, done.stdout[-500:], done.stderr[-2000:])
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    assert not any(c in done.stderr + done.stdout for c in RAW), repr(done.stderr[-500:])
    for word in words:
        assert word in done.stderr, done.stderr
    return done.stderr


# --- 1. identify --from with --jobs: a worker's answer that cannot travel is not a hang ------------


def test_identify_jobs_with_an_id_the_catalog_lacks_answers(shipped_db: Path, tmp_path: Path) -> None:
    queries = tmp_path / "q.txt"
    queries.write_text("b1a9c0e9-d987-4042-ae91-78d6a3267d69\nroads portishead\n", encoding="utf-8")
    for jobs in ("2", "3"):
        done = cuesheet("identify", "--from", str(queries), "--offline", "--jobs", jobs, "--db", str(shipped_db),
                        timeout=90)
        assert done.returncode == 0, done.stderr
        assert "no_match" in done.stdout and "Roads — Portishead" in done.stdout
        assert "Traceback" not in done.stderr


def test_a_worker_error_comes_back_as_a_located_error(shipped_db: Path) -> None:
    from cuesheet.matching.batch import identify_many
    from cuesheet.errors import CuesheetError

    with pytest.raises(CuesheetError, match="'boom me'.*failed in a worker: ValueError: boom"):
        list(identify_many(["roads", "boom me"], db_path=shipped_db, jobs=2, identify=_explodes))


def _explodes(query: str, sources: object, **kw: object) -> str:
    if "boom" in query:
        raise ValueError("boom")
    return query


# --- 2. undo is one transaction ------------------------------------------------------------------


@pytest.mark.parametrize("point", ["undo-restored", "undo-linked"])
def test_kill_9_inside_undo_leaves_history_right(mini_db: Path, point: str) -> None:
    conn = open_conn(mini_db)
    curate_add(conn)
    before = snapshot(conn), [(e.id, e.undone_by, e.undo_of) for e in history.entries(conn)]
    conn.close()
    killed = cuesheet("undo", "--db", str(mini_db), env={"CUESHEET_TEST_KILL_AT": point})
    assert killed.returncode == -9
    conn = open_conn(mini_db)
    assert (snapshot(conn), [(e.id, e.undone_by, e.undo_of) for e in history.entries(conn)]) == before
    history.undo(conn, 1, "kim")  # "cannot undo #1: N rows changed since" before the fix


def curate_add(conn: sqlite3.Connection) -> None:
    from cuesheet.curation import cues as curate

    curate.add_cue(conn, episode(conn, "mini", "s1e1"), draft("Elastic Heart - Sia"), "kim")


# --- 7. a database from a newer cuesheet --------------------------------------------------------


def newer(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO _migrations (name, applied_at) VALUES ('m999_from_the_future', 'now')")
    conn.execute("CREATE TABLE future_work (x)")
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize("command", [["shows"], ["what", "soundtrack", "3"], ["history"], ["upgrade"],
                                     ["cue", "list", "soundtrack", "3"], ["build", "--from", "data"],
                                     ["build", "--from", "data", "--force"]])
def test_a_database_from_a_newer_cuesheet_is_refused_and_kept(shipped_db: Path, command: list[str]) -> None:
    from .conftest import ROOT

    newer(shipped_db)
    done = cuesheet(*command, "--db", str(shipped_db), cwd=ROOT)
    one_plain_error(done, "made by a newer cuesheet", "m999_from_the_future")
    conn = sqlite3.connect(shipped_db)
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'future_work'").fetchone() == (1,)


# --- 6. one sanitiser for whatever is said back ----------------------------------------------------

ATTACK = "\x1b]0;PWNED\x07\x1b[31m\x1b[2J"


def test_an_unknown_key_with_escape_codes_is_shown_escaped(shipped_db: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "s01e03.yaml"
    sheet.write_text(f'season: 1\nepisode: 3\ncues:\n  - cue: 1\n    "{ATTACK.encode("unicode_escape").decode()}": x\n',
                     encoding="utf-8")
    jsonl = tmp_path / "c.jsonl"
    jsonl.write_text('{"title": "t", "artist": "a", "\\u001b]0;PWNED\\u0007": 1}\n', encoding="utf-8")
    for done in (cuesheet("cue", "import", str(sheet), "--show", "soundtrack", "--db", str(shipped_db)),
                 cuesheet("catalog", "import", str(jsonl), "--db", str(shipped_db))):
        assert "\\x1b]0;PWNED" in one_plain_error(done)


@pytest.mark.parametrize("name", ["CUESHEET_UPTO", "CUESHEET_DB"])
def test_environment_values_are_shown_escaped(shipped_db: Path, name: str) -> None:
    env = {"CUESHEET_DB": str(shipped_db), name: "x" + ATTACK + "\x01"}
    done = cuesheet("what", "soundtrack", "3", env=env)
    said = one_plain_error(done, name)
    assert "x\\x1b]0;PWNED" in said or "control character (U+001B)" in said


def test_web_pages_never_send_control_characters(shipped_db: Path) -> None:
    from starlette.testclient import TestClient

    from cuesheet.web.app import create_app

    client = TestClient(create_app(shipped_db), raise_server_exceptions=False)
    for url in ["/x%00y%1b%5b31m", "/search?q=%1b%5b2Jhi%00", "/soundtrack/%1b%07", "/soundtrack/s1e3%1b.json"]:
        response = client.get(url)
        assert response.status_code in (200, 400, 404)
        assert not any(c in response.text for c in RAW), (url, response.text)


# --- 3. dump: every unsafe target is one plain line, nothing left behind --------------------------


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(".*")) if folder.is_dir() else []


def test_dump_into_a_file_a_device_a_dangling_link_or_proc_is_one_line(shipped_db: Path, tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x\n", encoding="utf-8")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    for target in [tmp_path / "f", Path("/dev/full"), tmp_path / "dangling", Path("/proc/self"),
                   tmp_path / "no" / "such", tmp_path / ("x" * 300)]:
        done = cuesheet("dump", "--to", str(target), "--db", str(shipped_db))
        one_plain_error(done)
        assert sum(line.lower().startswith("error") for line in done.stderr.splitlines()) == 1, done.stderr
    assert (tmp_path / "f").read_text(encoding="utf-8") == "x\n"
    assert _leftovers(tmp_path) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_dump_into_a_read_only_folder_is_one_line(shipped_db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        one_plain_error(cuesheet("dump", "--to", str(folder), "--db", str(shipped_db)), "cannot dump")
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)


def _full_disk() -> None:
    """Files past 6 KB cannot grow, as on a full disk (no mount needed; SIGXFSZ ignored)."""
    import resource
    import signal

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (6 * 1024, 6 * 1024))


def test_dump_on_a_full_disk_leaves_the_old_files_and_no_temporary_one(shipped_db: Path, tmp_path: Path) -> None:
    from .conftest import DATA

    import shutil

    dest = tmp_path / "data"
    shutil.copytree(DATA, dest)
    (dest / "soundtrack" / "s01e03.yaml").write_text("# edited by hand\n", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in (dest / "soundtrack").iterdir()}
    big = "x" * 70_000
    conn = sqlite3.connect(shipped_db)
    conn.execute("UPDATE cues SET scene = ? WHERE id = (SELECT min(id) FROM cues)", [big[:4000]])
    conn.execute("UPDATE episodes SET notes = ? WHERE id = (SELECT min(id) FROM episodes)", [big[:4000]])
    conn.commit()
    conn.close()
    done = subprocess.run([sys.executable, "-c", CLI, "dump", "--to", str(dest), "--db", str(shipped_db)],
                          capture_output=True, text=True, timeout=120, preexec_fn=_full_disk)
    if done.returncode == 0:  # everything fitted under the limit: nothing to test on this data
        pytest.skip("the dump fitted in 6 KB a file")
    one_plain_error(done, "cannot dump")
    assert {p.name: p.read_bytes() for p in (dest / "soundtrack").iterdir()} == before
    assert _leftovers(dest) == []


# --- 4. bounded reads -------------------------------------------------------------------------------


def _limited(memory_mb: int = 512):  # type: ignore[no-untyped-def]
    def limit() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory_mb * 1024 * 1024, memory_mb * 1024 * 1024))
    return limit


@pytest.mark.parametrize("command", [
    ["config", "show"], ["catalog", "import", "/dev/zero", "--format", "csv"],
    ["identify", "--from", "/dev/zero", "--offline"], ["cue", "import", "/dev/zero", "--format", "csv",
                                                       "--show", "soundtrack"]])
def test_endless_inputs_are_refused_within_512_mb(shipped_db: Path, command: list[str]) -> None:
    env = {**os.environ, "CUESHEET_CONFIG": "/dev/full", "CUESHEET_DB": str(shipped_db)}
    done = subprocess.run([sys.executable, "-c", CLI, *command], env=env, capture_output=True, text=True,
                          timeout=120, preexec_fn=_limited())
    one_plain_error(done)
    assert "MemoryError" not in done.stderr


def test_a_50_mb_csv_line_is_refused_without_reading_it_whole(shipped_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with open(path, "wb") as fh:
        fh.write(b"title,artist\n")
        fh.write(b"a" * (50 * 1024 * 1024))
        fh.write(b",b\n")
    done = subprocess.run([sys.executable, "-c", CLI, "catalog", "import", str(path), "--db", str(shipped_db)],
                          capture_output=True, text=True, timeout=120, preexec_fn=_limited(256))
    assert "big.csv:2: a line longer than 1 MB" in one_plain_error(done)


def test_stdin_that_never_ends_is_refused(shipped_db: Path) -> None:
    with open("/dev/zero", "rb") as zero:
        done = subprocess.run([sys.executable, "-c", CLI, "identify", "--from", "-", "--offline", "--db",
                               str(shipped_db)], stdin=zero, capture_output=True, text=True, timeout=120,
                              preexec_fn=_limited())
    assert "stdin: is larger than 8 MB" in one_plain_error(done)


# --- 5. damaged real files: one located error; CR-only CSV is read ---------------------------------


def _zst(data: bytes) -> bytes:
    import zstandard

    return zstandard.ZstdCompressor().compress(data)


def _tar(members: dict[str, bytes]) -> bytes:
    import io
    import tarfile

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, payload in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
    return buf.getvalue()


ROWS = b"title,artist\n" + b"".join(b"Song %d,Artist %d\n" % (n, n) for n in range(5000))


@pytest.mark.parametrize("name,data,words", [
    ("cut.tar.zst", _zst(_tar({"canonical_musicbrainz_data.csv": ROWS}))[:2000], "cut short"),
    ("cut.jsonl.zst", (lambda z: z[: len(z) // 2])(_zst(b"".join(b'{"title": "t%d", "artist": "b"}\n' % n
                                                                for n in range(3000)))), "cut short"),
    ("corrupt.jsonl.zst", (lambda z: z[:20] + b"\xff" * 40 + z[60:])(_zst(b'{"title": "a", "artist": "b"}\n' * 3000)),
     "damaged"),
    ("nul.tar.zst", _zst(_tar({"data.csv": b"\x00" * 4096})), "header"),
    ("head.csv", b"title,artist," + b"x" * 200_000 + b"\n", "header"),
], ids=["truncated-tar", "truncated-jsonl", "corrupt-jsonl", "nul-member", "huge-header"])
def test_damaged_catalog_files_are_one_located_error(shipped_db: Path, tmp_path: Path, name: str, data: bytes,
                                                     words: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    before = sqlite3.connect(shipped_db).execute("SELECT count(*) FROM recordings").fetchone()
    said = one_plain_error(cuesheet("catalog", "import", str(path), "--db", str(shipped_db)), name, words)
    assert len([line for line in said.splitlines() if line.startswith("error")]) == 1, said
    assert sqlite3.connect(shipped_db).execute("SELECT count(*) FROM recordings").fetchone() == before


def test_classic_mac_csv_is_read(shipped_db: Path, tmp_path: Path) -> None:
    from cuesheet.db.connection import connect
    from cuesheet.files import cueimport
    from cuesheet.recordings import importer
    from cuesheet.viewer.resolve import find_show

    catalog = tmp_path / "mac.csv"
    catalog.write_bytes(b"title,artist\rRoads Mac,Portishead\rGlory Box Mac,Portishead\r")
    sheet = tmp_path / "mac cues.csv"
    sheet.write_bytes(b"season,episode,title,artist\r1,3,Roads Mac,Portishead\r1,3,Sour Times,Portishead\r")
    conn = connect(shipped_db).conn
    assert importer.import_file(conn, catalog).added == 2
    report = cueimport.import_file(conn, sheet, find_show(conn, "soundtrack"), "kim", match=False)
    assert len(report.added) == 2 and report.songs == 2


# --- 8 and 10. the other tracebacks ------------------------------------------------------------------


def test_a_huge_cue_csv_header_and_twenty_thousand_columns(shipped_db: Path, tmp_path: Path) -> None:
    huge = tmp_path / "huge.csv"
    huge.write_text("season,episode,title," + "x" * 200_000 + "\n", encoding="utf-8")
    one_plain_error(cuesheet("cue", "import", str(huge), "--show", "soundtrack", "--db", str(shipped_db)),
                    "huge.csv:1: header")
    wide = tmp_path / "wide.csv"
    wide.write_text("season,episode,title," + ",".join(f"c{i}" for i in range(20_000)) + "\n", encoding="utf-8")
    for command in (["cue", "import", str(wide), "--show", "soundtrack"], ["catalog", "import", str(wide)]):
        said = one_plain_error(cuesheet(*command, "--db", str(shipped_db)), "more]")
        assert len(said) < 2_000, len(said)


@pytest.mark.parametrize("args", [
    ["review", "accept", "9223372036854775808"],
    ["export", "cuesheet", "soundtrack", "--season", "1", "-o", "/tmp/" + "b" * 300],
    ["export", "cuesheet", "soundtrack", "3", "-o", "/tmp/" + "b" * 300],
    ["cue", "import", "/dev/zero", "--show", "soundtrack", "--format", "csv"],
])
def test_arguments_that_traced_back(shipped_db: Path, args: list[str]) -> None:
    done = one_plain_error(cuesheet(*args, "--db", str(shipped_db)))
    assert "no such file" not in done


def test_a_symlink_loop_and_a_list_as_season(shipped_db: Path, tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    (tmp_path / "s01e03.yaml").symlink_to(tmp_path / "a")
    one_plain_error(cuesheet("cue", "import", str(tmp_path / "s01e03.yaml"), "--db", str(shipped_db)))
    one_plain_error(cuesheet("cue", "import", str(tmp_path / "s01e03.yaml"), "--show", "soundtrack", "--db",
                             str(shipped_db)), "loop of symbolic links")
    for name in ("s.json", "s.yaml"):
        (tmp_path / name).write_text('{"season":[1],"episode":6}\n', encoding="utf-8")
        one_plain_error(cuesheet("cue", "import", str(tmp_path / name), "--show", "soundtrack", "--db",
                                 str(shipped_db)), "season: expected a whole number")


@pytest.mark.parametrize("config,words", [
    ("[network]\nretries = " + "[" * 5000 + "]" * 5000 + "\n", "nested more than 32"),
    ("[network]\nretries = inf\n", "not a finite number"),
    ("[network]\ntimeout = nan\n", "not a finite number"),
    (None, "is a folder"),
    ("/dev/full", "larger than 1 MB"),
])
def test_config_files_that_traced_back(shipped_db: Path, tmp_path: Path, config: str | None, words: str) -> None:
    if config is None:
        path = tmp_path
    elif config.startswith("/"):
        path = Path(config)
    else:
        path = tmp_path / "c.toml"
        path.write_text(config, encoding="utf-8")
    for command in (["config", "show"], ["identify", "roads"]):
        one_plain_error(cuesheet(*command, env={"CUESHEET_CONFIG": str(path), "CUESHEET_DB": str(shipped_db)}), words)


def test_long_names_in_the_environment(shipped_db: Path) -> None:
    for name, command in [("CUESHEET_DB", ["shows"]), ("CUESHEET_DB", ["history"]), ("CUESHEET_DB", ["build"]),
                          ("CUESHEET_CONFIG", ["config", "show"])]:
        one_plain_error(cuesheet(*command, env={name: "/tmp/" + "a" * 300}), "too long")


def test_a_listing_on_a_full_device_exits_1_with_one_line(mini_db: Path) -> None:
    conn = open_conn(mini_db)
    curate_add(conn)
    conn.close()
    for command in (["history"], ["shows"], ["history", "--json"]):
        with open("/dev/full", "w") as full:
            done = subprocess.run([sys.executable, "-c", CLI, *command, "--db", str(mini_db)], stdout=full,
                                  stderr=subprocess.PIPE, text=True, timeout=120)
        assert done.returncode == 1, (command, done.stderr)
        assert done.stderr.strip() == "error: cannot write the output: No space left on device"


def test_a_full_disk_is_not_called_a_foreign_database(tmp_path: Path) -> None:
    from .conftest import DATA

    done = subprocess.run([sys.executable, "-c", CLI, "build", "--from", str(DATA), "--db", str(tmp_path / "n.sqlite")],
                          capture_output=True, text=True, timeout=120, preexec_fn=_full_disk)
    said = one_plain_error(done)
    assert "is it a cuesheet database" not in said and ("disk" in said or "space" in said), said
