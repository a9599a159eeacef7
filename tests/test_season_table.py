"""Issue #20: `cue import --mapping/--map` reads a wide season table (several shows and
seasons in one file): located errors in one run with nothing written, shows and sources
made from the rows, medleys, contestants, results, id claims, and an idempotent re-import."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cuesheet.cli import app

from .conftest import ROOT

runner = CliRunner()
MAPPING = ROOT / "docs" / "examples" / "dragrace-mapping.toml"
REAL = ROOT.parent / "shared" / "data" / "dragrace" / "lipsyncs.csv"
HEADER = ("show,season,episode,episode_title,air_date,lip_sync,song_title,artist,performers,kind,winner,"
          "eliminated,spotify_track_id,sources\n")
SRC = ("https://en.wikipedia.org/wiki/RuPaul%27s_Drag_Race_(season_4) ; "
       "tashapiro/drag-race@490081e4729cca3357e5df73d9689d04183202b1:data/lip_sync_contestant.csv (LS139)")
ROWS = [
    f'RuPaul\'s Drag Race,4,10,"DILFs: Dads I\'d Like to Frock",2012-04-02,1,(You Make Me Feel Like) A Natural Woman,'
    f'Aretha Franklin,Kenya Michaels; Latrice Royale,for-your-life,Latrice Royale,Kenya Michaels,'
    f'5K09WxKdlkroDyEVyOSySy,"{SRC}"',
    'RuPaul\'s Drag Race All Stars,8,6,Joan: The Unauthorized Rusical,,1,I\'m Not Perfect (But I\'m Perfect for You),,'
    'Kandy Muse; Angeria Paris VanMicheals,for-the-win,Kandy Muse,Jaymes Mansfield,,'
    'tkalejandro/drag-race-mcp:src/data/seasons/AS-S08/episodes.json@b7cba327a6dcbd0a2ff1479c78cca5fe364fadbe',
    'RuPaul\'s Drag Race All Stars,8,6,Joan: The Unauthorized Rusical,,2,Push It / Judas / Swish Swish,,'
    'Victoria "Porkchop" Parker; Shea Couleé,smackdown,,,,'
    'tkalejandro/drag-race-mcp:src/data/seasons/AS-S08/episodes.json@b7cba327a6dcbd0a2ff1479c78cca5fe364fadbe',
]


def table(tmp_path: Path, rows: list[str], header: str = HEADER) -> Path:
    path = tmp_path / "lipsyncs.csv"
    path.write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def run(db: Path, *args: str) -> tuple[int, str, str]:
    r = runner.invoke(app, [*args, "--db", str(db)])
    return r.exit_code, r.stdout, r.stderr


def test_a_table_comes_in_with_shows_sources_contestants_results_and_claims(mini_db: Path, tmp_path: Path) -> None:
    code, out, err = run(mini_db, "cue", "import", str(table(tmp_path, ROWS)), "--mapping", str(MAPPING), "--json")
    assert code == 0, err
    report = json.loads(out)[0]
    assert report["added"] == 3 and sorted(report["new_shows"]) == ["RuPaul's Drag Race", "RuPaul's Drag Race All Stars"]
    conn = sqlite3.connect(mini_db)
    show = conn.execute("SELECT id, slug, franchise FROM shows WHERE name = 'RuPaul''s Drag Race'").fetchone()
    assert show[1:] == ("rupauls-drag-race", "Drag Race")
    assert ("rpdr",) in conn.execute("SELECT alias FROM show_aliases WHERE show_id = ?", [show[0]]).fetchall()
    # One source per document; the row's place in it is kept in the cue's notes.
    sources = dict(conn.execute("SELECT key, url FROM sources WHERE show_id = ?", [show[0]]).fetchall())
    assert sources["wikipedia-rupauls-drag-race-season-4"] == "https://en.wikipedia.org/wiki/RuPaul%27s_Drag_Race_(season_4)"
    cue_id, lip_sync, notes = conn.execute(
        "SELECT c.id, c.lip_sync, c.notes FROM cues c JOIN episodes e ON e.id = c.episode_id"
        " WHERE e.show_id = ? AND e.season = 4 AND e.number = 10", [show[0]]).fetchone()
    assert lip_sync == "for-your-life" and "LS139" in notes
    assert conn.execute("SELECT result, contestant FROM cue_results WHERE cue_id = ? ORDER BY position",
                        [cue_id]).fetchall() == [("won", "Latrice Royale"), ("eliminated", "Kenya Michaels")]
    assert [r[0] for r in conn.execute("SELECT character FROM cue_performers WHERE cue_id = ? ORDER BY position",
                                       [cue_id])] == ["Kenya Michaels", "Latrice Royale"]
    # The Spotify id is the dataset's claim, cited by the dataset only (mapping [claim_sources]).
    assert conn.execute(
        """SELECT ic.external_id, so.key FROM song_id_claims ic JOIN sources so ON so.id = ic.source_id""").fetchall() \
        == [("5K09WxKdlkroDyEVyOSySy", "drag-race-lip-sync-contestant")]
    # A medley is one cue of several songs; quotes and accents in names are kept.
    medley = conn.execute(
        """SELECT c.id, c.kind FROM cues c JOIN episodes e ON e.id = c.episode_id JOIN shows s ON s.id = e.show_id
            WHERE s.slug = 'rupauls-drag-race-all-stars' AND c.number = 2""").fetchone()
    assert medley[1] == "mashup"
    assert [r[0] for r in conn.execute("SELECT title FROM cue_songs WHERE cue_id = ? ORDER BY position",
                                       [medley[0]])] == ["Push It", "Judas", "Swish Swish"]
    assert ('Victoria "Porkchop" Parker',) in conn.execute(
        "SELECT character FROM cue_performers WHERE cue_id = ?", [medley[0]]).fetchall()
    # No artist: the song comes in with its title and waits in review.
    assert conn.execute("SELECT match_status FROM cue_songs WHERE title = 'I''m Not Perfect (But I''m Perfect for You)'"
                        ).fetchone() == ("review",)


def test_importing_the_same_table_again_changes_nothing(mini_db: Path, tmp_path: Path) -> None:
    path = table(tmp_path, ROWS)
    assert run(mini_db, "cue", "import", str(path), "--mapping", str(MAPPING))[0] == 0
    conn = sqlite3.connect(mini_db)
    before = [conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("shows", "sources", "episodes", "cues", "cue_songs", "song_id_claims", "cue_results", "history")]
    code, out, err = run(mini_db, "cue", "import", str(path), "--mapping", str(MAPPING), "--json")
    assert code == 0, err
    assert json.loads(out)[0]["unchanged"] == 3 and json.loads(out)[0]["added"] == 0
    after = [conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
             for t in ("shows", "sources", "episodes", "cues", "cue_songs", "song_id_claims", "cue_results", "history")]
    assert after == before


def test_map_options_alone_read_a_table(mini_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("Programme,Series,Ep,Name,Song,Singer,Where\n"
                    "Drag Race Holland,1,3,Drama Queens,Why Tell Me; Why,Anita Meyer,https://example.org/holland\n",
                    encoding="utf-8")
    args = ["--map", "Programme=show", "--map", "Series=season", "--map", "Ep=episode", "--map", "Name=episode_title",
            "--map", "Song=title", "--map", "Singer=artist", "--map", "Where=sources"]
    code, out, err = run(mini_db, "cue", "import", str(path), *args, "--json")
    assert code == 0, err
    conn = sqlite3.connect(mini_db)
    assert conn.execute("SELECT s.title, s.artist FROM cue_songs s JOIN cues c ON c.id = s.cue_id JOIN episodes e"
                        " ON e.id = c.episode_id WHERE e.title = 'Drama Queens'").fetchone() == ("Why Tell Me; Why",
                                                                                                "Anita Meyer")


def test_every_problem_is_located_in_one_run_and_nothing_is_written(mini_db: Path, tmp_path: Path) -> None:
    bad = [
        ROWS[0],
        ROWS[0],                                                              # line 3: a duplicate row
        ROWS[1].replace("I'm Not Perfect (But I'm Perfect for You)", ""),     # line 4: empty title
        ROWS[2].replace(",8,6,", ",8,0,"),                                    # line 5: episode 0
    ]
    path = table(tmp_path, bad, HEADER.replace("sources\n", "sources,vibe\n"))  # line 1: unknown column
    mapping = tmp_path / "m.toml"
    mapping.write_text(MAPPING.read_text(encoding="utf-8").replace('air_date = "air_date"',
                                                                   'air_date = "air_date"\nrating = "-"'),
                       encoding="utf-8")
    before = sqlite3.connect(mini_db).execute("SELECT count(*) FROM cues").fetchone()[0]
    code, _, err = run(mini_db, "cue", "import", str(path), "--mapping", str(mapping))
    assert code == 1
    assert f"{path}:1: vibe: unknown column 'vibe'" in err
    assert f"{mapping}:" in err and "rating" in err and "lacks" in err  # the mapping names a missing column
    # With the header fixed, the rows' problems come out together, each by line and column.
    path = table(tmp_path, bad)
    code, _, err = run(mini_db, "cue", "import", str(path), "--mapping", str(MAPPING))
    assert code == 1
    assert f"{path}:3: song_title: repeats line 2 exactly" in err
    assert f"{path}:4: song_title: is empty" in err
    assert f"{path}:5: episode:" in err and "out of range" in err
    assert sqlite3.connect(mini_db).execute("SELECT count(*) FROM cues").fetchone()[0] == before


@pytest.mark.skipif(not REAL.exists(), reason="../shared/data/dragrace is not beside this checkout")
def test_the_shipped_data_holds_every_row_of_the_real_table() -> None:
    """data/ was made from ../shared/data/dragrace/lipsyncs.csv by `cue import` and `dump`:
    the shipped database holds 11 shows and every lip sync with its sources."""
    from cuesheet.curation import season_table

    mapping = season_table.read_mapping(MAPPING)
    parsed = season_table.read_table(REAL, mapping)
    assert parsed.rows == 547 and len(parsed.shows) == 10
    from cuesheet.files.sheets import read_data_dir

    shipped = {s.name: s for s in read_data_dir(ROOT / "data")}
    assert len(shipped) == 11
    for show in parsed.shows:
        files = shipped[show.name]
        assert {(e.season, e.number, c.number) for e in show.episodes for c in e.cues} <= {
            (e.season, e.number, c.number) for e in files.episodes for c in e.cues}
        assert {s.url or s.title for s in show.sources} <= {s.url or s.title for s in files.sources}
