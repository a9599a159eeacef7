"""Issue #23: no curator step can lose or corrupt work. Each scenario the issue reports, as
the curator ran it, through the commands."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from cuesheet.cli import app
from cuesheet.curation import review

from .curator_helpers import open_conn, snapshot

runner = CliRunner()


def run(db: Path, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, [*args, "--db", str(db)], env={"CUESHEET_CURATOR": "kim"})


def ok(db: Path, *args: str) -> str:
    r = run(db, *args)
    assert r.exit_code == 0, (args, r.output)
    return r.stdout


def cue_count(db: Path, season: int, number: int) -> int:
    return sqlite3.connect(db).execute(
        "SELECT count(*) FROM cues c JOIN episodes e ON e.id = c.episode_id WHERE e.season = ? AND e.number = ?",
        [season, number]).fetchone()[0]


# --- 1. undoing an import never takes later work with it ------------------------------------------


def _import_new_episode_then_add(db: Path, tmp_path: Path) -> int:
    sheet = tmp_path / "ep11.csv"
    sheet.write_text("season,episode,episode_title,title,artist\n1,11,A New One,Chandelier,Sia\n")
    ok(db, "cue", "import", str(sheet), "--show", "soundtrack")
    first = json.loads(ok(db, "history", "--json"))[0]["id"]
    ok(db, "cue", "add", "soundtrack", "11", "--title", "Push It", "--artist", "Salt-N-Pepa", "--yes", "--offline")
    return int(first)


def test_undoing_an_import_refuses_naming_the_later_cue(shipped_db: Path, tmp_path: Path) -> None:
    imported = _import_new_episode_then_add(shipped_db, tmp_path)
    later = json.loads(ok(shipped_db, "history", "--json"))[0]["id"]
    before = snapshot(open_conn(shipped_db))
    r = run(shipped_db, "undo", str(imported))
    assert r.exit_code == 1
    assert "S01E11" in r.output and f"#{later}" in r.output and "--keep-later" in r.output
    assert snapshot(open_conn(shipped_db)) == before
    # Undoing the later cue first, then the import, takes both back.
    ok(shipped_db, "undo", str(later))
    ok(shipped_db, "undo", str(imported))
    assert cue_count(shipped_db, 1, 11) == 0
    assert sqlite3.connect(shipped_db).execute("SELECT count(*) FROM episodes WHERE number = 11").fetchone()[0] == 0


def test_keep_later_takes_back_only_what_is_still_the_imports(shipped_db: Path, tmp_path: Path) -> None:
    imported = _import_new_episode_then_add(shipped_db, tmp_path)
    out = ok(shipped_db, "undo", str(imported), "--keep-later")
    assert "Undid" in out
    conn = sqlite3.connect(shipped_db)
    titles = [t for (t,) in conn.execute(
        """SELECT s.title FROM cue_songs s JOIN cues c ON c.id = s.cue_id JOIN episodes e ON e.id = c.episode_id
            WHERE e.season = 1 AND e.number = 11""")]
    assert titles == ["Push It"]  # the curator's cue and its episode stay; the imported cue is gone
    summary = json.loads(ok(shipped_db, "history", "--json"))[0]["summary"]
    assert "kept S01E11" in summary


# --- 3. a re-saved file is the same file ------------------------------------------------------------


def test_the_same_rows_resaved_are_recognised(shipped_db: Path, tmp_path: Path) -> None:
    first = tmp_path / "cues.csv"
    first.write_bytes(b"season,episode,title,artist\n1,3,Chandelier,Sia\n1,3,Titanium,David Guetta\n")
    ok(shipped_db, "cue", "import", str(first), "--show", "soundtrack")
    before = cue_count(shipped_db, 1, 3)
    for name, data in {
        "crlf.csv": b"season,episode,title,artist\r\n1,3,Chandelier,Sia\r\n1,3,Titanium,David Guetta\r\n",
        "bom.csv": b"\xef\xbb\xbfseason,episode,title,artist\n1,3,Chandelier,Sia\n1,3,Titanium,David Guetta\n",
        "columns.csv": b"title,artist,episode,season\nChandelier,Sia,3,1\nTitanium,David Guetta,3,1\n",
        "quoted.csv": b'"season","episode","title","artist"\n1,3,"Chandelier","Sia"\n1,"3","Titanium",David Guetta\n',
    }.items():
        again = tmp_path / name
        again.write_bytes(data)
        r = run(shipped_db, "cue", "import", str(again), "--show", "soundtrack")
        assert r.exit_code == 1 and "already imported" in r.output and "--again" in r.output, (name, r.output)
    assert cue_count(shipped_db, 1, 3) == before


def test_check_warns_about_a_cue_entered_twice(shipped_db: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "cues.csv"
    sheet.write_text("season,episode,title,artist\n1,3,Chandelier,Sia\n")
    ok(shipped_db, "cue", "import", str(sheet), "--show", "soundtrack")
    assert "duplicate-cue" not in ok(shipped_db, "check", "soundtrack", "--json")
    ok(shipped_db, "cue", "import", str(sheet), "--show", "soundtrack", "--again")
    findings = [f for f in json.loads(ok(shipped_db, "check", "soundtrack", "--json"))
                if f["code"] == "duplicate-cue"]
    assert len(findings) == 1 and findings[0]["severity"] == "warning"
    # Two cues of the same song in different scenes are not duplicates.
    ok(shipped_db, "cue", "add", "soundtrack", "5", "--title", "Roads", "--artist", "Portishead",
       "--scene", "Sam at the bar", "--yes", "--offline")
    ok(shipped_db, "cue", "add", "soundtrack", "5", "--title", "Roads", "--artist", "Portishead",
       "--scene", "Nellie on the roof", "--yes", "--offline")
    assert not [f for f in json.loads(ok(shipped_db, "check", "soundtrack", "5", "--json"))
                if f["code"] == "duplicate-cue"]


# --- 4. bulk accept reads the calibrated probability ---------------------------------------------


def _halo_waits(db: Path, tmp_path: Path) -> int:
    catalog = tmp_path / "glee-catalog.csv"
    catalog.write_text("title,artist,album,year\nHalo,Beyoncé,I Am... Sasha Fierce,2008\n"
                       "Halo / Walking on Sunshine,Glee Cast,Glee: The Music Volume 3,2010\n"
                       "Halo,Glee Cast,,2010\nWalking on Sunshine,Glee Cast,,2010\n", encoding="utf-8")
    ok(db, "catalog", "import", str(catalog))
    ok(db, "cue", "add", "soundtrack", "3", "--song", "halo beyonce glee cast", "--yes", "--offline")
    [item] = [it for it in review.queue(open_conn(db)) if it.text == "halo beyonce glee cast"]
    best = item.candidates[0]
    assert best.score >= 0.75 and best.probability is not None and best.probability < 0.1  # the case
    return item.id


def test_min_score_is_the_probability_and_skips_what_the_matcher_doubts(shipped_db: Path, tmp_path: Path) -> None:
    halo = _halo_waits(shipped_db, tmp_path)
    for option in ("--min-score", "--min-probability"):
        r = run(shipped_db, "review", "accept", option, "0.75", "--json")
        if r.exit_code == 0:
            [batch] = json.loads(r.stdout)
            assert halo not in {d["song"] for d in batch["decisions"]}
            ok(shipped_db, "undo")
    # A low cut never takes what the verdict rejects (probability under 0.5) ...
    r = run(shipped_db, "review", "accept", "--min-probability", "0.01", "--json")
    assert r.exit_code != 0 or halo not in {d["song"] for d in json.loads(r.stdout)[0]["decisions"]}
    if r.exit_code == 0:
        ok(shipped_db, "undo")
    # ... unless forced.
    [batch] = json.loads(ok(shipped_db, "review", "accept", "--min-probability", "0.01", "--force", "--json"))
    assert halo in {d["song"] for d in batch["decisions"]}


def test_the_queue_shows_each_candidates_probability(shipped_db: Path, tmp_path: Path) -> None:
    halo = _halo_waits(shipped_db, tmp_path)
    [item] = [it for it in json.loads(ok(shipped_db, "review", "--json")) if it["id"] == halo]
    assert item["candidates"][0]["probability"] < 0.1


# --- 7. every error of a row at once; an empty file says so ------------------------------------------


def test_a_row_with_four_errors_shows_all_four(shipped_db: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "bad.csv"
    sheet.write_text("season,episode,cue,time_in,title,artist,usage\nx,3,zz,99:99:99,Chandelier,Sia,bogus\n")
    before = snapshot(open_conn(shipped_db))
    r = run(shipped_db, "cue", "import", str(sheet), "--show", "soundtrack")
    assert r.exit_code == 1
    assert [f for f in ("season", "cue", "time_in", "usage") if f"bad.csv:2: {f}:" in r.output] == \
        ["season", "cue", "time_in", "usage"], r.output
    assert "4 errors" in r.output
    assert snapshot(open_conn(shipped_db)) == before


def test_an_empty_file_says_empty_file(shipped_db: Path, tmp_path: Path) -> None:
    for name, data in (("empty.csv", ""), ("blank.csv", "\n\n"), ("empty.yaml", ""), ("empty.json", "  \n")):
        sheet = tmp_path / name
        sheet.write_text(data)
        r = run(shipped_db, "cue", "import", str(sheet), "--show", "soundtrack")
        assert r.exit_code == 1 and f"{name}: empty file" in r.output and "missing columns" not in r.output


# --- 5. a catalog import is curator work ------------------------------------------------------------


def _catalog_file(tmp_path: Path) -> Path:
    extra = tmp_path / "glee-catalog.csv"
    extra.write_text("title,artist,album,year,duration\nSince I Fell for You,Laura Lee,,1972,3:05\n"
                     "Halo,Glee Cast,,2010,\n", encoding="utf-8")
    return extra


def recordings(db: Path) -> int:
    return sqlite3.connect(db).execute("SELECT count(*) FROM recordings").fetchone()[0]


def test_a_catalog_import_is_in_history_and_undone(shipped_db: Path, tmp_path: Path) -> None:
    before = recordings(shipped_db)
    ok(shipped_db, "catalog", "import", str(_catalog_file(tmp_path)))
    [entry] = json.loads(ok(shipped_db, "history", "--json"))[:1]
    assert entry["action"] == "catalog import" and "2 catalog recordings" in entry["summary"]
    ok(shipped_db, "undo")
    assert recordings(shipped_db) == before
    redo = json.loads(ok(shipped_db, "history", "--json"))[0]["id"]
    ok(shipped_db, "undo", str(redo))  # undoing the undo brings them back, searchable
    assert recordings(shipped_db) == before + 2
    assert "Laura Lee" in ok(shipped_db, "catalog", "search", "since i fell for you")


def test_undoing_a_catalog_import_a_song_now_uses_names_that_change(shipped_db: Path, tmp_path: Path) -> None:
    ok(shipped_db, "catalog", "import", str(_catalog_file(tmp_path)))
    imported = json.loads(ok(shipped_db, "history", "--json"))[0]["id"]
    ok(shipped_db, "cue", "add", "soundtrack", "3", "--title", "Since I Fell for You", "--artist", "Laura Lee",
       "--yes", "--offline")
    linked = json.loads(ok(shipped_db, "history", "--json"))[0]["id"]
    r = run(shipped_db, "undo", str(imported))
    assert r.exit_code == 1 and f"#{linked}" in r.output and "--force" in r.output


def test_build_keeps_a_catalog_import_made_right_after_it(tmp_path: Path) -> None:
    """`make FORCE=1; cuesheet catalog import ...; make` must not silently drop the rows, and
    the refusal names a command that resolves it: `dump`, which writes data/catalog/local.csv."""
    import shutil

    from .conftest import DATA

    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    db = tmp_path / "cues.sqlite"
    ok(db, "build", "--from", str(data), "--force")
    ok(db, "catalog", "import", str(_catalog_file(tmp_path)))  # within the same second as the build
    with_import = recordings(db)
    r = run(db, "build", "--from", str(data))
    assert r.exit_code == 1 and "cuesheet dump" in r.output, r.output
    assert recordings(db) == with_import
    ok(db, "dump", "--to", str(data))
    local = (data / "catalog" / "local.csv").read_text(encoding="utf-8")
    assert "Laura Lee" in local and "Glee Cast" in local
    ok(db, "build", "--from", str(data))
    assert recordings(db) == with_import
    assert "Laura Lee" in ok(db, "catalog", "search", "since i fell for you")
    # A second dump with nothing changed rewrites nothing.
    assert json.loads(ok(db, "dump", "--to", str(data), "--json"))[0]["written"] == []


# --- 6. a faithful round trip --------------------------------------------------------------------------

INTERNAL_IDS = ("cue_id", "recording_id", "song_id", "id")


def _without_ids(value):  # type: ignore[no-untyped-def]
    if isinstance(value, dict):
        return {k: _without_ids(v) for k, v in value.items() if k not in INTERNAL_IDS}
    if isinstance(value, list):
        return [_without_ids(v) for v in value]
    return value


def answers(db: Path) -> dict[str, object]:
    """`what --json` for every episode of every show, and the review queue with its searches."""
    out: dict[str, object] = {}
    for show in json.loads(ok(db, "shows", "--json")):
        for ep in json.loads(ok(db, "episodes", show["slug"], "--json")):
            r = run(db, "what", show["slug"], ep["code"], "--json")
            out[f"{show['slug']} {ep['code']}"] = [ep, json.loads(r.stdout or "null")]
    for status in ("review", "unknown", "rejected"):
        out[status] = json.loads(ok(db, "review", "--status", status, "--json"))
    return _without_ids(out)


def test_build_dump_build_keeps_candidates_searches_and_every_answer(shipped_db: Path, tmp_path: Path) -> None:
    import shutil

    from .conftest import DATA
    from .test_dump_roundtrip import curating_session

    curating_session(shipped_db)
    halo = _halo_waits(shipped_db, tmp_path)
    ok(shipped_db, "review", "search", str(halo), "halo glee", "--offline")  # a search's candidates
    for item in json.loads(ok(shipped_db, "review", "--status", "unknown", "--json")):
        ok(shipped_db, "review", "search", str(item["id"]), "a choir singing", "--offline")
    ok(shipped_db, "cue", "edit", "soundtrack", "2", "1", "--confidence", "low")
    data = tmp_path / "data"  # what shipped_db is built from: Soundtrack and the catalog
    for part in ("soundtrack", "catalog"):
        shutil.copytree(DATA / part, data / part)
    ok(shipped_db, "dump", "--to", str(data))
    rebuilt = tmp_path / "rebuilt.sqlite"
    ok(rebuilt, "build", "--from", str(data))
    before, after = answers(shipped_db), answers(rebuilt)
    assert before.keys() == after.keys()
    for key in before:
        assert after[key] == before[key], key
    assert any(item["searches"] for item in before["unknown"])  # the case was really tried
    assert any(item["searches"] and item["candidates"] for item in before["review"])
    # A second dump, from either database, rewrites no file.
    for db in (shipped_db, rebuilt):
        assert json.loads(ok(db, "dump", "--to", str(data), "--json"))[0]["written"] == []


def test_dump_of_a_fresh_build_of_the_shipped_data_rewrites_nothing(shipped_db: Path, tmp_path: Path) -> None:
    import shutil

    from .conftest import DATA

    data = tmp_path / "data"  # what shipped_db is built from: Soundtrack and the catalog
    for part in ("soundtrack", "catalog"):
        shutil.copytree(DATA / part, data / part)
    assert json.loads(ok(shipped_db, "dump", "--to", str(data), "--json"))[0]["written"] == []
    rebuilt = tmp_path / "rebuilt.sqlite"
    ok(rebuilt, "build", "--from", str(data))
    assert answers(rebuilt) == answers(shipped_db)


# --- many curators, many machines: what a merge broke ------------------------------------------------


def test_build_check_reports_what_a_merge_of_two_curators_broke(tmp_path: Path) -> None:
    """Two curators on two machines each add the next cue of S01E02 and dump; git's conflict (both
    appended to the file) is resolved keeping both sides, as a curator does: `build --check`
    names the number used twice, and the cue citing a source the other branch renamed."""
    import shutil

    from .conftest import DATA

    base = DATA / "soundtrack" / "s01e02.yaml"
    clones = {}
    for name, title, artist in (("kim", "Push It", "Salt-N-Pepa"), ("lee", "Halo", "Beyoncé")):
        data = tmp_path / name / "data"
        shutil.copytree(DATA, data)
        db = tmp_path / name / "cues.sqlite"
        ok(db, "build", "--from", str(data))
        ok(db, "cue", "add", "soundtrack", "2", "--title", title, "--artist", artist, "--source", "tvline",
           "--yes", "--offline")
        ok(db, "dump", "--to", str(data))
        clones[name] = data
    ours, theirs = clones["kim"] / "soundtrack" / "s01e02.yaml", clones["lee"] / "soundtrack" / "s01e02.yaml"
    old, lee = base.read_text(encoding="utf-8"), theirs.read_text(encoding="utf-8")
    assert lee.startswith(old)  # dump left every line it did not change as it was
    ours.write_text(ours.read_text(encoding="utf-8") + lee[len(old):], encoding="utf-8")
    show = clones["kim"] / "soundtrack" / "show.yaml"  # lee's branch renamed the source away
    show.write_text(show.read_text(encoding="utf-8").replace("\n  tvline:", "\n  tv-line:"), encoding="utf-8")
    r = run(tmp_path / "ci.sqlite", "build", "--check", "--from", str(clones["kim"]))
    assert r.exit_code == 1
    assert "used twice" in r.output and "unknown source 'tvline'" in r.output and "s01e02.yaml:" in r.output
    assert not (tmp_path / "ci.sqlite").exists()
    clean = run(tmp_path / "ci.sqlite", "build", "--check", "--from", str(clones["lee"]))
    assert clean.exit_code == 0 and "0 errors" in clean.output


# --- 2. a busy database never throws away a curator's answers (two processes) ---------------------


HOLD_THE_LOCK = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("holding", flush=True)
time.sleep(120)
"""

