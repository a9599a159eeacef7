"""Messy song text against a real chart catalog: how often `identify` is right, and sure.

    .venv/bin/python -m bench.messy_queries [--per-kind 200] [--mb20k 2000] [--errors 5]

The catalog is the Billboard Hot 100 list (32k songs, read at run time from
../shared/data, never copied), imported into `bench/out/messy.db`. A fixed
share of its songs is held out, so "a new title" is really absent. Queries
are generated with a fixed seed, one kind at a time, the way people paste
and type songs (see `KINDS`); every query knows the song it names (its
`match_key`) or that it names none.

Targets are split in two by a hash of their key: `split="test"` (this report)
and `split="train"` (what `bench/calibrate.py` fits the verdict model on), so
the model is never scored on the songs it was fitted to.

MusicBrainz 20K as queries: one record per cluster is the catalog
(`bench/out/mb20k_one.db`), the other records of the cluster, written as
"artist - title" the way the file has them, are the queries.

Reported per kind: top-1 (the right song first), accepted (share of queries
accepted), precision of the accepted, and for absent songs the false accepts.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cuesheet.notation.normalize import fold, match_key, split_artists

from bench import datasets
from bench.datasets import ROOT
from cuesheet.db.connection import connect
from cuesheet.db.transactions import transaction

SEED = 20261201
OUT = ROOT / "bench" / "out"
# Share of the chart's songs kept out of the catalog: their titles are "new".
HELD_OUT = 0.03

PRESENT_KINDS = ("exact", "noise", "truncated", "missing_words", "artist_first", "title_alone",
                 "typo", "phonetic", "feat", "lower", "cut_title", "cut_artist", "surname_first")
# The kinds `bench/calibrate.py` fits on; the others (cut-off text, surname-first names) are
# kinds the model never saw, reported to show it generalises.
FIT_KINDS = ("exact", "noise", "truncated", "missing_words", "artist_first", "title_alone",
             "typo", "phonetic", "feat", "lower")
ABSENT_KINDS = ("absent_artist", "absent_title")
KINDS = PRESENT_KINDS + ABSENT_KINDS


@dataclass(frozen=True)
class Query:
    kind: str
    text: str
    target: str | None  # match_key of the song it names; None when absent from the catalog


@dataclass(frozen=True)
class Song:
    title: str
    artist: str

    @property
    def key(self) -> str:
        return match_key(self.title, self.artist)


def split_of(key: str) -> str:
    """train or test, fixed by the song, so no song is in both."""
    return "train" if hashlib.sha1(key.encode()).digest()[0] % 2 else "test"


def chart_songs() -> tuple[list[Song], list[Song]]:
    """(catalog, held out): chart songs, one per key, the held-out ones with titles found nowhere else."""
    rows = datasets.billboard()
    if not rows:
        datasets.skip(datasets.BILLBOARD)
    songs = list({Song(t, a).key: Song(t, a) for t, a in rows}.values())
    rng = random.Random(SEED)
    held_idx = set(rng.sample(range(len(songs)), int(len(songs) * HELD_OUT)))
    catalog = [s for i, s in enumerate(songs) if i not in held_idx]
    titles = Counter(_title_key(s.title) for s in catalog)
    held = [s for i, s in enumerate(songs) if i in held_idx and not titles[_title_key(s.title)]]
    return catalog, held


def _title_key(title: str) -> str:
    return match_key(title, "").split("|")[0]


def build_catalog(path: Path, songs: Iterable[tuple[str, str, str | None, int | None, int | None]]) -> None:
    """A fresh catalog database holding these (title, artist, album, year, duration_ms) rows."""
    from cuesheet.recordings.importer import CatalogRow, insert_rows

    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    conn = connect(path, create=True).conn
    with transaction(conn):
        insert_rows(conn, [CatalogRow(t, a, al, y, d, None, None, None) for t, a, al, y, d in songs])
    conn.close()


# --- the kinds of text -------------------------------------------------------------------

_NOISE = (
    "{a} - {t} lyrics (Official Video)", "{t} remastered {y} - {a}", "{tl} {al} live {y}",
    "{a} - {t} [Official Music Video] HD", "{a} - {t} (Audio)", "{t} - {a} (Visualizer)",
    "{a} - {t} (Explicit)", "{a} - {t} (Lyric Video) 4K", "{a} - {t} (Official Audio) [HQ]",
    "{t} ({a}) music video", "{a} - {t} - Remastered {y}", "{tl} {al} mono",
)
_PHONETIC = (("ph", "f"), ("ck", "k"), ("ca", "ka"), ("co", "ko"), ("ee", "ea"), ("ea", "ee"),
             ("ou", "u"), ("you", "u"), ("y", "ie"), ("ie", "y"), ("s ", "z "), ("er", "a"),
             ("ing", "in"), ("th", "d"), ("ight", "ite"), ("c", "k"), ("x", "ks"), ("oo", "u"))
_KEYBOARD = dict(zip("qwertyuiopasdfghjklzxcvbnm", "wqrtyuiopoadsgfhjklkxzvcnbm"))


def _plain(text: str) -> str:
    """Lower case without punctuation, as people type in a hurry."""
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def _typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)
    how = rng.choice(("swap", "drop", "double", "key"))
    if how == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if how == "drop":
        return word[:i] + word[i + 1:]
    if how == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i] + _KEYBOARD.get(word[i].lower(), word[i]) + word[i + 1:]


def _spoil_one_word(text: str, rng: random.Random, spoil) -> str | None:  # type: ignore[no-untyped-def]
    words = text.split()
    long = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not long:
        return None
    i = rng.choice(long)
    changed = spoil(words[i], rng)
    if changed is None or changed.lower() == words[i].lower():
        return None
    words[i] = changed
    return " ".join(words)


def _phonetic(word: str, rng: random.Random) -> str | None:
    lowered = word.lower() + " "
    options = [(a, b) for a, b in _PHONETIC if a in lowered]
    if not options:
        return None
    a, b = rng.choice(options)
    return lowered.replace(a, b, 1).strip()


def surname_first(artist: str, rng: random.Random) -> str | None:
    """"John Denver" as a library card writes it: "Denver John" or "Denver, John"; None for
    credits that are not one person's name (bands with "The", several names, one word)."""
    words = artist.split()
    if not 2 <= len(words) <= 3 or fold(words[0]) == "the" or len(split_artists(artist).main) > 1 \
            or any(not w[0].isalpha() for w in words):
        return None
    return rng.choice(("{l} {f}", "{l}, {f}")).format(l=words[-1], f=" ".join(words[:-1]))


