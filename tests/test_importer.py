"""Catalog import: the MusicBrainz canonical format, zstd input, bad rows, re-import, crash safety."""

from __future__ import annotations

import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import zstandard
from typer.testing import CliRunner

from cuesheet.cli import app
from cuesheet.db.connection import connect as open_db
from cuesheet.db.transactions import transaction, writer_note
from cuesheet.errors import CuesheetError, InputErrors
from cuesheet.recordings import importer

runner = CliRunner()
HEADER = ",".join(importer.CANONICAL_COLUMNS) + "\n"
A1 = "8f6bd1e4-fbe1-4f50-aa9b-94c450ec0f11"  # Portishead
A2 = "1c2f6d7e-0000-4000-8000-000000000001"
REL = "76df3287-6cda-33eb-8e9a-044b5e15ffdd"


def mbid(n: int) -> str:
    return f"{n:08x}-0000-4000-8000-{n:012x}"


def canonical_row(n: int, title: str, artist: str = "Portishead", *, artists: str = A1,
                  release: str = "Dummy", score: int | str = 1) -> str:
    return f'{n},{n},"{artists}","{artist}",{REL},"{release}",{mbid(n)},"{title}",x,{score}\n'


def write(tmp_path: Path, body: str, name: str = "canonical_musicbrainz_data.csv", header: str = HEADER) -> Path:
    path = tmp_path / name
    path.write_text(header + body, encoding="utf-8")
    return path


def connect(tmp_path: Path) -> sqlite3.Connection:
    return open_db(tmp_path / "cat.sqlite", create=True).conn


def recordings(conn) -> list[tuple]:  # type: ignore[no-untyped-def]
    return conn.execute("SELECT id, title, artist, album, mbid, artist_mbids, release_mbid, mb_score"
                        " FROM recordings ORDER BY id").fetchall()


def test_canonical_layout_is_detected_from_the_header(tmp_path: Path) -> None:
    path = write(tmp_path, canonical_row(1, "Glory Box") + canonical_row(2, "Roads", score=4))
    assert importer.detect_format(path, None) == "musicbrainz-canonical"
    conn = connect(tmp_path)
    report = importer.import_file(conn, path)
    assert (report.format, report.rows, report.added) == ("musicbrainz-canonical", 2, 2)
    assert recordings(conn)[0][1:] == ("Glory Box", "Portishead", "Dummy", mbid(1), A1, REL, 1)
    # The word index is filled: identify's candidate search finds the row.
    hit = conn.execute("SELECT rowid FROM recording_fts WHERE recording_fts MATCH 'glory'").fetchall()
    assert hit == [(1,)]


def test_our_csv_is_not_taken_for_canonical(tmp_path: Path) -> None:
    path = write(tmp_path, "Smile,Nat King Cole\n", name="cat.csv", header="title,artist\n")
    assert importer.detect_format(path, None) == "csv"


@pytest.mark.parametrize("cell", [f"{A1},{A2}", f"{{{A1},{A2}}}", f"{{{A1}, {A2}}}"])
def test_artist_mbid_lists_are_kept_in_credit_order(tmp_path: Path, cell: str) -> None:
    path = write(tmp_path, canonical_row(1, "Roads", "Portishead & Friend", artists=cell))
    conn = connect(tmp_path)
    importer.import_file(conn, path)
    assert recordings(conn)[0][5] == f"{A1},{A2}"


@pytest.mark.parametrize(
    ("row", "field"),
    [(canonical_row(3, ""), "recording_name"),
     (canonical_row(3, "X").replace(mbid(3), "not-a-uuid"), "recording_mbid"),
     (canonical_row(3, "X", artists=f"{A1},nope"), "artist_mbids"),
     (canonical_row(3, "X", score="high"), "score"),
     ('3,3,"",A,,,x\n', "row")],
)
def test_bad_canonical_rows_name_file_line_and_field(tmp_path: Path, row: str, field: str) -> None:
    path = write(tmp_path, canonical_row(1, "Fine") + canonical_row(2, "Fine too") + row)
    conn = connect(tmp_path)
    with pytest.raises(InputErrors) as info:
        importer.import_file(conn, path)
    error = info.value.errors[0]
    assert (error.file, error.line, error.field) == (str(path), 4, field)
    assert recordings(conn) == []  # all or nothing


def test_a_canonical_format_forced_on_another_file_says_which_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "Smile,Nat King Cole\n", name="cat.csv", header="title,artist\n")
    with pytest.raises(InputErrors, match="canonical layout; columns must be: id,artist_credit_id"):
        importer.import_file(connect(tmp_path), path, format="musicbrainz-canonical")


def _zst(data: bytes) -> bytes:
    return zstandard.ZstdCompressor().compress(data)


