from __future__ import annotations

from pathlib import Path

import pytest

from cuesheet.files import sheets
from cuesheet.errors import InputError, InputErrors

from .conftest import DATA


def write_episode(folder: Path, body: str, name: str = "s01e01.yaml") -> Path:
    path = folder / "mini" / name
    path.write_text(body, encoding="utf-8")
    return path


def errors_of(folder: Path) -> list[InputError]:
    with pytest.raises(InputErrors) as info:
        sheets.read_show_dir(folder / "mini")
    return info.value.errors


def test_shipped_data_loads() -> None:
    shows = sheets.read_data_dir(DATA)
    assert len(shows) == 11 and "soundtrack" in [s.slug for s in shows]  # #20: ten Drag Race shows beside it
    assert sum(len(c.songs) > 0 for s in shows if s.franchise == "Drag Race" for e in s.episodes for c in e.cues) == 547
    show = next(s for s in shows if s.slug == "soundtrack")
    assert [e.number for e in show.episodes] == list(range(1, 11))
    songs = [song for e in show.episodes for c in e.cues for song in c.songs]
    assert len(songs) == 32
    assert [s.unknown for s in songs].count(True) == 1  # episode 6's one song nobody names
    assert all(not e.complete for e in show.episodes)  # a season is never assumed complete
    medley = next(c for c in show.episodes[3].cues if len(c.songs) == 3)
    assert medley.kind == "mashup"
    assert [s.artist for s in medley.songs] == ["Judy Collins", "Neil Diamond", "Joni Mitchell"]
    deep = next(s for s in songs if s.title == "Deep in a Dream")
    assert deep.artist == "Chet Baker"
    assert [(c.field, c.value) for c in deep.claims] == [("artist", "Frank Sinatra")]


def test_fixture_loads_with_times(mini_data: Path) -> None:
    show = sheets.read_show_dir(mini_data / "mini")
    cues = show.episodes[0].cues
    assert (cues[0].time_in_ms, cues[0].time_out_ms) == (135_000, 280_000)
    assert cues[2].time_in_ms == 30 * 60_000
    assert cues[1].songs[1].performers[0].inferred is True


@pytest.mark.parametrize(
    ("body", "line", "field", "words"),
    [
        ("season: 1\nepisode: 1\ntitle: X\ncues:\n  - cue: 1\n    kind: lipsync\n    songs: [a]\n",
         6, "cues[0].kind", "not one of"),
        ("season: 1\nepisode: 1\ntitle: X\ncues:\n  - cue: 1\n    kind: lip-sync\n    tempo: 3\n    songs: [a]\n",
         7, "cues[0].tempo", "unknown key"),
        ("season: 1\nepisode: 1\ncues: []\n", 1, "title", "required"),
        ("season: one\nepisode: 1\ntitle: X\n", 1, "season", "whole number"),
        ("season: 1\nepisode: 1\ntitle: X\ncues:\n  - cue: 1\n    kind: lip-sync\n    time_in: 'soon'\n    songs: [a]\n",
         7, "cues[0].time_in", "soon"),
        ("season: 1\nepisode: 1\ntitle: X\ncues:\n  - cue: 1\n    kind: lip-sync\n    time_in: '5:00'\n    time_out: '4:00'\n    songs: [a]\n",
         8, "cues[0].time_out", "before time_in"),
        ("season: 1\nepisode: 1\ntitle: X\ncues:\n  - cue: 1\n    kind: mashup\n    songs: [a]\n",
         6, "cues[0].kind", "two or more"),
        ("season: 1\nepisode: 1\ntitle: X\ncues:\n  - cue: 1\n    kind: lip-sync\n    sources: [nobody]\n    songs: [a]\n",
         7, "cues[0].sources", "unknown source"),
        ("season: 1\nepisode: 1\ntitle: X\ncues:\n  - cue: 1\n    kind: lip-sync\n    songs:\n      - artist: Sia\n",
         8, "cues[0].songs[0].title", "required"),
        ("season: 1\nepisode: 1\ntitle: X\ncues:\n  - cue: 1\n    kind: lip-sync\n    songs: [a]\n  - cue: 1\n    kind: lip-sync\n    songs: [b]\n",
         8, "cues[1].cue", "used twice"),
        ("season: 1\nepisode: 1\ntitle: X\ncues:\n  - cue: 1\n    kind: lip-sync\n    songs:\n      - title: A\n        recording: {title: A, artist: B, isrc: nope}\n",
         9, "cues[0].songs[0].recording.isrc", "ISRC"),
        ("season: 1\nepisode: 1\ntitle: [unclosed\n", 4, None, "not valid YAML"),
    ],
)
def test_errors_name_file_line_and_field(
    mini_data: Path, body: str, line: int, field: str | None, words: str
) -> None:
    path = write_episode(mini_data, body)
    found = errors_of(mini_data)
    match = [e for e in found if e.file == str(path) and e.field == field]
    assert match, [str(e) for e in found]
    assert match[0].line == line
    assert words in str(match[0])
    assert str(match[0]).startswith(f"{path}:{line}:")


def test_all_errors_are_reported_not_only_the_first(mini_data: Path) -> None:
    write_episode(
        mini_data,
        "season: 1\nepisode: 1\ntitle: X\ncues:\n  - cue: 0\n    kind: nope\n    songs: [a]\n"
        "  - cue: 2\n    kind: lip-sync\n    confidence: sure\n    songs: [b]\n",
    )
    fields = {e.field for e in errors_of(mini_data)}
    assert {"cues[0].cue", "cues[0].kind", "cues[1].confidence"} <= fields


def test_two_files_for_one_episode(mini_data: Path) -> None:
    write_episode(mini_data, "season: 1\nepisode: 1\ntitle: Again\n", name="s01e09.yaml")
    assert any("also in s01e01.yaml" in str(e) for e in errors_of(mini_data))


def test_badly_named_file_and_non_utf8(mini_data: Path) -> None:
    (mini_data / "mini" / "episode-one.yaml").write_text("season: 1\n")
    (mini_data / "mini" / "s01e05.yaml").write_bytes(b"title: \xff\xfe\n")
    messages = [str(e) for e in errors_of(mini_data)]
    assert any("episode-one.yaml" in m and "sNNeNN" in m for m in messages)
    assert any("s01e05.yaml" in m and "UTF-8" in m for m in messages)


def test_yaml_times_are_not_base_60(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("a: 2:15\nb: 1:02:03\nc: 95\n")
    assert sheets.load_yaml(path) == {"a": "2:15", "b": "1:02:03", "c": 95}
