"""Every CSV cuesheet writes is safe to open in a spreadsheet (issue #15), and `--raw` is exact.

The hostile show (tests/export_support.py) has formulas for titles and artists
and control characters inside cells; each CSV writer is run over it and every
cell is checked, then the same cells are checked to come back exact with --raw.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from cuesheet.cli import app
from cuesheet.export import tabular
from cuesheet.export.tabular import FORMULA_START, csv_text, safe_cell

from .export_support import CALC, HYPERLINK, MENTION, SUM, hostile_db, tiny_db, tiny_db_file  # noqa: F401

runner = CliRunner()
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def assert_safe(text: str) -> None:
    for row in cells(text):
        for cell in row:
            assert not cell.startswith(FORMULA_START), f"formula cell {cell!r}"
            assert not CONTROL.search(cell), f"control character in {cell!r}"


def run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("value, shown", [
    (HYPERLINK, "'" + HYPERLINK),
    (CALC, "'" + CALC),
    (SUM, "'-2+3"),
    (MENTION, "'@SUM(1+1)"),
    ("\tTabbed", "' Tabbed"),
    ("\rReturn", "' Return"),
    ("in\tthe\nmiddle\x00", "in the middle "),
    ("Smile", "Smile"),
    ("", ""),
    (None, ""),
    (-1, -1),  # numbers are never text for a formula
    (170000, 170000),
])
def test_a_cell_is_shown_as_the_text_it_is(value, shown) -> None:
    assert safe_cell(value) == shown


@given(st.text())
def test_no_text_ever_makes_a_formula_or_a_control_character(text: str) -> None:
    cell = safe_cell(text)
    assert isinstance(cell, str)
    assert not cell.startswith(FORMULA_START) and not CONTROL.search(cell)
    # Nothing else changes: a quote in front of a formula start, controls as spaces.
    expected = CONTROL.sub(" ", text)
    assert cell == ("'" + expected if text.startswith(FORMULA_START) else expected)
    assert safe_cell(text, raw=True) == text


@given(st.lists(st.lists(st.text(), min_size=1, max_size=4), max_size=4))
def test_raw_csv_reads_back_exactly(rows: list[list[str]]) -> None:
    text = csv_text(rows, raw=True)
    assert cells(text) == rows


def test_the_playlist_csv_is_safe(hostile_db: Path, tmp_path: Path) -> None:
    run("export", "playlist", "tiny", "-o", str(tmp_path / "all.csv"), "--db", str(hostile_db))
    text = read(tmp_path / "all.csv")
    assert_safe(text)
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    by_position = {r["position"]: r for r in rows}
    assert by_position["1"]["title"] == "'" + HYPERLINK
    assert by_position["1"]["album"] == "Smile Deluxe  Edition"
    assert by_position["2"]["artist"] == "'" + CALC
    assert by_position["4"]["title"] == "'-2+3" and by_position["4"]["artist"] == "'@SUM(1+1)"
    assert by_position["5"]["title"] == "deep in a dream [31m"  # a title is one line of text
    assert by_position["1"]["episode_title"] == "' Pilot Rain"


def read(path: Path) -> str:
    with open(path, encoding="utf-8", newline="") as fh:  # CliRunner's stdout folds CRLF
        return fh.read()


def test_the_playlist_csv_raw_is_exact(hostile_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "raw.csv"
    run("export", "playlist", "tiny", "1", "--raw", "-o", str(out), "--db", str(hostile_db))
    text = read(out)
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert rows[0]["title"] == HYPERLINK and rows[0]["album"] == "Smile\tDeluxe\r\nEdition"
    assert rows[1]["artist"] == CALC and rows[3]["title"] == SUM
    assert rows[0]["episode_title"] == "\rPilot\u2028Rain"


def test_the_cue_sheet_csv_is_safe(hostile_db: Path, tmp_path: Path) -> None:
    run("export", "cuesheet", "tiny", "1", "-o", str(tmp_path / "sheet.csv"), "--db", str(hostile_db))
    text = read(tmp_path / "sheet.csv")
    assert_safe(text)
    flat = [c for row in cells(text) for c in row]
    assert "'" + HYPERLINK in flat and "'" + CALC in flat and "'-2+3" in flat
    assert "' Pilot Rain" in flat  # the header block too
    assert "' deep in a dream  [31m" in flat  # a leading TAB is guarded, inner controls are spaces


def test_the_cue_sheet_csv_raw_is_exact(hostile_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "raw.csv"
    run("export", "cuesheet", "tiny", "1", "--raw", "-o", str(out), "--db", str(hostile_db))
    text = read(out)
    flat = [c for row in cells(text) for c in row]
    assert HYPERLINK in flat and CALC in flat and SUM in flat
    assert "\tdeep in\ta dream\x00\x1b[31m" in flat


def test_the_season_cue_sheets_are_safe(hostile_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "sheets"
    out.mkdir()
    run("export", "cuesheet", "tiny", "--season", "1", "-o", str(out), "--db", str(hostile_db))
    files = sorted(out.iterdir())
    assert files
    for path in files:
        assert_safe(read(path))


def test_stdout_is_guarded_too(hostile_db: Path) -> None:
    assert_safe(run("export", "playlist", "tiny", "1", "-f", "csv", "--db", str(hostile_db)))
    assert_safe(run("export", "cuesheet", "tiny", "1", "--db", str(hostile_db)))


def test_raw_is_for_csv_only(tiny_db: Path) -> None:
    result = runner.invoke(app, ["export", "playlist", "tiny", "1", "-f", "xspf", "--raw", "--db", str(tiny_db)])
    assert result.exit_code == 1 and "--raw is for CSV only" in result.stderr


def test_every_csv_writer_goes_through_the_one_writer() -> None:
    """A new CSV writer elsewhere in the package would miss the formula guard."""
    package = Path(tabular.__file__).resolve().parents[1]
    writers = [p.relative_to(package).as_posix() for p in package.rglob("*.py")
               if re.search(r"csv\.(writer|DictWriter)\(", p.read_text(encoding="utf-8"))]
    assert writers == ["export/tabular.py"]
