"""`identify --json` and `catalog search --json` give listen links by the one rule `what` uses."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cuesheet.cli import app
from cuesheet.notation import ids

runner = CliRunner()


def run_json(db: Path, *args: str):  # type: ignore[no-untyped-def]
    result = runner.invoke(app, [*args, "--json", "--db", str(db)])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_candidates_carry_links_by_the_one_rule(shipped_db: Path) -> None:
    found = run_json(shipped_db, "catalog", "search", "elastic heart")
    identified = run_json(shipped_db, "identify", "elastic heart sia", "--offline")["candidates"]
    for candidate in (found[0], identified[0]):
        assert candidate["links"], candidate
        expected = ids.listen_links(candidate["title"], candidate["artist"],
                                    spotify_id=candidate["ids"].get("spotify_id"), mbid=candidate["ids"].get("mbid"))
        assert expected.items() <= candidate["links"].items()
        # A search link when no id is known, never nothing (it was `{}`).
        assert {"spotify", "spotify_search"} & set(candidate["links"])
        assert {"musicbrainz", "musicbrainz_search"} & set(candidate["links"])