def test_csv_zst_is_read_as_a_stream(tmp_path: Path) -> None:
    text = (HEADER + canonical_row(1, "Glory Box") + canonical_row(2, "Roads")).encode()
    path = tmp_path / "canonical_musicbrainz_data.csv.zst"
    path.write_bytes(_zst(text))
    conn = connect(tmp_path)
    report = importer.import_file(conn, path)
    assert (report.format, report.added) == ("musicbrainz-canonical", 2)


def _tar_zst(path: Path, members: dict[str, bytes]) -> Path:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    path.write_bytes(_zst(buf.getvalue()))
    return path


def test_tar_zst_finds_the_canonical_csv_among_other_files(tmp_path: Path) -> None:
    data = (HEADER + canonical_row(1, "Glory Box") + '2,2,"",A,,,x\n').encode()
    path = _tar_zst(tmp_path / "musicbrainz-canonical-dump.tar.zst", {
        "canonical/TIMESTAMP": b"2024-01-01",
        "canonical/canonical_recording_redirect.csv": b"recording_mbid,canonical_recording_mbid\n",
        "canonical/canonical_musicbrainz_data.csv": data,
    })
    conn = connect(tmp_path)
    with pytest.raises(InputErrors) as info:
        importer.import_file(conn, path)
    # Errors inside an archive name the member, then the line.
    assert str(info.value).startswith(f"{path}/canonical/canonical_musicbrainz_data.csv:3: row:")
    good = _tar_zst(tmp_path / "good.tar.zst", {"canonical/canonical_musicbrainz_data.csv": data[: data.index(b"2,2")]})
    assert importer.import_file(conn, good).added == 1


def test_damaged_zst_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "broken.csv.zst"
    path.write_bytes(b"\x28\xb5\x2f\xfdgarbage")
    result = runner.invoke(app, ["catalog", "import", str(path), "--create", "--db", str(tmp_path / "c.sqlite")])
    assert result.exit_code != 0
    assert "broken.csv.zst" in result.output and "Traceback" not in result.output


