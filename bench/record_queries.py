"""Records from other databases as text, and real pairs other people matched: more generators.

    .venv/bin/python -m bench.record_queries [--limit 1500] [--errors 5] [--split test]

`bench/messy_queries.py` writes text the way people type it; these generators take text
other people and other databases wrote, each against a catalog built from its own data
set (read at run time from ../shared/data, never copied):

* **records as text** (`mb20k`, `songs`): MusicBrainz 20K and the Magellan Songs set, one
  record per cluster as the catalog row (with its album, year and length), the cluster's
  other records written as text in the forms exports and file names use (`RECORD_KINDS`):
  `Title (Album) - Artist`, `Title - Artist - Album`, surname-first artists (`Denver John`,
  `Houston, Whitney`), a track number in front, a typo, or plain `Artist - Title`. A share of
  clusters is held out of the catalog: their records are songs that are **absent**.
* **spotify claims** (`spotify`): the Drag Race franchise's lip-sync songs as the shows
  credit them (`../shared/data/dragrace/spotify-claims.csv`), against a catalog of the
  Spotify tracks a public data set matched to them (remasters, radio edits, compilations,
  aliases, a few karaoke covers) plus the Billboard chart list as distractors. Right means
  the same song as the credited one or the claimed track (`normalize.match_key`).
* **iTunes-Amazon** (`itunes`): the iTunes side of each matching pair as text against a
  catalog of every Amazon record of the set.

Every generator is split train/test by a hash of the song (cluster), as the messy queries
are; `bench/calibrate.py` fits on some generators and reports on the others.
"""

from __future__ import annotations

import argparse
import csv
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cuesheet.notation.normalize import fold

from bench import datasets
from bench.messy_queries import (
    OUT,
    SEED,
    Outcome,
    Query,
    _typo,
    build_catalog,
    report,
    run,
    split_of,
    surname_first,
)

RECORD_KINDS = ("record_plain", "title_album", "title_artist_album", "surname_first", "track_number",
                "record_edit")
HELD_OUT = 0.05
SPOTIFY_CLAIMS = Path("dragrace") / "spotify-claims.csv"


@dataclass(frozen=True)
class Row:
    """A record's fields as a person would read them off the file."""

    title: str
    artist: str
    album: str | None
    year: int | None
    duration_ms: int | None
    key: str


def render(kind: str, row: Row, rng: random.Random) -> str | None:
    """One record written as text of `kind`, or None when the record does not lend itself."""
    t, a, al = row.title, row.artist, row.album
    if not t.strip():
        return None
    if kind == "record_plain":
        return rng.choice(("{a} - {t}", "{t} - {a}")).format(a=a, t=t) if a else t
    if kind == "title_album":
        return f"{t} ({al}) - {a}" if al and a and fold(al) != fold(t) else None
    if kind == "title_artist_album":
        if not (al and a) or fold(al) == fold(t):
            return None
        return rng.choice(("{t} - {a} - {al}", "{a} - {t} - {al}")).format(t=t, a=a, al=al)
    if kind == "surname_first":
        who = surname_first(a, rng) if a else None
        return rng.choice(("{t} - {w}", "{w} - {t}")).format(t=t, w=who) if who else None
    if kind == "track_number":
        n = rng.randrange(1, 20)
        return rng.choice(("{n:02d} - {t} - {a}", "{n:02d}. {a} - {t}", "{n} - {a} - {t}")).format(
            n=n, t=t, a=a) if a else None
    if kind == "record_edit":
        text = f"{t} ({al}) - {a}" if al and a and rng.random() < 0.5 else f"{a} - {t}" if a else t
        words = text.split()
        long = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
        if not long:
            return None
        i = rng.choice(long)
        words[i] = _typo(words[i], rng)
        return " ".join(words)
    raise ValueError(kind)


