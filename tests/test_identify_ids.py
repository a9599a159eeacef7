"""Ids as queries: MusicBrainz ids and URLs, ISRCs, Spotify ids, URIs and URLs.

Looked up directly (catalog first, then the service by id, never by search),
accepted when found; a clear line when the source that could resolve it is
offline. The services are the loopback fakes (scripts/fake_services.py) with
the real musicbrainzngs and spotipy clients.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cuesheet.cli import app
from cuesheet.db.connection import connect
from cuesheet.db.transactions import transaction
from cuesheet.matching import identify
from cuesheet.matching.readings import read_id
from cuesheet.recordings import importer
from cuesheet.sources.catalog import CatalogSource
from tests.test_cli_cue import online

MBID = "8f3471b5-7e6a-48da-86a9-c1c07a0f47ae"
SPOTIFY = "4uLU6hMCjMI75M1A2tKUQC"


@pytest.mark.parametrize(("text", "expected"), [
    (MBID, ("mbid", MBID)),
    (f"https://musicbrainz.org/recording/{MBID}", ("mbid", MBID)),
    (MBID.upper(), ("mbid", MBID)),
    (SPOTIFY, ("spotify_id", SPOTIFY)),
    (f"spotify:track:{SPOTIFY}", ("spotify_id", SPOTIFY)),
    (f"https://open.spotify.com/track/{SPOTIFY}?si=abc", ("spotify_id", SPOTIFY)),
    (f"https://open.spotify.com/intl-de/track/{SPOTIFY}", ("spotify_id", SPOTIFY)),
    ("US-AAA-54-00001", ("isrc", "USAAA5400001")),
    ("usaaa5400001", ("isrc", "USAAA5400001")),
    # Song text, even long single words, is not an id.
    ("supercalifragilisticab", None),
    ("elastic heart sia", None),
    ("Hello", None),
    ("", None),
])
def test_read_id(text: str, expected: tuple[str, str] | None) -> None:
    assert read_id(text) == expected


@pytest.fixture
def conn(tmp_path: Path) -> Iterator:  # type: ignore[type-arg]
    c = connect(tmp_path / "ids.sqlite", create=True).conn
    with transaction(c):
        importer.insert_rows(c, [
            importer.CatalogRow("Smile", "Nat King Cole", None, 1954, None, "USCA29900001", MBID, None),
            importer.CatalogRow("Roads", "Portishead", None, 1994, None, None, None, SPOTIFY),
        ])
    yield c
    c.close()


@pytest.mark.parametrize(("query", "title"), [
    (f"https://musicbrainz.org/recording/{MBID}", "Smile"),
    ("USCA29900001", "Smile"),
    (f"spotify:track:{SPOTIFY}", "Roads"),
])
def test_an_id_the_catalog_knows_is_accepted_from_the_catalog(conn, query: str, title: str) -> None:  # type: ignore[no-untyped-def]
    ident = identify(query, [CatalogSource(conn)])
    assert ident.verdict == "accepted"
    assert ident.best is not None and ident.best.candidate.title == title
    assert ident.best.candidate.source == "catalog"
    assert any("found by its" in r for r in ident.best.reasons)


def test_an_unknown_id_without_a_service_says_which_service_could(conn) -> None:  # type: ignore[no-untyped-def]
    ident = identify("00000000-0000-4000-8000-0000000009ff", [CatalogSource(conn)])
    assert ident.verdict == "no_match" and not ident.candidates
    assert [s.source for s in ident.skipped] == ["musicbrainz"]
    assert "cannot look up MusicBrainz id" in str(ident.skipped[0])


# --- the loopback services -------------------------------------------------------------------


# The loopback MusicBrainz and Spotify knowing "Dreams" by Fleetwood Mac, as the curator tests use them.
fakes = online


def _cli(db_path: Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, ["identify", *args, "--db", str(db_path), "--json"])


@pytest.fixture
def db_path(conn, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    return tmp_path / "ids.sqlite"


@pytest.mark.parametrize("form", ["mbid", "mb_url", "spotify_uri", "spotify_url", "isrc"])
def test_an_id_the_catalog_lacks_is_looked_up_by_id_online(fakes, db_path: Path, form: str) -> None:  # type: ignore[no-untyped-def]
    query = {"mbid": fakes.mbid, "mb_url": f"https://musicbrainz.org/recording/{fakes.mbid}",
             "spotify_uri": f"spotify:track:{fakes.spotify_id}",
             "spotify_url": f"https://open.spotify.com/track/{fakes.spotify_id}",
             "isrc": fakes.isrc}[form]
    result = _cli(db_path, query)
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["verdict"] == "accepted"
    best = out["candidates"][0]
    assert (best["title"], best["artist"]) == ("Dreams", "Fleetwood Mac")
    assert best["source"] in ("musicbrainz", "spotify")
    assert best["probability"] == 1.0


def test_an_id_offline_gets_one_clear_line(fakes, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = _cli(db_path, fakes.mbid, "--offline")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["verdict"] == "no_match"
    lines = [s for s in out["skipped"] if "cannot look up MusicBrainz id" in s]
    assert len(lines) == 1 and "offline" in lines[0]


def test_review_set_takes_any_id_as_pasted(shipped_db: Path, fakes) -> None:  # type: ignore[no-untyped-def]
    from cuesheet.curation import review
    from tests.curator_helpers import open_conn

    [waiting] = review.queue(open_conn(shipped_db))
    runner = CliRunner()
    url = f"https://open.spotify.com/track/{fakes.spotify_id}?si=x"
    result = runner.invoke(app, ["review", "set", str(waiting.id), "--id", url, "--db", str(shipped_db)])
    assert result.exit_code == 0, result.output
    assert "set Dreams — Fleetwood Mac" in result.output
    bad = runner.invoke(app, ["review", "set", str(waiting.id), "--id", "not an id", "--db", str(shipped_db)])
    assert bad.exit_code != 0 and "is not a MusicBrainz id" in bad.output


def test_a_curator_prompt_takes_an_id(shipped_db: Path, fakes) -> None:  # type: ignore[no-untyped-def]
    from tests.test_cli_cue import cues, run

    url = f"https://musicbrainz.org/recording/{fakes.mbid}"
    result = run(shipped_db, "cue", "add", "soundtrack", "6", "--song", url, "--pick", "1", "--yes")
    assert result.exit_code == 0, result.output
    [song] = cues(shipped_db, "6")[-1].to_json()["songs"]
    assert (song["title"], song["artist"]) == ("Dreams", "Fleetwood Mac")
    assert song["ids"]["mbid"] == fakes.mbid
