"""Migration m010_canonical: What MusicBrainz's canonical dataset says of a recording beyond title, artist and album."""

from __future__ import annotations

import sqlite3

from cuesheet.db.migrations.schema import run_script


def apply(conn: sqlite3.Connection) -> None:
    """What MusicBrainz's canonical dataset says of a recording beyond title, artist and album.

    `artist_mbids` (comma-separated, in credit order), `release_mbid` (the
    canonical release; its name is `album`) and `mb_score`, MetaBrainz's order of
    canonical releases: *lower* is more canonical (their mapping keeps, for each
    artist+title, the row with the smallest score). The recording MBID is `mbid`.
    """
    run_script(
        conn,
        """
ALTER TABLE recordings ADD COLUMN artist_mbids TEXT;
ALTER TABLE recordings ADD COLUMN release_mbid TEXT;
ALTER TABLE recordings ADD COLUMN mb_score INTEGER;
""",
    )
