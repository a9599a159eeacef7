"""Counts in words, and no message of the package says "(s)"."""

from __future__ import annotations

import re
import shutil
import tokenize
from pathlib import Path

from typer.testing import CliRunner

from cuesheet.cli import app
from cuesheet.notation.plural import noun, plural

from .conftest import DATA

PACKAGE = Path(__file__).resolve().parent.parent / "cuesheet"
STRINGS = {tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", tokenize.STRING)}


def test_plural_says_one_and_many() -> None:
    assert plural(1, "show") == "1 show" and plural(0, "show") == "0 shows" and plural(3, "show") == "3 shows"
    assert plural(2, "retry") == "2 retries" and plural(1, "retry") == "1 retry"
    assert plural(2, "music use") == "2 music uses"
    assert noun(1, "is") == "is" and noun(2, "is") == "are"


def test_no_message_in_the_package_says_s_in_parentheses() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        with path.open("rb") as fh:
            for tok in tokenize.tokenize(fh.readline):
                # String text only (f-string pieces too): "show(s)", "error(s)"; not "http(s)".
                if tok.type not in STRINGS or tok.string.startswith('"""'):  # docstrings are not said
                    continue
                said = re.sub(r"\{[^{}]*\}", "", tok.string).replace("http(s)", "")  # f-string fields are code
                if re.search(r"[a-z]\(s\)", said):
                    offenders.append(f"{path.name}:{tok.start[0]}: {tok.string.strip()}")
    assert offenders == []


def test_build_and_check_count_in_words(tmp_path: Path) -> None:
    runner = CliRunner()
    db = tmp_path / "cues.sqlite"
    one = tmp_path / "data"  # one show, so the count says "1 show"
    shutil.copytree(DATA / "soundtrack", one / "soundtrack")
    shutil.copytree(DATA / "catalog", one / "catalog")
    built = runner.invoke(app, ["build", "--from", str(one), "--db", str(db)])
    assert built.exit_code == 0, built.output
    assert "1 show," in built.output and "(s)" not in built.output
    checked = runner.invoke(app, ["check", "--db", str(db)])
    assert "(s)" not in checked.output
    assert not re.search(r"\b1 (errors|warnings|rows|cues|songs)\b", built.output + checked.output)
