"""A deterministic synthetic catalog with realistic titles and artists, and messy queries for it.

    .venv/bin/python -m bench.synthetic --rows 100000 -o catalog.csv [--queries queries.jsonl]

Same seed, same rows: the first 10,000 rows of the million-row catalog are
the 10,000-row catalog, so costs at each size compare like with like.

Vocabulary: title words weighted by how often they occur in Billboard Hot 100
titles, and first and last names from its two-word artist credits, read at
run time from ../shared/data (never copied; the list has no terms of use).
Without it, small built-in word lists stand in. Titles follow the word
frequencies of real titles ("love", "you", "baby" are everywhere), artists
have a few to a few hundred songs each, some titles are covered by another
artist, and some rows carry version words or feat. credits, as real catalogs do.

Queries are messy variants of catalog rows (typos, dropped words,
artist-first, feat. noise, version words, lower case without punctuation),
each with the row it must find, plus songs that are *not* in the catalog
(new titles, a known title by an unknown artist, a known artist with an
unknown title), which must never come out accepted.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from bench import datasets
from cuesheet.notation.normalize import match_key

SEED = 20240611

_BUILTIN_TITLE_WORDS = (
    "love you me baby heart night time girl way home day dance dream fire rain summer blue "
    "eyes little light world life good song sweet tonight forever crazy wild run back down "
    "again never feel hold kiss stay river road city star moon sun young lonely gold shadow "
    "angel devil money party rock roll soul boy woman man high free alone together broken "
    "beautiful heaven street train midnight morning tears smile fool lady stranger memory"
).split()
_BUILTIN_FIRST = ("John Mary James Linda Robert Patricia Michael Susan David Karen Tom Lisa Chris "
                  "Anna Paul Nina Mark Laura Steve Grace Kevin Ruby Marvin Etta Otis Aretha").split()
_BUILTIN_LAST = ("Smith Johnson Brown Taylor Miller Davis Wilson Moore Clark Lewis Walker Hall "
                 "Young King Wright Hill Green Baker Adams Nelson Carter Mitchell Turner Parker").split()
_SMALL = frozenset("the a an and of in on to my me i you your it is be for all do up i'm".split())
_VERSIONS = ("(Live)", "(Remastered 2011)", "(Radio Edit)", "(Acoustic)", "(Demo)",
             "- Live at Wembley", "(Extended Mix)", "(Mono)", "- 2009 Remaster", "(Instrumental)")
_QUERY_VERSIONS = ("live", "(remastered)", "- radio edit", "(acoustic version)", "[2015 remaster]")


@dataclass(frozen=True)
class Vocabulary:
    title_words: list[str]
    title_weights: list[int]
    first_names: list[str]
    last_names: list[str]
    source: str


def vocabulary() -> Vocabulary:
    """Billboard words and names when the file is there, else the built-in lists."""
    songs = datasets.billboard()
    if not songs:
        words = [w.capitalize() for w in _BUILTIN_TITLE_WORDS]
        return Vocabulary(words, [1] * len(words), _BUILTIN_FIRST, _BUILTIN_LAST, "built-in word lists")
    words: Counter[str] = Counter()
    first: Counter[str] = Counter()
    last: Counter[str] = Counter()
    for song, artist in songs:
        for w in re.findall(r"[A-Za-z][a-z']*", song):
            words[w.capitalize()] += 1
        if re.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z]+", artist):
            f, la = artist.split()
            first[f] += 1
            last[la] += 1
    ordered = sorted(words.items(), key=lambda kv: (-kv[1], kv[0]))
    return Vocabulary([w for w, _ in ordered], [n for _, n in ordered], sorted(first), sorted(last),
                      f"Billboard Hot 100 words ({len(words)} title words, {len(first)} first "
                      f"and {len(last)} last names)")


@dataclass(frozen=True)
class Row:
    title: str
    artist: str
    album: str
    year: int
    duration: str  # m:ss

    @property
    def key(self) -> str:
        return match_key(self.title, self.artist)


class Generator:
    """Rows in a fixed order from one seed; artists and titles drawn as a catalog grows."""

    def __init__(self, vocab: Vocabulary, seed: int = SEED) -> None:
        self.v = vocab
        self.rng = random.Random(seed)
        self.cum = []
        total = 0
        for w in vocab.title_weights:
            total += w
            self.cum.append(total)
        self.artists: list[str] = []
        self.recent_titles: list[str] = []

    def words(self, n: int) -> list[str]:
        return self.rng.choices(self.v.title_words, cum_weights=self.cum, k=n)

    def title(self) -> str:
        n = self.rng.choices((1, 2, 3, 4, 5, 6), weights=(18, 30, 25, 15, 8, 4))[0]
        while True:
            words = self.words(n)
            if any(w.lower() not in _SMALL for w in words):  # no title is just "The" or "Of You"
                return " ".join(words)

    def name_word(self) -> str:
        """A word fit for a band name ("The Rolling Stones"): no "The", "You" or "I"."""
        while True:
            w = self.words(1)[0]
            if len(w) >= 4 and w.lower() not in _SMALL:
                return w

    def new_artist(self) -> str:
        r = self.rng.random()
        first, last = self.rng.choice(self.v.first_names), self.rng.choice(self.v.last_names)
        if r < 0.55:
            return f"{first} {last}"
        if r < 0.70:
            return f"The {self.name_word()}s"
        if r < 0.80:
            return f"The {self.name_word()} {self.name_word()}s"
        if r < 0.92:
            return f"{self.name_word()} {self.name_word()}"
        return f"{first} {last} & The {self.name_word()}s"

    def artist(self) -> str:
        # A new act a third of the time; otherwise an existing one, the older ones more
        # often (they have had longer to record), which gives a long tail of one-hit acts.
        if not self.artists or self.rng.random() < 0.33:
            self.artists.append(self.new_artist())
            return self.artists[-1]
        i = int(len(self.artists) * self.rng.random() ** 1.2)
        return self.artists[i]

    def row(self) -> Row:
        artist = self.artist()
        if self.recent_titles and self.rng.random() < 0.04:
            title = self.rng.choice(self.recent_titles)  # a cover of a recent song
        else:
            title = self.title()
            self.recent_titles = (self.recent_titles + [title])[-500:]
        r = self.rng.random()
        if r < 0.06:
            title = f"{title} {self.rng.choice(_VERSIONS)}"
        elif r < 0.09:
            title = f"{title} (feat. {self.new_artist()})"
        elif r < 0.11:
            artist = f"{artist} feat. {self.new_artist()}"
        seconds = self.rng.randint(95, 480)
        return Row(title, artist, " ".join(self.words(self.rng.randint(1, 3))),
                   self.rng.randint(1955, 2024), f"{seconds // 60}:{seconds % 60:02d}")

    def rows(self, n: int) -> Iterator[Row]:
        for _ in range(n):
            yield self.row()


# --- messy queries -------------------------------------------------------------------------

_KEYS_NEAR = dict(zip("abcdefghijklmnopqrstuvwxyz", "sqvsrdfgjhkjnbpolteyibeuta"))


def typo(word: str, rng: random.Random) -> str:
    """One slip of the fingers, never on the first letter (people rarely miss that one)."""
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    if kind == 0:
        return word[:i] + word[i + 1 :]                          # dropped letter
    if kind == 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]  # swapped letters
    if kind == 2:
        return word[:i] + word[i] + word[i:]                     # doubled letter
    near = _KEYS_NEAR.get(word[i].lower(), "e")
    return word[:i] + near + word[i + 1 :]                       # neighbouring key


def _clean_title(title: str) -> str:
    return re.sub(r"\s*(?:\([^)]*\)|- .*)$", "", title).strip() or title


def _main_artist(artist: str) -> str:
    return artist.split(" feat. ")[0]


@dataclass(frozen=True)
class Query:
    text: str
    artist: str | None
    kind: str
    row: int | None  # 0-based catalog row it must find; None for songs not in the catalog
    key: str | None = None  # match_key of that row, so a duplicate row counts as found


def variant(row: Row, index: int, rng: random.Random) -> Query:
    """A messy way a person might type this row."""
    title, artist = _clean_title(row.title), _main_artist(row.artist)
    words = title.split()
    kind = rng.choice(("exact", "typo", "dropped word", "artist first", "feat noise",
                       "version words", "lower no punctuation", "typo + artist first",
                       "given artist"))
    if kind == "typo":
        long = [i for i, w in enumerate(words) if len(w) >= 4]
        if long:
            i = rng.choice(long)
            words[i] = typo(words[i], rng)
        text = f"{' '.join(words)} {artist}"
    elif kind == "dropped word":
        if len(words) >= 3:
            words.pop(rng.randrange(len(words)))
        text = f"{' '.join(words)} - {artist}"
    elif kind == "artist first":
        text = f"{artist} - {title}"
    elif kind == "feat noise":
        text = f"{title} (feat. {rng.choice(('Drake', 'Sia', 'Pitbull', 'Nicki Minaj'))}) - {artist}"
    elif kind == "version words":
        text = f"{title} {rng.choice(_QUERY_VERSIONS)} - {artist}"
    elif kind == "lower no punctuation":
        text = re.sub(r"[^\w\s]", "", f"{title} {artist}").lower()
    elif kind == "typo + artist first":
        long = [i for i, w in enumerate(words) if len(w) >= 4]
        if long:
            i = rng.choice(long)
            words[i] = typo(words[i], rng)
        text = f"{artist} - {' '.join(words)}"
    elif kind == "given artist":
        return Query(title, artist.lower(), kind, index, row.key)
    else:
        text = f"{title} - {artist}"
    return Query(text, None, kind, index, row.key)


def absent(gen: Generator, known: set[str], catalog: list[Row], rng: random.Random) -> Query:
    """A song that is not in the catalog, often sharing a title or an artist with one that is."""
    while True:
        r = rng.random()
        if r < 0.4:
            row = gen.row()
            title, artist, kind = _clean_title(row.title), _main_artist(row.artist), "absent: new song"
        elif r < 0.7:
            title = _clean_title(rng.choice(catalog).title)
            artist, kind = gen.new_artist(), "absent: known title, other artist"
        else:
            artist = _main_artist(rng.choice(catalog).artist)
            title, kind = gen.title(), "absent: known artist, other title"
        if match_key(title, artist) not in known:
            return Query(f"{title} - {artist}", None, kind, None)


def write_catalog(path: Path, rows: int, *, seed: int = SEED, queries: Path | None = None,
                  n_queries: int = 1000, n_absent: int = 300) -> Vocabulary:
    """Write `rows` rows as catalog CSV; optionally queries for them as JSON Lines."""
    vocab = vocabulary()
    gen = Generator(vocab, seed)
    rng = random.Random(seed + 1)
    # Rows to query are picked as they stream by, so the catalog never sits in memory whole.
    picks = set(rng.sample(range(rows), min(n_queries, rows)))
    chosen: list[tuple[int, Row]] = []
    known: set[str] = set()
    sample: list[Row] = []
    with open(path, "w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["title", "artist", "album", "year", "duration"])
        for i, row in enumerate(gen.rows(rows)):
            out.writerow([row.title, row.artist, row.album, row.year, row.duration])
            if queries is not None:
                known.add(row.key)
                if i in picks:
                    chosen.append((i, row))
                if len(sample) < 5000:
                    sample.append(row)
    if queries is not None:
        other = Generator(vocab, seed + 2)
        qs = [variant(row, i, rng) for i, row in chosen]
        qs += [absent(other, known, sample, rng) for _ in range(n_absent)]
        rng.shuffle(qs)
        with open(queries, "w", encoding="utf-8") as handle:
            for q in qs:
                handle.write(json.dumps(asdict(q)) + "\n")
    return vocab


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--queries", type=Path, help="also write messy queries (JSON Lines)")
    args = parser.parse_args()
    vocab = write_catalog(args.output, args.rows, seed=args.seed, queries=args.queries)
    print(f"{args.rows} rows -> {args.output} (vocabulary: {vocab.source})")


if __name__ == "__main__":
    main()