def make_query(kind: str, song: Song, rng: random.Random, others: list[Song]) -> str | None:
    """One query of `kind` for `song`, or None when the song does not lend itself to it."""
    t, a = song.title, song.artist
    if kind == "exact":
        return rng.choice(("{a} - {t}", "{t} - {a}", "{t} by {a}")).format(a=a, t=t)
    if kind == "noise":
        return rng.choice(_NOISE).format(a=a, t=t, tl=_plain(t), al=_plain(a), y=rng.randrange(1990, 2024))
    if kind == "truncated":
        words = t.split()
        if len(words[-1]) < 4 or not words[-1].isalpha():
            return None
        words[-1] = words[-1][: rng.randrange(2, len(words[-1]))]
        return f"{a} - {' '.join(words)}"
    if kind == "missing_words":
        words = t.split()
        if len(words) < 4:
            return None
        cut = " ".join(words[: len(words) - rng.choice((1, 2))])
        return rng.choice((f"{cut} - {a}", f"{_plain(cut)} {_plain(a)}"))
    if kind == "artist_first":
        return f"{a} {t}"
    if kind == "title_alone":
        return t
    if kind == "typo":
        return _spoil_one_word(f"{a} - {t}", rng, _typo)
    if kind == "phonetic":
        return _spoil_one_word(f"{_plain(t)} {_plain(a)}", rng, _phonetic)
    if kind == "feat":
        other = rng.choice(others)
        if fold(other.artist) == fold(a) or split_artists(a).featured:
            return None
        return rng.choice(("{t} (feat. {o}) - {a}", "{a} feat. {o} - {t}", "{a} ft. {o} {t}")).format(
            t=t, a=a, o=split_artists(other.artist).main[0] if split_artists(other.artist).main else other.artist)
    if kind == "lower":
        return rng.choice(("{t} {a}", "{a} {t}")).format(t=_plain(t), a=_plain(a))
    if kind in ("cut_title", "cut_artist"):
        # Cut mid-word, as a field limited to 20 characters or a paste stopped short does.
        cut = 20 if len(t) > 22 and rng.random() < 0.5 else len(t) - rng.randrange(2, 6)
        if cut < 8 or not (t[cut - 1].isalpha() and t[cut].isalpha()) or len(t[:cut].split()) < 2:
            return None
        return t[:cut] if kind == "cut_title" else rng.choice(("{a} - {c}", "{c} - {a}")).format(a=a, c=t[:cut])
    if kind == "surname_first":
        who = surname_first(a, rng)
        return rng.choice(("{t} - {w}", "{w} - {t}")).format(t=t, w=who) if who else None
    raise ValueError(kind)


