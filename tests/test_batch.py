"""`identify --from FILE --jobs N`: several processes, the same answers, in input order."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cuesheet.cli import app

runner = CliRunner()


def test_jobs_keep_input_order_and_answers(shipped_db: Path, tmp_path: Path) -> None:
    queries = ["roads portishead", "elastic heart sia", "zzzz qqqq", "baker street", "smile nat king cole",
               "deep in a dream chet baker", "both sides now joni mitchell"] * 5
    path = tmp_path / "q.txt"
    path.write_text("\n".join(queries[:3]) + "\n\n" + "\n".join(queries[3:]) + "\n", encoding="utf-8")
    base = ["identify", "--from", str(path), "--db", str(shipped_db), "--json", "--offline", "--limit", "2"]
    one = runner.invoke(app, base)
    many = runner.invoke(app, base + ["--jobs", "3"])
    assert one.exit_code == 0 and many.exit_code == 0, many.output
    a = [json.loads(line) for line in one.stdout.splitlines()]
    b = [json.loads(line) for line in many.stdout.splitlines()]
    assert [o["query"] for o in b] == queries  # the blank line is skipped, the order kept
    assert [(o["verdict"], [c["title"] for c in o["candidates"]]) for o in b] == \
        [(o["verdict"], [c["title"] for c in o["candidates"]]) for o in a]


def test_jobs_needs_from(shipped_db: Path) -> None:
    result = runner.invoke(app, ["identify", "roads", "--db", str(shipped_db), "--jobs", "2"])
    assert result.exit_code == 2
