"""The catalog lookup's word counts (m012) and the rarest-first word pairs it falls back on."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from cuesheet.db.connection import connect
from cuesheet.db.migrations import MIGRATIONS
from cuesheet.matching import identify
from cuesheet.recordings import importer
from cuesheet.recordings.importer import CatalogRow, insert_rows
from cuesheet.sources.catalog import POOL, CatalogSource, candidate_ids, fetch

HEADER = ",".join(importer.CANONICAL_COLUMNS) + "\n"
ARTIST = "8f6bd1e4-fbe1-4f50-aa9b-94c450ec0f11"
REL = "76df3287-6cda-33eb-8e9a-044b5e15ffdd"
COMMON = ["love", "baby", "heart", "night", "dance", "tonight"]


def mbid(n: int) -> str:
    return f"{n:08x}-0000-4000-8000-{n:012x}"


def canonical(rows: list[tuple[int, str, str]]) -> str:
    return HEADER + "".join(f'{n},{n},"{ARTIST}","{artist}",{REL},"Album",{mbid(n)},"{title}",x,1\n'
                            for n, title, artist in rows)


def row(title: str, artist: str) -> CatalogRow:
    return CatalogRow(title, artist, None, None, None, None, None, None)


def filler(n: int) -> list[CatalogRow]:
    """Rows made only of common words, so that every pair of them has far more rows than a pool."""
    out = []
    for i in range(n):
        words = [COMMON[(i + k) % len(COMMON)] for k in range(3)]
        out.append(row(" ".join(words).title(), f"Act {i % 40}"))
    return out


def vocab(conn: sqlite3.Connection) -> dict[str, int]:
    return dict(conn.execute("SELECT term, rows FROM recording_vocab"))


def index_counts(conn: sqlite3.Connection) -> dict[str, int]:
    return dict(conn.execute("SELECT term, doc FROM recording_terms"))


@pytest.fixture
def catalog(tmp_path: Path) -> sqlite3.Connection:
    conn = connect(tmp_path / "cat.sqlite", create=True).conn
    insert_rows(conn, filler(600) + [
        row("Love Baby Zephyrine", "Quillfeather"),
        row("Heart of Marzipan", "Quillfeather"),
        row("Tonight Tonight", "The Lanterns"),
        row("Dance Night Love", "Orsolya Brindle"),
    ])
    return conn


# (query, title and artist of the row it must find first): common words everywhere, noise
# words the catalog lacks, words that make the lookup fall back on pairs.
ANSWERS = [
    ("Love Baby Zephyrine - Quillfeather", ("Love Baby Zephyrine", "Quillfeather")),
    ("Zephyrine (feat. Sia) acoustic version - Quillfeather", ("Love Baby Zephyrine", "Quillfeather")),
    ("love baby zephyrine live at wembley remastered quillfeather", ("Love Baby Zephyrine", "Quillfeather")),
    ("Heart of Marzipan", ("Heart of Marzipan", "Quillfeather")),
    ("Marzipan Heart Quillfeather radio edit demo", ("Heart of Marzipan", "Quillfeather")),
    ("Tonight Tonight - The Lanterns", ("Tonight Tonight", "The Lanterns")),
    ("Dance Night Love - Orsolya Brindle", ("Dance Night Love", "Orsolya Brindle")),
    ("Brindle Orsolya Dance Night Love extended mix", ("Dance Night Love", "Orsolya Brindle")),
]


@pytest.mark.parametrize(("text", "expected"), ANSWERS)
def test_queries_find_the_same_rows(catalog: sqlite3.Connection, text: str, expected: tuple[str, str]) -> None:
    best = identify(text, [CatalogSource(catalog)]).best
    assert best is not None and (best.candidate.title, best.candidate.artist) == expected


def test_word_pairs_are_tried_rarest_first(catalog: sqlite3.Connection) -> None:
    """Every pair of common words holds hundreds of rows; the pair of rare words is asked first
    even though it comes last in the text, so the row is found and the pool stays small."""
    words = ["love", "baby", "heart", "night", "noisea", "noiseb", "zephyrine", "quillfeather"]
    # Typed noise words the catalog lacks would be dropped; rare words of other rows stay.
    extra = [row("Noisea", "Somebody"), row("Noiseb", "Somebody Else")]
    insert_rows(catalog, extra)
    found = fetch(catalog, candidate_ids(catalog, words))
    assert (found[0].title, found[0].artist) == ("Love Baby Zephyrine", "Quillfeather")
    assert len(found) < POOL + 15  # one pair's rows past a pool at most


def test_first_import_counts_every_word(tmp_path: Path) -> None:
    conn = connect(tmp_path / "cat.sqlite", create=True).conn
    path = tmp_path / "canonical_musicbrainz_data.csv"
    path.write_text(canonical([(1, "Glory Box", "Portishead"), (2, "Sour Times", "Portishead"),
                               (3, "Roads", "Portishead"), (4, "Teardrop", "Massive Attack")]))
    importer.import_file(conn, path)
    assert vocab(conn) == index_counts(conn)
    assert vocab(conn)["portishead"] == 3


def test_a_reimport_keeps_the_counts_in_step_with_the_index(tmp_path: Path) -> None:
    conn = connect(tmp_path / "cat.sqlite", create=True).conn
    path = tmp_path / "canonical_musicbrainz_data.csv"
    first = [(n, f"Song {n} Glory", "Portishead") for n in range(1, 41)]
    path.write_text(canonical(first))
    importer.import_file(conn, path)
    # A few new rows and one renamed: counted from the rows the merge writes (not a recount).
    path.write_text(canonical(first[:-1] + [(40, "Song 40 Sour", "Portishead"), (41, "Teardrop", "Massive Attack")]))
    report = importer.import_file(conn, path)
    assert (report.added, report.changed) == (1, 1)
    counts, truth = vocab(conn), index_counts(conn)
    assert set(counts) >= set(truth)
    assert {w: counts[w] for w in ("sour", "teardrop", "massive", "attack")} == \
        {w: truth[w] for w in ("sour", "teardrop", "massive", "attack")}
    assert all(counts[w] >= n for w, n in truth.items())  # the renamed row's old words are not subtracted
    insert_rows(conn, [row("Unfinished Sympathy", "Massive Attack")])
    assert vocab(conn)["massive"] == index_counts(conn)["massive"] == 2


def test_migration_counts_the_words_of_an_old_catalog(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    names = [m.name for m in MIGRATIONS]
    for m in MIGRATIONS[: names.index("m011_recording_vocab") + 1]:
        conn.execute("BEGIN")
        m.apply(conn)
        conn.execute("INSERT INTO _migrations VALUES (?, 'then')", [m.name])
        conn.execute("COMMIT")
    conn.execute("INSERT INTO recordings (id, title, artist, title_key, artist_key, source) VALUES "
                 "(1, 'Glory Box', 'Portishead', 'glory box', 'portishead', 'catalog'), "
                 "(2, 'Roads', 'Portishead', 'roads', 'portishead', 'catalog')")
    conn.execute("INSERT INTO recording_fts (recording_fts) VALUES ('rebuild')")
    conn.execute("INSERT INTO recording_vocab SELECT term FROM recording_terms")
    conn.close()
    upgraded = connect(path).conn
    assert vocab(upgraded) == {"glory": 1, "box": 1, "roads": 1, "portishead": 2}
    best = identify("Roads - Portishead", [CatalogSource(upgraded)]).best
    assert best is not None and best.candidate.title == "Roads"