def queries(catalog: list[Song], held: list[Song], *, split: str, per_kind: int, seed: int = SEED) -> list[Query]:
    """`per_kind` queries of every kind for the songs of one split."""
    rng = random.Random(f"{seed}:{split}")
    pool = [s for s in catalog if split_of(s.key) == split]
    title_count = Counter(_title_key(s.title) for s in catalog)
    out: list[Query] = []
    for kind in PRESENT_KINDS:
        made = 0
        for song in rng.sample(pool, len(pool)):
            if made >= per_kind:
                break
            if kind in ("title_alone", "cut_title") and title_count[_title_key(song.title)] != 1:
                continue
            text = make_query(kind, song, rng, catalog)
            if text:
                out.append(Query(kind, text, song.key))
                made += 1
    by_artist: dict[str, set[str]] = defaultdict(set)
    for s in catalog:
        by_artist[_lead(s.artist)].add(_title_key(s.title))
    artists = sorted({s.artist for s in catalog})
    made = 0
    for song in rng.sample(pool, len(pool)):
        if made >= per_kind:
            break
        other = rng.choice(artists)
        if _title_key(song.title) in by_artist[_lead(other)] or _lead(other) == _lead(song.artist):
            continue
        out.append(Query("absent_artist", rng.choice(("{a} - {t}", "{t} {a}")).format(
            a=other, t=song.title if rng.random() < 0.5 else _plain(song.title)), None))
        made += 1
    held_split = [s for s in held if split_of(s.key) == split]
    for song in rng.sample(held_split, min(per_kind, len(held_split))):
        form = rng.choice(("{a} - {t}", "{t} {a}", "{t}"))
        out.append(Query("absent_title", form.format(a=song.artist, t=song.title), None))
    return out


def _lead(artist: str) -> str:
    main = split_artists(artist).main
    return fold(main[0]) if main else fold(artist)


# --- MusicBrainz 20K records as queries ------------------------------------------------------


def mb20k_catalog_and_queries(limit: int, split: str = "test") -> tuple[list[tuple], list[Query]]:
    """One record per cluster as the catalog rows; the others, as text, the queries."""
    from bench.mb20k import _TRACK_NO, _unsquash, _value, parse

    raw = datasets.mb20k()
    clusters: dict[int, list] = defaultdict(list)
    for r in raw:
        clusters[r.cluster].append(r)
    rows, out = [], []
    for cluster, members in sorted(clusters.items()):
        # The catalog keeps the most complete record, as a curated catalog would.
        members.sort(key=lambda r: (-bool(_value(r.artist)), -len(r.album or ""), r.id))
        head = parse(members[0]).primary
        rec = parse(members[0])
        key = f"mb:{cluster}"
        rows.append((head.title, head.artist or "", head.album, rec.year, rec.duration_ms, key))
        if split_of(key) != split:
            continue
        for r in members[1:]:
            title = _unsquash(_TRACK_NO.sub("", r.title.strip()))
            artist = _value(r.artist)
            if not title.strip():
                continue
            out.append(Query("mb20k", f"{artist} - {title}" if artist else title, key))
    rng = random.Random(f"{SEED}:mb20k:{split}")
    return rows, rng.sample(out, min(limit, len(out)))


# --- running ---------------------------------------------------------------------------------


@dataclass
class Outcome:
    query: Query
    verdict: str
    top_key: str | None
    score: float
    probability: float | None
    seconds: float
    features: dict[str, float] | None = None

    @property
    def top1(self) -> bool:
        return self.query.target is not None and self.top_key == self.query.target

    @property
    def accepted(self) -> bool:
        return self.verdict == "accepted"


def run(db_path: Path, qs: list[Query], key_of=None) -> list[Outcome]:  # type: ignore[no-untyped-def]
    """Identify every query against the catalog as the CLI does (catalog source only)."""
    from cuesheet.matching import identify
    from cuesheet.sources.catalog import CatalogSource

    conn = connect(db_path, readonly=True).conn
    source = CatalogSource(conn)
    key_of = key_of or (lambda c: match_key(c.title, c.artist))
    out = []
    for q in qs:
        start = time.perf_counter()
        ident = identify(q.text, [source], mashups=False)
        seconds = time.perf_counter() - start
        best = ident.best
        out.append(Outcome(q, ident.verdict, key_of(best.candidate) if best else None,
                           best.score if best else 0.0, getattr(best, "probability", None) if best else None,
                           seconds, getattr(ident, "features", None)))
    conn.close()
    return out