def test_skip_invalid_imports_good_rows_and_writes_rejects(tmp_path: Path) -> None:
    path = write(tmp_path, canonical_row(1, "Glory Box") + canonical_row(2, "X", score="high")
                 + canonical_row(3, "Roads") + canonical_row(4, ""))
    dbfile = tmp_path / "c.sqlite"
    plain = runner.invoke(app, ["catalog", "import", str(path), "--create", "--db", str(dbfile)])
    assert plain.exit_code != 0 and f"{path}:3: score:" in plain.output
    assert open_db(dbfile).conn.execute("SELECT count(*) FROM recordings").fetchone()[0] == 0

    result = runner.invoke(app, ["catalog", "import", str(path), "--db", str(dbfile), "--skip-invalid", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["rows"], report["added"], report["rejected"]) == (4, 2, 2)
    lines = Path(report["rejects_path"]).read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith(f"{path}:3: score: 'high' is not a whole number\t2,2,")
    assert lines[1].startswith(f"{path}:5: recording_name: is required\t")
    # A second run does not overwrite the reject file.
    again = runner.invoke(app, ["catalog", "import", str(path), "--db", str(dbfile), "--skip-invalid"])
    assert again.exit_code != 0 and "already exists" in again.output


def test_rows_without_artist_are_read_from_the_title(tmp_path: Path) -> None:
    conn = connect(tmp_path)
    known = write(tmp_path, "Sara,Fleetwood Mac\n", name="known.csv", header="title,artist\n")
    importer.import_file(conn, known)
    path = write(tmp_path, "Daniel Balavoine - L'enfant aux yeux d'Italie,\n"
                           "Sara - Fleetwood Mac,\n"
                           "Untitled Demo,\n", name="export.csv", header="title,artist\n")
    report = importer.import_file(conn, path)
    assert (report.added, report.artist_from_title) == (3, 2)
    rows = {r[1]: r[2] for r in recordings(conn)[1:]}
    # "Artist - Title" by default; "Title - Artist" when only the right-hand part is a known artist.
    assert rows == {"L'enfant aux yeux d'Italie": "Daniel Balavoine", "Sara": "Fleetwood Mac",
                    "Untitled Demo": ""}
    # Importing the same file again adds nothing, whichever way its rows were read.
    assert importer.import_file(conn, path).added == 0


def _link(conn, recording_id: int) -> None:  # type: ignore[no-untyped-def]
    """A cue song linked to a recording, as curation leaves it."""
    conn.execute("INSERT INTO shows (slug, name) VALUES ('s', 'S')")
    conn.execute("INSERT INTO episodes (show_id, season, number, title) VALUES (1, 1, 1, 'Pilot')")
    conn.execute("INSERT INTO cues (episode_id, number, kind) VALUES (1, 1, 'background')")
    conn.execute("INSERT INTO cue_songs (cue_id, position, text, title, artist, recording_id, match_status)"
                 " VALUES (1, 1, 'Glory Box', 'Glory Box', 'Portishead', ?, 'accepted')", [recording_id])


def test_reimport_updates_adds_and_keeps_linked_recordings(tmp_path: Path) -> None:
    conn = connect(tmp_path)
    old = write(tmp_path, canonical_row(1, "Glory Box") + canonical_row(2, "Roads") + canonical_row(3, "Sour Times"),
                name="old.csv")
    importer.import_file(conn, old)
    _link(conn, 1)
    new = write(tmp_path, canonical_row(2, "Roads", release="Roseland NYC Live", score=9)  # changed
                + canonical_row(3, "Sour Times")                                              # unchanged
                + canonical_row(4, "Numb"), name="new.csv")                                   # new; 1 gone
    report = importer.import_file(conn, new, replace=True)
    assert (report.added, report.changed, report.unchanged) == (1, 1, 1)
    assert (report.removed, report.kept_linked) == (0, 1)
    rows = {r[4]: r for r in recordings(conn)}
    assert rows[mbid(2)][0] == 2 and rows[mbid(2)][3] == "Roseland NYC Live" and rows[mbid(2)][7] == 9
    assert rows[mbid(1)][0] == 1  # linked by a cue: kept although the dataset dropped it
    assert conn.execute("SELECT recording_id FROM cue_songs").fetchone()[0] == 1
    # Without the link, a row the dataset dropped goes.
    third = write(tmp_path, canonical_row(2, "Roads") + canonical_row(4, "Numb"), name="third.csv")
    report = importer.import_file(conn, third, replace=True)
    assert (report.changed, report.removed, report.kept_linked) == (1, 1, 1)
    assert sorted(r[4] for r in recordings(conn)) == [mbid(1), mbid(2), mbid(4)]
    # The word index follows: the removed title is gone, the changed row still found.
    assert conn.execute("SELECT count(*) FROM recording_fts WHERE recording_fts MATCH 'sour'").fetchone()[0] == 0


def test_worker_process_gives_the_same_catalog(tmp_path: Path) -> None:
    body = "".join(canonical_row(n, f"Song {n} Blue", f"Act {n % 7}") for n in range(1, 12_001))
    path = write(tmp_path, body + canonical_row(99_999, "X", score="?"))
    a = open_db(tmp_path / "a.sqlite", create=True).conn
    b = open_db(tmp_path / "b.sqlite", create=True).conn
    ra = importer.import_file(a, path, workers=False, skip_invalid=True, rejects=tmp_path / "ra.txt")
    rb = importer.import_file(b, path, workers=True, skip_invalid=True, rejects=tmp_path / "rb.txt")
    assert (ra.rows, ra.added, ra.rejected) == (rb.rows, rb.added, rb.rejected) == (12_001, 12_000, 1)
    assert recordings(a) == recordings(b)
    with pytest.raises(InputErrors, match="score"):
        importer.import_file(b, path, workers=True)


# --- crash safety: a real process killed with SIGKILL at each step -----------------------------

_IMPORT = "import sys; from cuesheet.cli import main; sys.argv = ['cuesheet'] + sys.argv[1:]; main()"


def _snapshot(path: Path) -> tuple:
    conn = open_db(path).conn
    rows = conn.execute("SELECT id, title, mb_score FROM recordings ORDER BY id").fetchall()
    words = conn.execute("SELECT count(*) FROM recording_fts WHERE recording_fts MATCH 'song'").fetchone()
    conn.close()
    return rows, words


@pytest.mark.parametrize("point", ["staging", "staged", "merging", "indexed"])
def test_kill_9_at_any_step_leaves_the_catalog_as_it_was(tmp_path: Path, point: str) -> None:
    dbfile = tmp_path / "c.sqlite"
    conn = open_db(dbfile, create=True).conn
    importer.import_file(conn, write(tmp_path, canonical_row(1, "Song One"), name="first.csv"))
    conn.close()
    before = _snapshot(dbfile)
    body = "".join(canonical_row(n, f"Song {n}", score=n) for n in range(1, 20_001))
    path = write(tmp_path, body)
    env = {**os.environ, "CUESHEET_TEST_KILL_AT": point}
    done = subprocess.run([sys.executable, "-c", _IMPORT, "catalog", "import", str(path), "--db", str(dbfile)],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert _snapshot(dbfile) == before
    # The next import removes the dead one's staging file and succeeds.
    assert list(tmp_path.glob("c.sqlite.import-*"))
    conn = open_db(dbfile).conn
    report = importer.import_file(conn, path)
    assert (report.added, report.changed) == (19_999, 1)  # "Song One" is now "Song 1"
    assert not list(tmp_path.glob("c.sqlite.import-*"))


def test_import_waits_for_no_lock_while_staging(tmp_path: Path) -> None:
    """While rows are read and staged, another connection can write the catalog."""
    dbfile = tmp_path / "c.sqlite"
    conn = open_db(dbfile, create=True).conn
    other = open_db(dbfile).conn
    seen: list[str] = []

    def progress(phase: str, rows: int, done: int, total: int) -> None:
        if phase == "reading" and not seen:
            with transaction(other):  # would time out if the import held the write lock
                other.execute("INSERT INTO shows (slug, name) VALUES ('x', 'X')")
            seen.append(phase)

    body = "".join(canonical_row(n, f"Song {n}") for n in range(1, 6_001))
    importer.import_file(conn, write(tmp_path, body), progress=progress)
    assert seen and conn.execute("SELECT count(*) FROM shows").fetchone()[0] == 1


def test_a_writer_kept_waiting_by_the_merge_is_told_what_holds_the_lock(tmp_path: Path) -> None:
    dbfile = tmp_path / "c.sqlite"
    importing = open_db(dbfile, create=True).conn
    curator = open_db(dbfile).conn
    curator.execute("PRAGMA busy_timeout = 50")
    with writer_note(importing, "a catalog import merging 1,000,000 rows of big.csv", "wait"), \
            transaction(importing):
        with pytest.raises(CuesheetError) as info:
            with transaction(curator):
                pass
    message = str(info.value)
    assert "a catalog import merging 1,000,000 rows of big.csv" in message and f"pid {os.getpid()}" in message
    assert not (tmp_path / "c.sqlite.writer").exists()
    # Without a note (or with a dead writer's), the message still says what to do.
    with transaction(importing):
        with pytest.raises(CuesheetError, match="another program has been writing it"):
            with transaction(curator):
                pass


def test_among_equal_candidates_the_canonical_release_wins(tmp_path: Path) -> None:
    from cuesheet.matching import identify
    from cuesheet.sources.catalog import CatalogSource

    # Same recording text on two releases; the later row (higher id) has the better (lower) score.
    path = write(tmp_path, canonical_row(1, "Glory Box", release="Compilation", score=50)
                 + canonical_row(2, "Glory Box", release="Dummy", score=3))
    conn = connect(tmp_path)
    importer.import_file(conn, path)
    best = identify("glory box portishead", [CatalogSource(conn)]).candidates
    assert [s.candidate.album for s in best[:2]] == ["Dummy", "Compilation"]
    assert best[0].score == best[1].score


@pytest.mark.parametrize("existing", [False, True])
def test_a_recording_listed_twice_is_imported_once(tmp_path: Path, existing: bool) -> None:
    conn = connect(tmp_path)
    if existing:
        importer.import_file(conn, write(tmp_path, canonical_row(7, "Numb"), name="before.csv"))
    path = write(tmp_path, canonical_row(1, "Glory Box") + canonical_row(1, "Glory Box") + canonical_row(2, "Roads"))
    report = importer.import_file(conn, path)
    assert (report.rows, report.added, report.unchanged) == (3, 2, 1)
    assert len(recordings(conn)) == 2 + existing


def test_imported_words_feed_the_spelling_list(tmp_path: Path) -> None:
    from cuesheet.sources.catalog import near_terms

    conn = connect(tmp_path)
    importer.import_file(conn, write(tmp_path, canonical_row(1, "Glory Box"), name="a.csv"))
    importer.import_file(conn, write(tmp_path, canonical_row(2, "Sour Times"), name="b.csv"), workers=True)
    words = {w for (w,) in conn.execute("SELECT term FROM recording_vocab")}
    assert words == {"glory", "box", "portishead", "sour", "times"}
    assert near_terms(conn, "portishaed") == ["portishead"]


def test_a_row_csv_cannot_read_is_a_located_error_not_a_traceback(tmp_path: Path) -> None:
    path = write(tmp_path, "A," + "x" * 200_000 + "\nFine,Row\n", name="big.csv", header="title,artist\n")
    conn = connect(tmp_path)
    with pytest.raises(InputErrors) as info:
        importer.import_file(conn, path)
    error = info.value.errors[0]
    assert (error.line, error.field) == (2, "row") and "field larger than field limit" in str(error)
    report = importer.import_file(conn, path, skip_invalid=True)
    assert (report.added, report.rejected) == (1, 1)
    junk = tmp_path / "junk.csv"
    junk.write_bytes(b"\x00\r\x00\n\r\r\x01")
    result = runner.invoke(app, ["catalog", "import", str(junk), "--create", "--db", str(tmp_path / "c.sqlite")])
    assert result.exit_code == 1 and "Traceback" not in result.output
