"""Issue #14: songs nobody has identified yet (match_status 'unknown'), the searches tried for them,
and reviewing at scale (several ids, --min-score, --status)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cuesheet.cli import app
from cuesheet.curation import check, review
from cuesheet.curation import cues as curate
from cuesheet.db import history
from cuesheet.db.migrations import MIGRATIONS
from cuesheet.db.transactions import transaction
from cuesheet.errors import CuesheetError, InputErrors
from cuesheet.files import build, dump, sheets
from cuesheet.model import Song

from .curator_helpers import episode, open_conn, snapshot

runner = CliRunner()
HEARD = "female voice, 80s synth, chorus 'hold on'"


def run(db_path: Path, *args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(app, [*args, "--db", str(db_path)], input=input)


def unknown_draft(heard: str | None = HEARD, **kw) -> curate.CueDraft:  # type: ignore[no-untyped-def]
    return curate.CueDraft(songs=(curate.SongDraft(Song(title="", artist="", unknown=True, heard=heard)),), **kw)


# --- the migration ---------------------------------------------------------------------------------


def test_m040_widens_the_status_check_keeping_rows_children_and_search(tmp_path: Path) -> None:
    """An old database (migrations up to m005) with a cue, songs, performers and claims upgrades in place."""
    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    for m in MIGRATIONS:
        if m.name == "m040_unidentified":
            break
        with transaction(conn):
            m.apply(conn)
            conn.execute("INSERT INTO _migrations VALUES (?, 'then')", [m.name])
    conn.executescript("""
        INSERT INTO shows (id, slug, name) VALUES (1, 'x', 'X');
        INSERT INTO sources (id, show_id, key) VALUES (1, 1, 'src');
        INSERT INTO episodes (id, show_id, season, number, title) VALUES (1, 1, 1, 1, 'Pilot');
        INSERT INTO cues (id, episode_id, number, kind, scene) VALUES (7, 1, 1, 'lip-sync', 'rooftop dance');
        INSERT INTO cue_songs (id, cue_id, position, text, title, match_status, heard)
          VALUES (9, 7, 1, 'elastic heart', 'Elastic Heart', 'review', 'big chorus');
        INSERT INTO cue_performers (cue_id, cue_song_id, position, character) VALUES (7, 9, 1, 'Nellie');
        INSERT INTO claims (cue_id, cue_song_id, field, value, source_id) VALUES (7, 9, 'title', 'Elastic Heart', 1);
    """)
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("UPDATE cue_songs SET match_status = 'unknown' WHERE id = 9")
    conn.close()
    new = open_conn(path)
    assert new.execute("SELECT id, cue_id, text, heard, match_status FROM cue_songs").fetchall() == [
        (9, 7, "elastic heart", "big chorus", "review")]
    assert new.execute("SELECT count(*) FROM cue_performers WHERE cue_song_id = 9").fetchone()[0] == 1
    assert new.execute("SELECT count(*) FROM claims WHERE cue_song_id = 9").fetchone()[0] == 1
    assert new.execute("PRAGMA foreign_key_check").fetchall() == []
    assert new.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    new.execute("UPDATE cue_songs SET match_status = 'unknown', title = NULL, text = '' WHERE id = 9")
    # The search index's triggers were re-made: the change above reached it, and heard is searched.
    assert new.execute("SELECT rowid FROM cue_fts WHERE cue_fts MATCH '\"big chorus\"'").fetchall() == [(7,)]
    assert new.execute("SELECT count(*) FROM cue_fts WHERE cue_fts MATCH '\"Elastic\"'").fetchone()[0] == 0
    with pytest.raises(sqlite3.IntegrityError):
        new.execute("UPDATE cue_songs SET match_status = 'maybe' WHERE id = 9")
    # Deleting the cue still cascades to its songs (the rebuilt table kept its foreign keys).
    new.execute("DELETE FROM cues WHERE id = 7")
    assert new.execute("SELECT count(*) FROM cue_songs").fetchone()[0] == 0


# --- entering one ------------------------------------------------------------------------------------


def test_cue_add_unknown_stores_the_agreed_shape_and_skips_the_matcher(shipped_db: Path) -> None:
    r = run(shipped_db, "cue", "add", "soundtrack", "6", "--unknown", "--heard", HEARD,
            "--scene", "Joanna alone in the studio", "--at", "12:30", "-p", "Joanna", "--yes")
    assert r.exit_code == 0, r.output
    conn = open_conn(shipped_db)
    row = conn.execute("SELECT title, artist, text, heard, match_status, recording_id FROM cue_songs"
                       " ORDER BY id DESC LIMIT 1").fetchone()
    assert row == (None, None, "", HEARD, "unknown", None)
    [f] = [f for f in check.check(conn) if f.code == "unidentified" and f.cue == 2]
    assert HEARD in f.message and f.severity == check.WARNING
    # A viewer's half-remembered words find it.
    hits = conn.execute("SELECT count(*) FROM cue_fts WHERE cue_fts MATCH '\"80s synth\"'").fetchone()[0]
    assert hits == 1


@pytest.mark.parametrize("args, words", [
    (["--song", "jolene", "--title", "Jolene"], "--song and --title"),
    (["--unknown", "--title", "Jolene"], "--unknown"),
    (["--unknown", "--pick", "1"], "--pick"),
    (["--artist", "Dolly Parton", "--song", "jolene"], "--artist and --version go with --title"),
])
def test_conflicting_flags_are_an_error_and_write_nothing(shipped_db: Path, args: list[str], words: str) -> None:
    before = snapshot(open_conn(shipped_db))
    r = run(shipped_db, "cue", "add", "soundtrack", "6", *args, "--yes")
    assert r.exit_code == 2 and words in r.output
    assert snapshot(open_conn(shipped_db)) == before


def test_an_unknown_song_by_prompt(shipped_db: Path) -> None:
    answers = "\n".join(["", "", "", "the gym", "", "?", HEARD, "", "", "", "y"]) + "\n"
    r = run(shipped_db, "cue", "add", "soundtrack", "6", "--prompt", "--full", "--offline", input=answers)
    assert r.exit_code == 0, r.output
    conn = open_conn(shipped_db)
    assert conn.execute("SELECT heard, match_status FROM cue_songs ORDER BY id DESC LIMIT 1").fetchone() == (
        HEARD, "unknown")


def test_an_unknown_song_with_a_title_is_refused_by_the_library(shipped_db: Path) -> None:
    conn = open_conn(shipped_db)
    bad = curate.CueDraft(songs=(curate.SongDraft(Song(title="Jolene", artist="", unknown=True)),))
    with pytest.raises(InputErrors, match="unidentified song has no title"):
        curate.add_cue(conn, episode(conn, "soundtrack", "6"), bad, "kim")


def test_heard_on_edit_and_identifying_by_title(shipped_db: Path) -> None:
    conn = open_conn(shipped_db)
    ep = episode(conn, "soundtrack", "6")
    done = curate.add_cue(conn, ep, unknown_draft(), "kim")
    r = run(shipped_db, "cue", "edit", "soundtrack", "6", str(done.number), "--heard", "a man, falsetto")
    assert r.exit_code == 0, r.output
    assert conn.execute("SELECT heard FROM cue_songs WHERE cue_id = ?", [done.cue_id]).fetchone()[0] == "a man, falsetto"
    r = run(shipped_db, "cue", "edit", "soundtrack", "6", str(done.number), "--title", "Jolene",
            "--artist", "Dolly Parton")
    assert r.exit_code == 0, r.output
    status = conn.execute("SELECT match_status FROM cue_songs WHERE cue_id = ?", [done.cue_id]).fetchone()[0]
    assert status != "unknown"  # named: the matcher took it


# --- in files --------------------------------------------------------------------------------------


def test_yaml_json_and_csv_files_carry_unknown_songs(shipped_db: Path, tmp_path: Path) -> None:
    yaml_file = tmp_path / "s01e06.yaml"
    yaml_file.write_text(
        "season: 1\nepisode: 6\ncues:\n  - cue: 3\n    kind: lip-sync\n    songs:\n"
        f"      - heard: \"{HEARD}\"\n        match: unknown\n", encoding="utf-8")
    json_file = tmp_path / "more.json"
    json_file.write_text(json.dumps({"season": 1, "episode": 6, "cues": [
        {"cue": 4, "kind": "lip-sync", "songs": [{"heard": "brass band", "match": "unknown"}]}]}), encoding="utf-8")
    csv_file = tmp_path / "more.csv"
    csv_file.write_text("season,episode,cue,kind,title,heard\n1,6,5,lip-sync,,choir and organ\n", encoding="utf-8")
    for f in (yaml_file, json_file, csv_file):
        r = run(shipped_db, "cue", "import", str(f), "--show", "soundtrack")
        assert r.exit_code == 0, (f, r.output)
    conn = open_conn(shipped_db)
    rows = conn.execute(
        """SELECT c.number, s.heard, s.match_status, s.title, s.text FROM cue_songs s JOIN cues c ON c.id = s.cue_id
            JOIN episodes e ON e.id = c.episode_id WHERE e.number = 6 AND c.number >= 3 ORDER BY c.number""").fetchall()
    assert rows == [(3, HEARD, "unknown", None, ""), (4, "brass band", "unknown", None, ""),
                    (5, "choir and organ", "unknown", None, "")]


def test_a_file_song_both_named_and_unknown_is_an_error_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "s01e01.yaml"
    path.write_text("season: 1\nepisode: 1\ntitle: T\ncues:\n  - cue: 1\n    kind: lip-sync\n    songs:\n"
                    "      - title: Jolene\n        match: unknown\n", encoding="utf-8")
    errors: list = []
    sheets.read_episode_file(path, None, errors)
    assert [(e.line, e.field) for e in errors] == [(8, "cues[0].songs[0].title")]


def test_dump_and_build_keep_an_unknown_song(shipped_db: Path, tmp_path: Path) -> None:
    conn = open_conn(shipped_db)
    curate.add_cue(conn, episode(conn, "soundtrack", "6"), unknown_draft(scene="the finale"), "kim")
    out = tmp_path / "out"
    dump.dump(conn, out)
    text = (out / "soundtrack" / "s01e06.yaml").read_text(encoding="utf-8")
    assert "match: unknown" in text and "heard:" in text and "title:" not in text.split("cues:")[1]
    rebuilt = tmp_path / "re.sqlite"
    build.build(out, rebuilt)
    again = open_conn(rebuilt)
    q = ("SELECT s.heard, s.match_status, s.title, s.text FROM cue_songs s JOIN cues c ON c.id = s.cue_id"
         " JOIN episodes e ON e.id = c.episode_id WHERE e.number = 6 AND s.match_status = 'unknown'")
    assert again.execute(q).fetchall() == conn.execute(q).fetchall() != []


# --- the queue ----------------------------------------------------------------------------------------


def test_review_unknown_lists_them_across_shows_with_every_search(shipped_db: Path) -> None:
    conn = open_conn(shipped_db)
    done = curate.add_cue(conn, episode(conn, "soundtrack", "6"), unknown_draft(), "kim")
    sid = conn.execute("SELECT id FROM cue_songs WHERE cue_id = ?", [done.cue_id]).fetchone()[0]
    r = run(shipped_db, "review", "search", str(sid), "elastic", "heart", "sia", "--offline")
    assert r.exit_code == 0, r.output
    r = run(shipped_db, "review", "unknown", "--json")
    listed = json.loads(r.output)
    assert len(listed) == 2  # and the shipped episode 6 song
    [it] = [x for x in listed if x["id"] == sid]
    assert (it["id"], it["heard"], it["status"], it["title"], it["text"]) == (sid, HEARD, "unknown", None, "")
    [s] = it["searches"]
    assert s["query"] == "elastic heart sia" and s["sources"][0] == "catalog" and s["curator"]
    assert s["best"]["title"] == "Elastic Heart" and s["at"].endswith("+00:00")
    # The search's candidates wait with the song: accept one and the song is named.
    r = run(shipped_db, "review", "accept", str(sid), "--pick", "1")
    assert r.exit_code == 0, r.output
    assert conn.execute("SELECT title, match_status FROM cue_songs WHERE id = ?", [sid]).fetchone() == (
        "Elastic Heart", "curated")
    assert [x["id"] for x in json.loads(run(shipped_db, "review", "unknown", "--json").output)] == [
        listed[0]["id"]]
    # Undo puts the song back to unknown with its search on record.
    history.undo(conn, None, "kim")
    assert conn.execute("SELECT match_status FROM cue_songs WHERE id = ?", [sid]).fetchone()[0] == "unknown"
    assert len(review.item(conn, sid).searches) == 1


def test_status_filters(shipped_db: Path) -> None:
    conn = open_conn(shipped_db)
    curate.add_cue(conn, episode(conn, "soundtrack", "6"), unknown_draft(), "kim")
    for status in review.STATUSES:
        r = run(shipped_db, "review", "list", "--status", status, "--json")
        assert r.exit_code == 0, r.output
        got = {it["status"] for it in json.loads(r.output)}
        want = {s for (s,) in conn.execute("SELECT DISTINCT match_status FROM cue_songs WHERE match_status = ?",
                                           [status])}
        assert got == want
    r = run(shipped_db, "review", "list", "--status", "accepted", "--status", "unknown", "--json")
    assert {it["status"] for it in json.loads(r.output)} == {"accepted", "unknown"}
    assert run(shipped_db, "review", "list", "--status", "maybe").exit_code == 2


def test_none_of_these_puts_the_song_in_the_queue(shipped_db: Path) -> None:
    conn = open_conn(shipped_db)
    ep = episode(conn, "soundtrack", "6")
    for words in ("zzqx nothing like it", "elastic heart"):
        d = curate.CueDraft(songs=(curate.SongDraft(Song(title=words, artist="", text=words),
                                                    review=curate_ident(conn, words)),))
        done = curate.add_cue(conn, ep, d, "kim")
        sid = conn.execute("SELECT id FROM cue_songs WHERE cue_id = ?", [done.cue_id]).fetchone()[0]
        assert sid in [it.id for it in review.queue(conn)]


def curate_ident(conn, words):  # type: ignore[no-untyped-def]
    from cuesheet.curation.matcher import Matcher

    return Matcher.offline(conn).identify(words)


def test_none_of_these_at_the_prompt_with_no_candidates(shipped_db: Path) -> None:
    answers = "\n".join(["", "", "", "", "", "zzqx qqq nothing like it", "n", "", "", "", "y"]) + "\n"
    r = run(shipped_db, "cue", "add", "soundtrack", "6", "--prompt", "--full", "--offline", input=answers)
    assert r.exit_code == 0, r.output
    conn = open_conn(shipped_db)
    sid, status = conn.execute("SELECT id, match_status FROM cue_songs ORDER BY id DESC LIMIT 1").fetchone()
    assert status == "review" and sid in [it.id for it in review.queue(conn)]


def _queue_two(conn) -> list[int]:  # type: ignore[no-untyped-def]
    ep = episode(conn, "soundtrack", "6")
    ids = []
    for words in ("elastic heart", "between me and you"):
        from cuesheet.curation.matcher import Matcher

        ident = Matcher.offline(conn).identify(words)
        d = curate.CueDraft(songs=(curate.SongDraft(Song(title=words, artist="", text=words), review=ident),))
        done = curate.add_cue(conn, ep, d, "kim")
        ids.append(conn.execute("SELECT id FROM cue_songs WHERE cue_id = ?", [done.cue_id]).fetchone()[0])
    return ids


def test_accept_several_ids_in_one_change(shipped_db: Path) -> None:
    conn = open_conn(shipped_db)
    ids = _queue_two(conn)
    r = run(shipped_db, "review", "accept", *map(str, ids), "--json")
    assert r.exit_code == 0, r.output
    [batch] = json.loads(r.output)
    assert [d["song"] for d in batch["decisions"]] == ids
    assert {s for (s,) in conn.execute(f"SELECT match_status FROM cue_songs WHERE id IN ({ids[0]}, {ids[1]})")} == {"curated"}
    history.undo(conn, None, "kim")  # one change: one undo takes both back
    assert {s for (s,) in conn.execute(f"SELECT match_status FROM cue_songs WHERE id IN ({ids[0]}, {ids[1]})")} == {"review"}


def test_accept_several_is_all_or_nothing_naming_every_failure(shipped_db: Path) -> None:
    conn = open_conn(shipped_db)
    ids = _queue_two(conn)
    before = snapshot(conn)
    r = run(shipped_db, "review", "accept", str(ids[0]), "999999", "999998")
    assert r.exit_code != 0 and "999999" in r.output and "999998" in r.output
    assert snapshot(conn) == before


def test_accept_by_min_score(shipped_db: Path) -> None:
    """--min-score is the calibrated probability (#23), as --min-probability, not the raw score."""
    conn = open_conn(shipped_db)
    _queue_two(conn)
    waiting = review.queue(conn)
    chances = {it.id: it.candidates[0].probability for it in waiting
               if it.candidates and it.candidates[0].probability is not None}
    cut = sorted(chances.values())[-1]
    assert cut >= review.REJECTS_BELOW
    r = run(shipped_db, "review", "accept", "--min-score", str(cut), "--json")
    assert r.exit_code == 0, r.output
    [batch] = json.loads(r.output)
    assert {d["song"] for d in batch["decisions"]} == {i for i, p in chances.items() if p >= cut}
    assert all(chances[i] < cut for i in (it.id for it in review.queue(conn)) if i in chances)


def test_reject_respects_a_curated_decision(shipped_db: Path) -> None:
    conn = open_conn(shipped_db)
    [sid, _] = _queue_two(conn)
    review.accept(conn, sid, "kim")
    before = snapshot(conn)
    with pytest.raises(CuesheetError, match="already decided: curated"):
        review.reject(conn, sid, "lee")
    assert snapshot(conn) == before


def test_cue_list_shows_song_ids_in_table_and_json(shipped_db: Path) -> None:
    conn = open_conn(shipped_db)
    ids = [r[0] for r in conn.execute(
        """SELECT s.id FROM cue_songs s JOIN cues c ON c.id = s.cue_id JOIN episodes e ON e.id = c.episode_id
            WHERE e.number = 3 ORDER BY c.number, s.position""")]
    r = run(shipped_db, "cue", "list", "soundtrack", "3", "--json")
    got = [s["song_id"] for cue in json.loads(r.output) for s in cue["songs"]]
    assert got == ids
    table = run(shipped_db, "cue", "list", "soundtrack", "3").output
    assert all(f"#{i}" in table for i in ids)


class _ListSource:
    """A source of our own protocol that knows one recording (no service involved)."""

    name = "fake-list"
    offline = None

    def search(self, query, *, limit: int = 10):  # type: ignore[no-untyped-def]
        from cuesheet.sources import Candidate

        return [Candidate(title="Hold On", artist="Wilson Phillips", source=self.name, year=1990)]

    def lookup(self, source_id: str):  # type: ignore[no-untyped-def]
        return None


def test_the_matcher_is_passed_in_and_nothing_outlives_the_call(shipped_db: Path) -> None:
    """Sources are a value handed to each call (no module state): one search with an extra
    source records and offers it; the next call without it does not see it."""
    from cuesheet.curation.matcher import Matcher

    conn = open_conn(shipped_db)
    done = curate.add_cue(conn, episode(conn, "soundtrack", "6"), unknown_draft(), "kim")
    sid = conn.execute("SELECT id FROM cue_songs WHERE cue_id = ?", [done.cue_id]).fetchone()[0]
    wide = Matcher.with_online(conn, [_ListSource()])
    ident, tried = review.search(conn, sid, "hold on wilson phillips", "kim", wide)
    assert tried.sources == ["catalog", "fake-list"] and tried.best_title == "Hold On"
    assert ident.candidates[0].candidate.source == "fake-list"
    _, again = review.search(conn, sid, "hold on wilson phillips", "kim")
    assert again.sources == ["catalog"] and again.best_title is None
    assert [x.sources for x in review.item(conn, sid).searches] == [["catalog", "fake-list"], ["catalog"]]


def test_walking_the_unknown_queue_keeps_each_search_on_record(shipped_db: Path) -> None:
    conn = open_conn(shipped_db)
    done = curate.add_cue(conn, episode(conn, "soundtrack", "6"), unknown_draft(), "kim")
    sid = conn.execute("SELECT id FROM cue_songs WHERE cue_id = ?", [done.cue_id]).fetchone()[0]
    # First song: the shipped one (skip). Second: search, then take candidate 1.
    answers = "k\ns\nelastic heart sia\n1\n"
    r = run(shipped_db, "review", "walk", "--status", "unknown", "--prompt", "--offline", input=answers)
    assert r.exit_code == 0, r.output
    assert "r reject" not in r.output  # nothing to reject for a song nobody named
    it = review.item(conn, sid)
    assert [x.query for x in it.searches] == ["elastic heart sia"]
    assert it.status == "curated" and it.title == "Elastic Heart"


def test_heard_by_the_edit_prompts(shipped_db: Path) -> None:
    # time in, time out, scene, performers, kind, usage: Enter keeps; then what was heard of song 1.
    r = run(shipped_db, "cue", "edit", "soundtrack", "3", "2", "--prompt", input="\n" * 6 + "a piano intro\n")
    assert r.exit_code == 0, r.output
    conn = open_conn(shipped_db)
    [entry] = history.entries(conn, limit=1)
    assert [c["table"] for c in entry.changes] == ["cue_songs"]
    assert entry.changes[0]["after"]["heard"] == "a piano intro"