def report(outcomes: list[Outcome], title: str, errors: int = 0) -> dict[str, dict[str, float]]:
    by_kind: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_kind[o.query.kind].append(o)
    print(f"\n{title}")
    print(f"{'kind':<15} {'n':>5} {'top-1':>7} {'accepted':>9} {'precision':>10} {'false acc':>10}")
    table: dict[str, dict[str, float]] = {}

    def line(name: str, group: list[Outcome]) -> None:
        n = len(group)
        present = [o for o in group if o.query.target is not None]
        absent = [o for o in group if o.query.target is None]
        acc = [o for o in present if o.accepted]
        row = {"n": n}
        if present:
            row["top1"] = sum(o.top1 for o in present) / len(present)
            row["accepted"] = len(acc) / len(present)
            row["precision"] = sum(o.top1 for o in acc) / len(acc) if acc else 1.0
        if absent:
            row["false_accepts"] = sum(o.accepted for o in absent) / len(absent)
        table[name] = row
        fmt = lambda k: f"{row[k]:.3f}" if k in row else "-"  # noqa: E731
        print(f"{name:<15} {n:>5} {fmt('top1'):>7} {fmt('accepted'):>9} {fmt('precision'):>10} "
              f"{fmt('false_accepts'):>10}")

    for kind in [k for k in KINDS if k in by_kind] + [k for k in by_kind if k not in KINDS]:
        line(kind, by_kind[kind])
    if len(by_kind) > 1:
        line("all", outcomes)
    times = sorted(o.seconds for o in outcomes)
    print(f"latency: p50 {times[len(times) // 2] * 1000:.1f} ms, p95 {times[int(len(times) * 0.95)] * 1000:.1f} ms")
    if errors:
        wrong = [o for o in outcomes if (o.accepted and not o.top1) or (o.query.target and not o.top1)]
        for o in wrong[:errors * 4]:
            tag = "FALSE ACCEPT" if o.accepted else "miss"
            print(f"  {tag:<12} [{o.query.kind}] {o.query.text!r} -> {o.top_key} ({o.score:.3f})")
        for kind in by_kind:
            doubt = [o for o in by_kind[kind] if o.top1 and not o.accepted][:errors]
            for o in doubt:
                print(f"  review       [{kind}] {o.query.text!r} -> {o.top_key} ({o.score:.3f}, p={o.probability})")
    return table


def _migrate(path: Path) -> None:
    """A database kept from an earlier run gains the migrations added since."""

    connect(path).conn.close()


def messy_db() -> tuple[Path, list[Song], list[Song]]:
    catalog, held = chart_songs()
    path = OUT / "messy.db"
    stamp = OUT / "messy.db.rows"
    if not path.exists() or not stamp.exists() or stamp.read_text() != str(len(catalog)):
        build_catalog(path, ((s.title, s.artist, None, None, None) for s in catalog))
        stamp.write_text(str(len(catalog)))
    _migrate(path)
    return path, catalog, held


def mb20k_db(limit: int, split: str = "test") -> tuple[Path, list[Query], dict[tuple[str, str], str]]:
    rows, qs = mb20k_catalog_and_queries(limit, split)
    path = OUT / "mb20k_one.db"
    stamp = OUT / "mb20k_one.db.rows"
    if not path.exists() or not stamp.exists() or stamp.read_text() != str(len(rows)):
        build_catalog(path, (r[:5] for r in rows))
        stamp.write_text(str(len(rows)))
    _migrate(path)
    keys = {(r[0], r[1]): r[5] for r in rows}
    return path, qs, keys


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-kind", type=int, default=200)
    parser.add_argument("--mb20k", type=int, default=2000, help="MB20K queries (0: skip)")
    parser.add_argument("--errors", type=int, default=0, help="misses and reviews to list per kind")
    parser.add_argument("--split", default="test", choices=("test", "train"))
    args = parser.parse_args(argv)
    path, catalog, held = messy_db()
    qs = queries(catalog, held, split=args.split, per_kind=args.per_kind)
    print(f"catalog: {len(catalog)} chart songs ({len(held)} held out); {len(qs)} queries, split {args.split}")
    report(run(path, qs), "messy queries (Billboard catalog)", args.errors)
    if args.mb20k and datasets.find(datasets.MB20K):
        mpath, mqs, keys = mb20k_db(args.mb20k, args.split)
        outcomes = run(mpath, mqs, key_of=lambda c: keys.get((c.title, c.artist)))
        report(outcomes, "MusicBrainz 20K records as queries (one record per cluster)", args.errors)


if __name__ == "__main__":
    sys.exit(main())
