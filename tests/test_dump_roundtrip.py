"""Issue #14: `dump` then `build` of a curated database gives the same `what --json` for every
episode, after a scripted curating session (the cases the issue names: picks, review set,
accepted matches, rejections, text-only songs, unidentified songs, edited episodes)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from cuesheet.cli import app

from .conftest import DATA
from .curator_helpers import open_conn

runner = CliRunner()


def run(db_path: Path, *args: str) -> str:
    r = runner.invoke(app, [*args, "--db", str(db_path)])
    assert r.exit_code == 0, (args, r.output)
    return r.stdout


def curating_session(db: Path) -> None:
    """What a curator does in an afternoon, through the commands."""
    extra = db.parent / "more-catalog.csv"  # recordings that are not in data/catalog
    extra.write_text("title,artist,album,year,duration,isrc,mbid,spotify_id\n"
                     "Hurt,Johnny Cash,American IV: The Man Comes Around,2002,3:38,USUM70213482,,\n"
                     "Dreams,Fleetwood Mac,Rumours,1977,4:14,,,\n", encoding="utf-8")
    run(db, "catalog", "import", str(extra))
    run(db, "cue", "add", "soundtrack", "8", "--song", "hurt johnny cash", "--yes", "--offline")
    run(db, "cue", "add", "soundtrack", "9", "--title", "Dreams", "--artist", "Fleetwood Mac", "--yes", "--offline")
    run(db, "cue", "add", "soundtrack", "6", "--song", "roads portishead", "--scene", "Joanna waits", "--yes",
        "--offline")                                                          # text only, matched
    run(db, "cue", "add", "soundtrack", "6", "--title", "Jolene", "--artist", "Dolly Parton", "--yes",
        "--offline")                                                          # split, no match
    run(db, "cue", "add", "soundtrack", "6", "--title", "Jolene", "--artist", "Dolly Parton", "--yes",
        "--offline")
    conn = open_conn(db)
    jolene = conn.execute("SELECT id FROM cue_songs WHERE title = 'Jolene' ORDER BY id").fetchone()[0]
    run(db, "review", "set", str(jolene), "--title", "Jolene", "--artist", "Dolly Parton", "--album", "Jolene",
        "--year", "1974", "--isrc", "USRC17300393", "--offline")             # a recording by hand
    run(db, "match", "soundtrack", "6", "--offline")                          # links the second Jolene
    waiting = json.loads(run(db, "review", "--json"))
    if waiting:
        run(db, "review", "accept", str(waiting[0]["id"]), "--pick", "2")     # a curator's pick
    for item in waiting[1:2]:
        run(db, "review", "reject", str(item["id"]))
    run(db, "cue", "add", "soundtrack", "7", "--unknown", "--heard", "a choir, organ", "--scene", "the church",
        "--yes")
    run(db, "cue", "edit", "soundtrack", "3", "2", "--scene", "Sam at the piano, rewritten by a curator")
    run(db, "episode", "set", "soundtrack", "6", "--complete", "--length", "50:00")
    run(db, "character", "add", "soundtrack", "Levi", "--notes", "Nellie's musician ex")


# Row ids are the database's own numbering, not data: a build numbers rows afresh.
INTERNAL_IDS = ("cue_id", "recording_id", "song_id")


def _without_ids(value):  # type: ignore[no-untyped-def]
    if isinstance(value, dict):
        return {k: _without_ids(v) for k, v in value.items() if k not in INTERNAL_IDS}
    if isinstance(value, list):
        return [_without_ids(v) for v in value]
    return value


def every_episode(db: Path) -> dict[str, object]:
    out = {}
    for ep in json.loads(run(db, "episodes", "soundtrack", "--json")):
        out[ep["code"]] = [ep, json.loads(runner.invoke(app, ["what", "soundtrack", ep["code"], "--json",
                                                              "--db", str(db)]).stdout or "null")]
    return _without_ids(out)


def test_the_session_made_what_a_dump_must_carry(shipped_db: Path) -> None:
    curating_session(shipped_db)
    conn = open_conn(shipped_db)
    statuses = {s for (s,) in conn.execute("SELECT match_status FROM cue_songs")}
    assert {"accepted", "curated", "unknown"} <= statuses
    outside = conn.execute("SELECT count(*) FROM cue_songs s JOIN recordings r ON r.id = s.recording_id"
                           " WHERE s.match_status = 'accepted' AND r.source != 'cue sheet' AND r.title IN"
                           " ('Hurt', 'Dreams')").fetchone()[0]
    assert outside == 2  # linked by the matcher to rows the shipped catalog lacks


def test_dump_then_build_gives_the_same_answers_for_every_episode(shipped_db: Path, tmp_path: Path) -> None:
    curating_session(shipped_db)
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    run(shipped_db, "dump", "--to", str(data))
    rebuilt = tmp_path / "rebuilt.sqlite"
    run(rebuilt, "build", "--from", str(data))
    before, after = every_episode(shipped_db), every_episode(rebuilt)
    assert before.keys() == after.keys()
    for code in before:
        assert after[code] == before[code], (code, _diff(before[code], after[code]))


def _diff(a, b, path=""):  # type: ignore[no-untyped-def]
    """Where two JSON values differ (for the failure message)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for k in sorted(set(a) | set(b)) for d in _diff(a.get(k), b.get(k), f"{path}.{k}")]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in _diff(x, y, f"{path}[{i}]")]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]
