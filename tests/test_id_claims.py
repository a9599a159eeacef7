"""Issue #20: a recording id a source claims for a song (`id_claims`) is stored as that
source's claim (table `song_id_claims`), read from and dumped back to the episode file."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from cuesheet.errors import InputErrors
from cuesheet.files import sheets
from cuesheet.files.build import build
from cuesheet.files.dump import dump, read_show
from cuesheet.model import IdClaim

from .conftest import FIXTURES

CLAIM = """
        id_claims:
          - {service: spotify, id: "spotify:track:2hHLbkatPwOOmrNxTiD41L", sources: [list]}
          - {service: spotify, id: 0OdiAlnSN0k39jarFqVTY8, sources: [list, recap]}
"""


def _with_claims(tmp_path: Path, claim: str = CLAIM) -> Path:
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "minishow", data)
    path = data / "mini" / "s01e01.yaml"
    text = path.read_text(encoding="utf-8")
    anchor = "        artist: Gene Kelly\n"
    assert anchor in text
    path.write_text(text.replace(anchor, anchor + claim.lstrip("\n"), 1), encoding="utf-8")
    return data


def test_id_claims_are_stored_per_source_and_dump_back(tmp_path: Path) -> None:
    data = _with_claims(tmp_path)
    db_path = tmp_path / "c.sqlite"
    build(data, db_path)
    conn = sqlite3.connect(db_path)
    rows = conn.execute(
        """SELECT s.title, ic.service, ic.external_id, so.key FROM song_id_claims ic
             JOIN cue_songs s ON s.id = ic.cue_song_id JOIN sources so ON so.id = ic.source_id
            ORDER BY ic.id""").fetchall()
    assert rows == [
        ("Singing in the Rain", "spotify", "2hHLbkatPwOOmrNxTiD41L", "list"),  # the URI normalised
        ("Singing in the Rain", "spotify", "0OdiAlnSN0k39jarFqVTY8", "list"),
        ("Singing in the Rain", "spotify", "0OdiAlnSN0k39jarFqVTY8", "recap"),
    ]
    show = read_show(conn, conn.execute("SELECT id FROM shows").fetchone()[0])
    song = show.episodes[0].cues[0].songs[0]
    assert song.id_claims == (IdClaim("spotify", "2hHLbkatPwOOmrNxTiD41L", ("list",)),
                              IdClaim("spotify", "0OdiAlnSN0k39jarFqVTY8", ("list", "recap")))
    # A claim is not a recording: the song stays unlinked until the audit accepts it.
    assert conn.execute("SELECT count(*) FROM recordings WHERE spotify_id IS NOT NULL").fetchone()[0] == 0
    out = tmp_path / "out"
    shutil.copytree(data, out)
    (out / "mini" / "s01e01.yaml").unlink()
    dump(conn, out)
    text = (out / "mini" / "s01e01.yaml").read_text(encoding="utf-8")
    assert "id_claims:" in text and "2hHLbkatPwOOmrNxTiD41L" in text
    again = sheets.read_show_dir(out / "mini")
    assert again.episodes[0].cues[0].songs[0].id_claims == song.id_claims
    # The dumped files build the same claims again.
    build(out, tmp_path / "again.sqlite")
    conn2 = sqlite3.connect(tmp_path / "again.sqlite")
    assert conn2.execute("SELECT count(*) FROM song_id_claims").fetchone()[0] == 3


@pytest.mark.parametrize(("claim", "message"), [
    ("        id_claims:\n          - {service: spotify, id: not-an-id, sources: [list]}\n",
     "id_claims[0].id"),
    ("        id_claims:\n          - {service: deezer, id: 2hHLbkatPwOOmrNxTiD41L, sources: [list]}\n",
     "id_claims[0].service"),
    ("        id_claims:\n          - {service: spotify, id: 2hHLbkatPwOOmrNxTiD41L}\n",
     "id_claims[0].sources"),
    ("        id_claims:\n          - {service: spotify, id: 2hHLbkatPwOOmrNxTiD41L, sources: [nowhere]}\n",
     "unknown source 'nowhere'"),
])
def test_a_bad_id_claim_is_a_located_error(tmp_path: Path, claim: str, message: str) -> None:
    data = _with_claims(tmp_path, claim)
    with pytest.raises(InputErrors) as exc:
        sheets.read_show_dir(data / "mini")
    text = str(exc.value)
    assert "s01e01.yaml:" in text and message in text