TYPED = "\n".join([
    "",                              # cue number: the next free one
    "12:30", "13:05",                # times
    "Sam on the roof",               # scene
    "Sam",                           # performers
    "deep in a dream chet baker",    # song 1
    "1",                             # pick the best candidate
    "",                              # no song 2
    "", "",                          # kind, usage
    "y",                             # save: the database is busy ...
    "n",                             # ... do not wait again: keep the answers
]) + "\n"


def test_a_busy_database_keeps_the_typed_answers_and_offers_them_next_time(shipped_db: Path,
                                                                             tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    cuesheet = str(Path(sys.executable).with_name("cuesheet"))
    env = {**os.environ, "CUESHEET_BUSY_TIMEOUT_MS": "300", "CUESHEET_DRAFTS": str(tmp_path / "drafts"),
           "CUESHEET_CURATOR": "kim"}
    before = cue_count(shipped_db, 1, 3)
    open_conn(shipped_db).close()  # in WAL mode, as any database a curator has used: readers go on
    holder = subprocess.Popen([sys.executable, "-c", HOLD_THE_LOCK, str(shipped_db)], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        busy = subprocess.run([cuesheet, "cue", "add", "soundtrack", "3", "--prompt", "--full", "--offline", "--db",
                               str(shipped_db)], input=TYPED, capture_output=True, text=True, env=env, timeout=120)
    finally:
        holder.kill()
        holder.wait()
    assert busy.returncode == 1, busy.stdout + busy.stderr
    assert "busy" in busy.stdout and "answers are kept" in busy.stderr and "Traceback" not in busy.stderr
    assert cue_count(shipped_db, 1, 3) == before
    [kept] = list((tmp_path / "drafts").glob("*.json"))
    # Next time, the same command offers the answers back; one "y" saves them.
    again = subprocess.run([cuesheet, "cue", "add", "soundtrack", "3", "--prompt", "--full", "--offline", "--db",
                            str(shipped_db)], input="y\n", capture_output=True, text=True, env=env, timeout=120)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Deep in a Dream" in again.stdout and "Saved Soundtrack S01E03" in again.stdout
    assert cue_count(shipped_db, 1, 3) == before + 1
    assert not kept.exists()
    scene = sqlite3.connect(shipped_db).execute(
        "SELECT scene, time_in_ms FROM cues WHERE scene = 'Sam on the roof'").fetchone()
    assert scene == ("Sam on the roof", 750_000)
