"""Migration m090_candidate_probability: each waiting candidate's calibrated probability (#23)."""

from __future__ import annotations

import json
import re
import sqlite3

_STATED = re.compile(r"^probability ([0-9.]+) that this is the song")


def apply(conn: sqlite3.Connection) -> None:
    """`match_candidates.probability`, its own column.

    Bulk review (`review accept --min-probability`) filters on the probability the verdict
    was decided by, not the raw score (a title-alone 0.8 can be a 0.08). Candidates stored
    before this kept it only in their reasons' text; it is read back from there.
    """
    if "probability" not in {r[1] for r in conn.execute("PRAGMA table_info(match_candidates)")}:
        conn.execute("ALTER TABLE match_candidates ADD COLUMN probability REAL")
    rows = conn.execute("SELECT id, reasons FROM match_candidates WHERE reasons LIKE '%probability %'").fetchall()
    for cid, reasons in rows:
        found = [m.group(1) for r in json.loads(reasons or "[]") if (m := _STATED.match(str(r)))]
        if found:
            conn.execute("UPDATE match_candidates SET probability = ? WHERE id = ?", [float(found[0]), cid])