def _clusters(source: str) -> dict[str, list[Row]]:
    """The records of each cluster as rows, the most complete first (the one a catalog keeps)."""
    out: dict[str, list[Row]] = defaultdict(list)
    if source == "mb20k":
        from bench.mb20k import parse

        for r in datasets.mb20k():
            rec = parse(r)
            head = rec.primary
            out[f"mb:{r.cluster}"].append(Row(head.title, head.artist or "", head.album, rec.year,
                                              rec.duration_ms, f"mb:{r.cluster}"))
    else:
        for s in datasets.songs():
            out[f"songs:{s.cluster}"].append(Row(s.title, s.artist, s.release or None, s.year,
                                                 int(s.duration * 1000) if s.duration else None,
                                                 f"songs:{s.cluster}"))
    for rows in out.values():
        rows.sort(key=lambda r: (-bool(r.artist), -len(r.album or ""), -bool(r.year)))
    return out


def records_as_text(source: str, split: str, limit: int,
                    kinds: tuple[str, ...] = RECORD_KINDS) -> tuple[Path, list[Query], Callable]:  # type: ignore[type-arg]
    """(catalog database, queries, key_of) for records of `source` written as text."""
    clusters = _clusters(source)
    rng = random.Random(f"{SEED}:{source}:held")
    keys = sorted(clusters)
    held = set(rng.sample(keys, int(len(keys) * HELD_OUT)))
    catalog = [clusters[k][0] for k in keys if k not in held]
    titles = {fold(r.title) for r in catalog}
    path = OUT / f"records_{source}.db"
    stamp = OUT / f"records_{source}.db.rows"
    if not path.exists() or not stamp.exists() or stamp.read_text() != str(len(catalog)):
        build_catalog(path, ((r.title, r.artist, r.album, r.year, r.duration_ms) for r in catalog))
        stamp.write_text(str(len(catalog)))
    by_text = {}
    for r in catalog:
        by_text.setdefault((r.title, r.artist), r.key)
    rng = random.Random(f"{SEED}:{source}:{split}")
    out: list[Query] = []
    per_kind = max(1, limit // len(kinds))
    for kind in kinds:
        made = 0
        for key in rng.sample(keys, len(keys)):
            if made >= per_kind:
                break
            if split_of(key) != split or len(clusters[key]) < 2 and key not in held:
                continue
            member = clusters[key][0] if key in held else rng.choice(clusters[key][1:])
            if key in held and fold(member.title) in titles:
                continue  # a held-out title the catalog has under another act is not "absent"
            text = render(kind, member, rng)
            if text:
                out.append(Query(kind, text, None if key in held else key))
                made += 1
    return path, out, lambda c: by_text.get((c.title, c.artist))


def spotify_claims(split: str) -> tuple[Path, list[Query], Callable] | None:  # type: ignore[type-arg]
    """(catalog, queries, key_of) for the lip-sync songs as credited vs the claimed Spotify tracks."""
    found = datasets.find(str(SPOTIFY_CLAIMS))
    if found is None:
        return None
    with open(found, encoding="utf-8", newline="") as handle:
        claims = list(csv.DictReader(handle))
    tracks = {c["spotify_track_id"]: c for c in claims}
    rows = [(c["spotify_title"], c["spotify_artist"], c["spotify_album"] or None,
             int(c["album_release_date"][:4]) if c["album_release_date"][:4].isdigit() else None,
             int(c["duration_ms"]) if c["duration_ms"].isdigit() else None) for c in tracks.values()]
    # The chart songs besides, as distractors; not the claimed songs again (two rows of one song
    # are two takes to the matcher, and would only test the two-takes rule).
    claimed = {song_key(r[0], r[1]) for r in rows} | {song_key(c["song_title"], c["artist"]) for c in claims}
    chart = list({song_key(t, a): (t, a, None, None, None) for t, a in datasets.billboard()
                  if song_key(t, a) not in claimed}.values())
    path = OUT / "spotify_claims.db"
    stamp = OUT / "spotify_claims.db.rows"
    if not path.exists() or not stamp.exists() or stamp.read_text() != str(len(rows) + len(chart)):
        build_catalog(path, rows + chart)
        stamp.write_text(str(len(rows) + len(chart)))
    # The credited song and the claimed track are one answer: either is right.
    alias: dict[str, str] = {}
    out = []
    for c in claims:
        target = song_key(c["spotify_title"], c["spotify_artist"])
        alias[song_key(c["song_title"], c["artist"] or c["spotify_artist"])] = target
        if split_of(target) != split:
            continue
        text = f"{c['song_title']} - {c['artist']}" if c["artist"] else c["song_title"]
        out.append(Query("spotify_claim", text, target))
    unique = list({q.text: q for q in out}.values())
    return path, unique, lambda c: alias.get(song_key(c.title, c.artist), song_key(c.title, c.artist))


def song_key(title: str, artist: str) -> str:
    """Same song by the same lead act (a featured or second credit left out: "Bang Bang" by
    "Jessie J, Ariana Grande & Nicki Minaj" is Jessie J's)."""
    from cuesheet.matching.readings import title_parts
    from cuesheet.matching.score import lead_artist

    return title_parts(title)[0].replace(" ", "") + "|" + lead_artist(artist).replace(" ", "")


def itunes(split: str) -> tuple[Path, list[Query], Callable] | None:  # type: ignore[type-arg]
    """(catalog, queries, key_of): the iTunes side of matching pairs against every Amazon record."""
    if not datasets.find(datasets.ITUNES_AMAZON):
        return None
    from bench.itunes_amazon import Song

    pairs = datasets.itunes_amazon()
    right = {}
    for p in pairs:
        s = Song.of(p.right)
        right.setdefault((s.title, s.artist, s.album), s)
    path = OUT / "itunes_amazon.db"
    stamp = OUT / "itunes_amazon.db.rows"
    if not path.exists() or not stamp.exists() or stamp.read_text() != str(len(right)):
        build_catalog(path, ((s.title, s.artist, s.album or None, s.year, s.duration_ms) for s in right.values()))
        stamp.write_text(str(len(right)))
    keys = {(t, a): f"ia:{i}" for i, (t, a, _al) in enumerate(right)}
    out = []
    rng = random.Random(f"{SEED}:itunes:{split}")
    for p in pairs:
        if not p.label:
            continue
        left, target = Song.of(p.left), Song.of(p.right)
        key = keys[(target.title, target.artist)]
        if split_of(key) != split:
            continue
        form = rng.choice(("{a} - {t}", "{t} - {a}", "{t} ({al}) - {a}"))
        out.append(Query("itunes_pair", form.format(a=left.artist, t=left.title, al=left.album), key))
    return path, out, lambda c: keys.get((c.title, c.artist))


def outcomes(generator: str, split: str, limit: int) -> list[Outcome]:
    """Every query of one generator identified against its catalog ([] when its data is absent)."""
    if generator in ("mb20k", "songs"):
        name = datasets.MB20K if generator == "mb20k" else datasets.SONGS
        if not datasets.find(name):
            return []
        path, qs, key_of = records_as_text(generator, split, limit)
    else:
        made = spotify_claims(split) if generator == "spotify" else itunes(split)
        if made is None:
            return []
        path, qs, key_of = made
        qs = qs[:limit]
    return run(path, qs, key_of=key_of)


GENERATORS = ("mb20k", "songs", "spotify", "itunes")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=1500, help="queries per generator")
    parser.add_argument("--errors", type=int, default=0)
    parser.add_argument("--split", default="test", choices=("test", "train"))
    parser.add_argument("--only", default=",".join(GENERATORS))
    args = parser.parse_args(argv)
    for generator in args.only.split(","):
        found = outcomes(generator, args.split, args.limit)
        if found:
            report(found, f"{generator} ({args.split} half)", args.errors)


if __name__ == "__main__":
    main()
