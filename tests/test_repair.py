"""Mojibake: UTF-8 text misread as Latin-1/cp1252 is repaired by one function on every path in."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cuesheet.db.connection import connect
from cuesheet.db.transactions import transaction
from cuesheet.viewer.resolve import find_show
from cuesheet.files import cueimport
from cuesheet.matching.batch import read_queries
from cuesheet.cli import _check_arguments, app
from cuesheet.errors import InputErrors
from cuesheet.matching import identify
from cuesheet.notation.normalize import repair_text
from cuesheet.recordings import importer
from cuesheet.recordings.importer import CatalogRow, insert_rows
from cuesheet.sources.catalog import CatalogSource

from .curator_helpers import open_conn

runner = CliRunner()


@pytest.mark.parametrize(("text", "repaired"), [
    ("LÃ©o FerrÃ©", "Léo Ferré"),                      # UTF-8 read as Latin-1/cp1252
    ("Ã\x82me, te souvient-il ?", "Âme, te souvient-il ?"),  # ... its C1 byte kept as a control char
    ("Sigur RÃ³s", "Sigur Rós"),
    ("MÃ¶tley CrÃ¼e", "Mötley Crüe"),
    ("Ã‰dith Piaf", "Édith Piaf"),                      # cp1252's letter for byte 0x89
    ("Â¿QuÃ© pasa?", "¿Qué pasa?"),
    ("ÃƒÂ©tÃƒÂ©", "été"),                                # misread twice
    ("The â€œBestâ€\x9d", "The “Best”"),                 # curly quotes stay curly
])
def test_misread_utf8_is_repaired(text: str, repaired: str) -> None:
    assert repair_text(text) == repaired


@pytest.mark.parametrize("text", [
    "Léo Ferré", "Björk", "Beyoncé", "naïve café", "Sigur Rós", "плохо", "東京", "“quoted”", "plain ascii",
    "Rock 'n' Roll", "Tom\tWaits",
    "abc\x81def",  # no encoding maps this byte to a letter: still a control character
])
def test_other_text_is_left_as_it_is(text: str) -> None:
    assert repair_text(text) == text


CSV = "title,artist,album\nAvec le temps,LÃ©o FerrÃ©,Ã\x89dition\n\"Ã\x82me, te souvient-il ?\",Léo Ferré,\nPlain,Someone,\n"


def test_catalog_import_repairs_and_counts_the_fields(tmp_path: Path) -> None:
    path = tmp_path / "dump.csv"
    path.write_text(CSV, encoding="utf-8")
    conn = connect(tmp_path / "cat.sqlite", create=True).conn
    report = importer.import_file(conn, path)
    assert (report.added, report.repaired, report.to_json()["repaired"]) == (3, 3, 3)
    rows = conn.execute("SELECT title, artist, album FROM recordings ORDER BY title").fetchall()
    assert rows == [("Avec le temps", "Léo Ferré", "Édition"), ("Plain", "Someone", None),
                    ("Âme, te souvient-il ?", "Léo Ferré", None)]


def test_canonical_import_repairs_too(tmp_path: Path) -> None:
    from .test_importer import HEADER, canonical_row, write

    path = write(tmp_path, canonical_row(1, "Avec le temps", "LÃ©o FerrÃ©", release="Ã‰dition")
                 + canonical_row(2, "Roads"))
    conn = connect(tmp_path / "cat.sqlite", create=True).conn
    report = importer.import_file(conn, path)
    assert HEADER and report.repaired == 2
    assert conn.execute("SELECT artist, album FROM recordings WHERE title = 'Avec le temps'").fetchone() \
        == ("Léo Ferré", "Édition")


def test_only_what_stays_a_control_character_is_an_error_and_skip_invalid_is_named(tmp_path: Path) -> None:
    path = tmp_path / "dump.csv"
    path.write_text(CSV + "Bad\x01row,X,\nAlso\x81bad,Y,\n", encoding="utf-8")
    conn = connect(tmp_path / "cat.sqlite", create=True).conn
    with pytest.raises(InputErrors) as info:
        importer.import_file(conn, path)
    assert [(e.line, e.field) for e in info.value.errors] == [(5, "title"), (6, "title")]
    assert "--skip-invalid" in str(info.value.remedy)
    assert conn.execute("SELECT count(*) FROM recordings").fetchone()[0] == 0
    result = runner.invoke(app, ["catalog", "import", str(path), "--db", str(tmp_path / "cat.sqlite")])
    assert result.exit_code == 1 and "--skip-invalid" in result.stderr
    result = runner.invoke(app, ["catalog", "import", str(path), "--skip-invalid",
                                 "--db", str(tmp_path / "cat.sqlite")])
    assert result.exit_code == 0, result.output
    assert "Repaired 3 fields" in result.stderr or "Repaired 3 fields" in result.stdout


def test_cue_import_repairs_and_counts(mini_db: Path, tmp_path: Path) -> None:
    conn = open_conn(mini_db)
    path = tmp_path / "cues.csv"
    path.write_text("season,episode,cue,scene,title,artist\n1,1,7,CafÃ© scene,Avec le temps,LÃ©o FerrÃ©\n",
                    encoding="utf-8")
    report = cueimport.import_file(conn, path, find_show(conn, "mini"), "kim", match=False)
    assert report.repaired == 2 and report.to_json()["repaired"] == 2  # the scene and the artist
    assert report.added == ["S01E01 cue 7: Avec le temps — Léo Ferré"]
    yaml_path = tmp_path / "s01e01.yaml"
    yaml_path.write_text("season: 1\nepisode: 1\ncues:\n  - cue: 8\n    kind: background\n    songs:\n"
                         "      - title: Ã‰dith\n        artist: \"Ã\\x82me\"\n", encoding="utf-8")
    report = cueimport.import_file(conn, yaml_path, find_show(conn, "mini"), "kim", match=False)
    assert report.repaired == 2 and report.added == ["S01E01 cue 8: Édith — Âme"]


def test_queries_arguments_and_query_files_are_repaired(tmp_path: Path) -> None:
    conn = connect(tmp_path / "cat.sqlite", create=True).conn
    with transaction(conn):
        insert_rows(conn, [CatalogRow("Avec le temps", "Léo Ferré", None, None, None, None, None, None),
                           CatalogRow("Avec le vent", "Leon Ferrer", None, None, None, None, None, None)])
    found = identify("LÃ©o FerrÃ© - Avec le temps", [CatalogSource(conn)])
    assert found.verdict == "accepted" and found.best is not None and found.best.candidate.artist == "Léo Ferré"
    assert found.best.components["artist"] == 1.0
    assert _check_arguments(["identify", "LÃ©o FerrÃ©"]) == ["identify", "Léo Ferré"]
    assert read_queries(["LÃ©o FerrÃ© - Avec le temps"], "q.txt")[0] == ["Léo Ferré - Avec le temps"]
