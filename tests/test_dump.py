"""dump: the database back into cue sheet files that build into the same content."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cuesheet.cli import app
from cuesheet.curation import cues as curate
from cuesheet.curation import review
from cuesheet.db import history
from cuesheet.files import dump
from cuesheet.files.build import build
from cuesheet.model import Performer
from cuesheet.viewer.resolve import find_show

from .conftest import DATA
from .curator_helpers import draft, episode, open_conn

runner = CliRunner()


def rebuild(conn, tmp_path: Path, name: str = "again") -> dict:
    folder = tmp_path / f"{name}-data"
    if (DATA / "catalog").is_dir():  # the catalog stays beside the cue sheets, as in data/
        shutil.copytree(DATA / "catalog", folder / "catalog")
    dump.dump(conn, folder)  # matcher links to recordings that catalog lacks are written
    path = tmp_path / f"{name}.sqlite"
    build(folder, path)
    return dump.content(open_conn(path))


def test_shipped_data_round_trips(shipped_db: Path, tmp_path: Path) -> None:
    conn = open_conn(shipped_db)
    assert rebuild(conn, tmp_path) == dump.content(conn)


def test_dumping_over_the_shipped_files_changes_none_of_them(shipped_db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "data"
    shutil.copytree(DATA, copy)
    report = dump.dump(open_conn(shipped_db), copy)
    assert report.written == []
    assert len(report.unchanged) == 11
    for path in DATA.glob("soundtrack/*.yaml"):
        assert (copy / "soundtrack" / path.name).read_bytes() == path.read_bytes()


def test_curated_changes_round_trip(shipped_db: Path, tmp_path: Path) -> None:
    conn = open_conn(shipped_db)
    ep = episode(conn, "soundtrack", "3")
    curate.add_cue(conn, ep, draft("Roar - Katy Perry", "brand new song nobody knows", time_in_ms=61_500,
                                   time_out_ms=125_000, scene="A long scene: with colons, # and 'quotes'\nand a second line",
                                   performers=(Performer("Sam", "Paul James", inferred=True),),
                                   sources=("bustle",), confidence="low", usage="BV"), "kim")
    curate.edit_cue(conn, ep, 1, curate.CueEdit(fields={"scene": "Reworded scene", "time_in_ms": 1000}), "kim")
    curate.move_cue(conn, ep, 2, "kim", to=4)
    [waiting] = [i for i in review.queue(conn) if i.code == "S01E01"]
    review.accept(conn, waiting.id, "kim", pick=2)
    other = conn.execute("SELECT s.id FROM cue_songs s JOIN cues c ON c.id = s.cue_id"
                         " WHERE c.episode_id = ? AND s.title = 'Roar'", [ep.id]).fetchone()[0]
    review.reject(conn, other, "kim")
    again = rebuild(conn, tmp_path)
    assert again == dump.content(conn)


def test_only_the_changed_episode_is_rewritten(shipped_db: Path, tmp_path: Path) -> None:
    conn = open_conn(shipped_db)
    copy = tmp_path / "data"
    shutil.copytree(DATA, copy)
    curate.remove_cue(conn, episode(conn, "soundtrack", "3"), 5, "kim")
    report = dump.dump(conn, copy)
    assert [Path(p).name for p in report.written] == ["s01e03.yaml"]
    history.undo(conn, None, "kim")
    assert [Path(p).name for p in dump.dump(conn, copy).written] == ["s01e03.yaml"]


@pytest.mark.parametrize("text", [
    "plain words", "2:15", "yes", "null", "- dash first", "a: colon", "hash # inside", "trailing space ",
    "quote's", '"double"', "x" * 200, "two  spaces " * 12, "line\nbreak", "123", "1e3", "[brackets]",
])
def test_any_text_reads_back_the_same(text: str, mini_db: Path, tmp_path: Path) -> None:
    conn = open_conn(mini_db)
    ep = episode(conn, "mini", "s1e1")
    curate.edit_cue(conn, ep, 1, curate.CueEdit(fields={"scene": text, "notes": text},
                                               songs={1: {"title": text, "artist": text}}), "kim")
    assert rebuild(conn, tmp_path)["mini"]["episodes"] == dump.content(conn)["mini"]["episodes"]


def test_cli_dump_one_show(mini_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["dump", "mini", "--to", str(out), "--db", str(mini_db)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (out / "mini").iterdir()) == ["s01e01.yaml", "s02e01.yaml", "show.yaml"]
    assert "3 files written" in result.output
    result = runner.invoke(app, ["dump", "--to", str(out), "--db", str(mini_db)])
    assert "0 files written, 3 already up to date" in result.output


def test_a_curated_pick_of_a_catalog_recording_round_trips(shipped_db: Path, tmp_path: Path) -> None:
    """A pin in an episode file names a catalog recording: build must not add a second copy of it,
    or every other cue that recording matched automatically becomes a tie and drops to review."""
    from cuesheet.curation.cues import CueDraft, SongDraft
    from cuesheet.curation.matcher import Matcher
    from cuesheet.model import Song

    conn = open_conn(shipped_db)
    [best] = Matcher.offline(conn).identify("ain't no sunshine bill withers", limit=1).candidates
    song = Song(title="aint no sunshine bill withers", artist="", text="aint no sunshine bill withers")
    curate.add_cue(conn, episode(conn, "soundtrack", "6"),
                   CueDraft(songs=(SongDraft(song, pick=best.candidate),), kind="lip-sync"), "kim")
    again = rebuild(conn, tmp_path)
    assert again == dump.content(conn)
    rebuilt = open_conn(tmp_path / "again.sqlite")
    assert rebuilt.execute("SELECT count(*) FROM recordings WHERE title = 'Ain''t No Sunshine'").fetchone()[0] == 1


def test_a_title_without_artist_round_trips_its_text(shipped_db: Path, tmp_path: Path) -> None:
    """`cue add --title Smile` then `cue edit --artist ...`: the entered text must not end in ' - '."""
    from cuesheet.curation.cues import CueDraft, SongDraft
    from cuesheet.model import Song

    conn = open_conn(shipped_db)
    ep = episode(conn, "soundtrack", "6")
    done = curate.add_cue(conn, ep, CueDraft(songs=(SongDraft(Song(title="Smile", artist="")),)), "kim")
    curate.edit_cue(conn, ep, done.number, curate.CueEdit(songs={1: {"artist": "Nat King Cole"}}), "kim")
    text = conn.execute("SELECT s.text FROM cue_songs s JOIN cues c ON c.id = s.cue_id"
                        " WHERE c.episode_id = ? AND s.title = 'Smile'", [ep.id]).fetchone()[0]
    assert text == "Smile"
    assert rebuild(conn, tmp_path) == dump.content(conn)
    folder = tmp_path / "again-data"
    assert dump.dump(conn, folder).written == []  # a second dump finds every file up to date


def test_ids_an_online_pick_brought_survive_the_round_trip(shipped_db: Path, tmp_path: Path) -> None:
    """A pick from MusicBrainz fills the catalog recording's ids; the dumped pin carries them,
    and build must keep them on the catalog row it finds, not drop them."""
    from cuesheet.curation.cues import CueDraft, SongDraft
    from cuesheet.model import Song
    from cuesheet.sources import Candidate

    conn = open_conn(shipped_db)
    online = Candidate(title="Ain't No Sunshine", artist="Bill Withers", source="musicbrainz",
                       album="Just As I Am", year=1971, duration_ms=125_000,
                       ids={"mbid": "00000000-0000-4000-8000-0000000000aa", "isrc": "QZCUE0000099"})
    song = Song(title="aint no sunshine", artist="", text="aint no sunshine")
    curate.add_cue(conn, episode(conn, "soundtrack", "6"),
                   CueDraft(songs=(SongDraft(song, pick=online),), kind="lip-sync"), "kim")
    assert rebuild(conn, tmp_path) == dump.content(conn)
    rebuilt = open_conn(tmp_path / "again.sqlite")
    assert rebuilt.execute("SELECT mbid, isrc FROM recordings WHERE title = 'Ain''t No Sunshine'").fetchall() == [
        ("00000000-0000-4000-8000-0000000000aa", "QZCUE0000099")]


# --- a dump a curator can diff (issue #14) ------------------------------------------------------------


def _changed_lines(old: str, new: str) -> list[str]:
    import difflib

    return [ln for ln in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0)
            if ln[:1] in "+-" and not ln.startswith(("+++", "---"))]


def test_only_the_changed_cue_is_rewritten_comments_and_layout_kept(shipped_db: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    conn = open_conn(shipped_db)
    ep = episode(conn, "soundtrack", "1")
    curate.edit_cue(conn, ep, 2, curate.CueEdit(fields={"scene": "Sam at the piano"}), "kim")
    from cuesheet.curation import shows

    show_ref = find_show(conn, "soundtrack")
    shows.add_character(conn, show_ref, "Levi", {"notes": "Nellie's musician ex"}, "kim")
    shows.set_source(conn, show_ref, "bustle", {"date": "2019-12-19"}, "kim", add=False)
    before = {p.name: p.read_text(encoding="utf-8") for p in (data / "soundtrack").iterdir()}
    report = dump.dump(conn, data)
    assert sorted(Path(p).name for p in report.written) == ["s01e01.yaml", "show.yaml"]
    after = {p.name: p.read_text(encoding="utf-8") for p in (data / "soundtrack").iterdir()}
    episode_diff = _changed_lines(before["s01e01.yaml"], after["s01e01.yaml"])
    assert episode_diff == ["-    scene: A pilot number tied to Sam.", "+    scene: Sam at the piano"]
    assert "    performers: []" in after["s01e01.yaml"]  # another cue's empty list stays as written
    show_diff = _changed_lines(before["show.yaml"], after["show.yaml"])
    assert show_diff == ['-    date: 2019-12-18', '+    date: "2019-12-19"', "+  - name: Levi",
                         "+    notes: Nellie's musician ex"]
    assert after["show.yaml"].count("# S1") == before["show.yaml"].count("# S1") > 0  # comments kept
    # What was written reads back as the database says, and a second dump finds nothing to do.
    assert dump.dump(conn, data).written == []


def test_a_file_that_cannot_be_patched_is_written_whole(shipped_db: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    (data / "soundtrack" / "s01e02.yaml").write_text("season: [unreadable\n", encoding="utf-8")
    conn = open_conn(shipped_db)
    report = dump.dump(conn, data)
    assert [Path(p).name for p in report.written] == ["s01e02.yaml"]
    assert dump.dump(conn, data).written == []
