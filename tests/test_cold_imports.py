"""A cold `cuesheet what` imports only what answering needs (the viewer's fast path).

Imports sit at the top of files; the two places that load lazily are the command table
(`cuesheet.cli`, one command module per command) and this fast path. A module-level
import added to anything `what` touches shows up here by name, not as a slow start.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

# The cuesheet modules a cold `what` may load: the fast path, what it reads through, and
# the notation and database layers under them.
ALLOWED = ("cuesheet", "cuesheet.cli", "cuesheet.cli.viewing", "cuesheet.cli.cards", "cuesheet.config",
           "cuesheet.errors", "cuesheet.model", "cuesheet.db", "cuesheet.notation", "cuesheet.viewer")
# Third-party packages a cold `what` must not load (the command line, the web, YAML, online sources).
HEAVY = ("typer", "click", "rich", "yaml", "pydantic", "starlette", "jinja2", "uvicorn", "anyio",
         "musicbrainzngs", "spotipy", "requests", "httpx", "sqlite_utils")

CODE = """
import json, sys
sys.argv = ['cuesheet', 'what', 'soundtrack', '3', '--db', sys.argv[1]]
from cuesheet.cli import main
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def _allowed(module: str) -> bool:
    return any(module == a or (a != "cuesheet" and a != "cuesheet.cli" and module.startswith(a + "."))
               for a in ALLOWED)


def test_a_cold_what_imports_only_the_fast_path(shipped_db_file: Path) -> None:
    result = subprocess.run([sys.executable, "-c", CODE, str(shipped_db_file)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "Deep in a Dream" in result.stdout
    loaded = json.loads(result.stderr.strip().splitlines()[-1])
    ours = [m for m in loaded if m == "cuesheet" or m.startswith("cuesheet.")]
    assert [m for m in ours if not _allowed(m)] == []
    assert sorted({m.split(".")[0] for m in loaded} & set(HEAVY)) == []
    # Not one of the writers' modules either: the read path has no reason to load them.
    assert not [m for m in ours if m.startswith(("cuesheet.curation", "cuesheet.recordings",
                                                  "cuesheet.matching", "cuesheet.files"))]
