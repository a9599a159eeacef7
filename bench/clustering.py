"""Cluster song records with the matcher: block with the catalog index, score pairs, link.

Shared by the MusicBrainz 20K and Magellan Songs benchmarks:

1. every record goes into a fresh catalog database (`cuesheet.recordings.importer.insert_rows`,
   so the word index is the one `identify` uses);
2. blocking: for each record, `CatalogSource.search` with its title and artist
   words returns the `pool` nearest rows: those are the only pairs scored;
3. each pair is scored with `cuesheet.matching.score_record`, both ways round and
   over every reading of both records (a dataset's parser may read "A - B" as
   artist-title or title-album); the best counts;
4. pairs at or above a threshold are linked, either into plain connected
   components or with a check: two clusters merge only when the mean score
   over all their cross pairs is at least `Weights.review` (the matcher's
   "could be the same" line), so one good link cannot chain two clearly
   different songs together.
"""

from __future__ import annotations

import sqlite3
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench import metrics
from cuesheet.db.connection import connect
from cuesheet.db.transactions import transaction
from cuesheet.matching import DEFAULT_WEIGHTS, Weights, score_record
from cuesheet.recordings.importer import CatalogRow, insert_rows
from cuesheet.sources import Candidate, SongQuery
from cuesheet.sources.catalog import CatalogSource


@dataclass(frozen=True)
class Reading:
    """One way to read a record's text: which part is title, artist, album."""

    title: str
    artist: str | None
    album: str | None = None


@dataclass(frozen=True)
class Record:
    id: int
    gold: int
    readings: tuple[Reading, ...]  # the first goes into the catalog
    duration_ms: int | None = None
    year: int | None = None
    raw: str = ""  # the record as the file has it, for error listings

    @property
    def primary(self) -> Reading:
        return self.readings[0]


@dataclass
class Scores:
    """Pair scores, computed once and cached (the checked merge asks for more pairs)."""

    records: dict[int, Record]
    weights: Weights = DEFAULT_WEIGHTS
    use_duration: bool = True
    use_year: bool = True
    use_album: bool = True
    cache: dict[tuple[int, int], float] = field(default_factory=dict)
    calls: int = 0

    def __call__(self, a: int, b: int) -> float:
        key = (a, b) if a < b else (b, a)
        found = self.cache.get(key)
        if found is None:
            found = self.cache[key] = self._score(self.records[key[0]], self.records[key[1]])
        return found

    def _candidate(self, r: Record, reading: Reading) -> Candidate:
        return Candidate(
            title=reading.title, artist=reading.artist or "", source="bench",
            album=reading.album if self.use_album else None,
            year=r.year if self.use_year else None,
            duration_ms=r.duration_ms if self.use_duration else None,
        )

    def _one_way(self, q: Record, qr: Reading, c: Record, cr: Reading) -> float:
        self.calls += 1
        return score_record(
            qr.title, qr.artist, self._candidate(c, cr),
            duration_ms=q.duration_ms if self.use_duration else None,
            album=qr.album if self.use_album else None,
            year=q.year if self.use_year else None, weights=self.weights,
        ).score

    def _score(self, a: Record, b: Record) -> float:
        best = 0.0
        for ar in a.readings:
            for br in b.readings:
                best = max(best, self._one_way(a, ar, b, br), self._one_way(b, br, a, ar))
        return best

    def explain(self, a: Record, b: Record) -> list[str]:
        """The reasons of the best-scoring way round, for error listings."""
        best = None
        for ar in a.readings:
            for br in b.readings:
                for q, qr, c, cr in ((a, ar, b, br), (b, br, a, ar)):
                    s = score_record(qr.title, qr.artist, self._candidate(c, cr),
                                     duration_ms=q.duration_ms if self.use_duration else None,
                                     album=qr.album if self.use_album else None,
                                     year=q.year if self.use_year else None, weights=self.weights)
                    if best is None or s.score > best.score:
                        best = s
        return best.reasons if best else []


# --- catalog and blocking -------------------------------------------------------------------


def build_catalog(records: Sequence[Record], path: Path) -> tuple[sqlite3.Connection, dict[int, list[int]]]:
    """A fresh catalog of the records' primary readings; recording id -> record ids.

    Records whose every field folds the same share a row (the import
    de-duplicates them), so one recording may stand for several records.
    """
    conn = connect(path, create=True).conn
    rows = [CatalogRow(title=r.primary.title, artist=r.primary.artist or "", album=r.primary.album,
                       year=r.year, duration_ms=r.duration_ms, isrc=None, mbid=None, spotify_id=None)
            for r in records]
    with transaction(conn):
        insert_rows(conn, rows, source="bench")
    by_key = dict(conn.execute("SELECT row_key, id FROM recordings"))
    owners: dict[int, list[int]] = defaultdict(list)
    for r, row in zip(records, rows, strict=True):
        owners[by_key[row.row_key]].append(r.id)
    return conn, dict(owners)


def block(conn: sqlite3.Connection, records: Sequence[Record], owners: dict[int, list[int]],
          pool: int) -> set[tuple[int, int]]:
    """Pairs (a < b) of records that the catalog index puts near each other."""
    source = CatalogSource(conn, pool=pool)
    pairs: set[tuple[int, int]] = set()
    for ids in owners.values():  # records sharing a row are certainly candidates
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                pairs.add((min(a, b), max(a, b)))
    for r in records:
        for reading in r.readings[:1]:
            for cand in source.search(SongQuery(title=reading.title, artist=reading.artist), limit=pool):
                for other in owners.get(cand.recording_id or -1, ()):
                    if other != r.id:
                        pairs.add((min(r.id, other), max(r.id, other)))
    return pairs


# --- linking ----------------------------------------------------------------------------------


class UnionFind:
    def __init__(self, items: Iterable[int]) -> None:
        self.parent = {i: i for i in items}
        self.members: dict[int, list[int]] = {i: [i] for i in self.parent}

    def find(self, i: int) -> int:
        root = i
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[i] != root:
            self.parent[i], i = root, self.parent[i]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if len(self.members[ra]) < len(self.members[rb]):
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.members[ra] += self.members.pop(rb)

    def labels(self) -> dict[int, int]:
        return {i: self.find(i) for i in self.parent}


def link(ids: Iterable[int], edges: Sequence[tuple[float, int, int]], threshold: float,
         score: Callable[[int, int], float] | None = None, coherence: float = 0.0) -> dict[int, int]:
    """Cluster labels from scored pairs at `threshold`.

    Without `score`: connected components. With it: edges are taken best
    first and two clusters merge only when the mean over all their cross pairs
    (scored on demand) is at least `coherence`.
    """
    uf = UnionFind(ids)
    for s, a, b in sorted(edges, reverse=True):
        if s < threshold:
            break
        ra, rb = uf.find(a), uf.find(b)
        if ra == rb:
            continue
        if score is not None:
            ma, mb = uf.members[ra], uf.members[rb]
            if len(ma) * len(mb) > 1:
                mean = sum(score(x, y) for x in ma for y in mb) / (len(ma) * len(mb))
                if mean < coherence:
                    continue
        uf.union(a, b)
    return uf.labels()


# --- one run --------------------------------------------------------------------------------


@dataclass
class Run:
    records: list[Record]
    pairs: set[tuple[int, int]]
    edges: list[tuple[float, int, int]]
    scores: Scores
    seconds: dict[str, float]

    @property
    def gold(self) -> dict[int, int]:
        return {r.id: r.gold for r in self.records}

    def blocking_recall(self) -> tuple[int, int]:
        """(true pairs among the blocked ones, all true pairs)."""
        by_gold: dict[int, int] = defaultdict(int)
        for r in self.records:
            by_gold[r.gold] += 1
        real = sum(n * (n - 1) // 2 for n in by_gold.values())
        gold = self.gold
        found = sum(1 for a, b in self.pairs if gold[a] == gold[b])
        return found, real

    def labels(self, threshold: float, checked: bool) -> dict[int, int]:
        if not checked:
            return link(self.gold.keys(), self.edges, threshold)
        return link(self.gold.keys(), self.edges, threshold, self.scores, self.scores.weights.review)

    def evaluate(self, threshold: float, checked: bool) -> tuple[metrics.PRF, metrics.PRF]:
        labels = self.labels(threshold, checked)
        return metrics.pairwise(labels, self.gold), metrics.bcubed(labels, self.gold)


def run(records: list[Record], *, pool: int, scores: Scores | None = None,
        workdir: Path | None = None) -> Run:
    seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        start = time.perf_counter()
        conn, owners = build_catalog(records, Path(tmp) / "catalog.sqlite")
        seconds["import"] = time.perf_counter() - start
        start = time.perf_counter()
        pairs = block(conn, records, owners, pool)
        seconds["blocking"] = time.perf_counter() - start
        conn.close()
    scores = scores or Scores({r.id: r for r in records})
    start = time.perf_counter()
    edges = [(scores(a, b), a, b) for a, b in pairs]
    seconds["scoring"] = time.perf_counter() - start
    return Run(records, pairs, edges, scores, seconds)


THRESHOLDS = (0.60, 0.65, 0.70, 0.75, 0.80, 0.82, 0.84, 0.86, 0.88, 0.90, 0.92, 0.95)


def report_curve(result: Run, weights: Weights = DEFAULT_WEIGHTS) -> list[dict[str, float]]:
    """Pairwise and BCubed F1 at several thresholds, both linkings; printed and returned."""
    rows = []
    print(f"{'threshold':>9}  {'linking':<10} {'pair P':>7} {'pair R':>7} {'pair F1':>7}"
          f"  {'B3 P':>6} {'B3 R':>6} {'B3 F1':>6}")
    marks = {weights.accept: " = Weights.accept", weights.review: " = Weights.review"}
    for t in sorted(set(THRESHOLDS) | {weights.accept, weights.review}):
        for checked in (False, True):
            pw, b3 = result.evaluate(t, checked)
            name = "checked" if checked else "components"
            print(f"{t:9.2f}  {name:<10} {pw.precision:7.3f} {pw.recall:7.3f} {pw.f1:7.3f}"
                  f"  {b3.precision:6.3f} {b3.recall:6.3f} {b3.f1:6.3f}{marks.get(t, '')}")
            rows.append({"threshold": t, "checked": checked, "pair_p": pw.precision,
                         "pair_r": pw.recall, "pair_f1": pw.f1, "b3_p": b3.precision,
                         "b3_r": b3.recall, "b3_f1": b3.f1})
    return rows


def errors(result: Run, threshold: float, checked: bool, limit: int = 15) -> tuple[
        list[tuple[float, Record, Record]], list[tuple[float, Record, Record]]]:
    """Wrongly linked pairs (highest score first) and missed true pairs (blocked or not)."""
    labels = result.labels(threshold, checked)
    by_id = {r.id: r for r in result.records}
    false_pos = []
    for s, a, b in result.edges:
        if labels[a] == labels[b] and by_id[a].gold != by_id[b].gold:
            false_pos.append((s, by_id[a], by_id[b]))
    members: dict[int, list[Record]] = defaultdict(list)
    for r in result.records:
        members[r.gold].append(r)
    false_neg = []
    for group in members.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if labels[a.id] != labels[b.id]:
                    false_neg.append((result.scores(a.id, b.id), a, b))
    false_pos.sort(key=lambda t: -t[0])
    false_neg.sort(key=lambda t: -t[0])
    return false_pos, false_neg


def report_headline(result: Run, *, started: float, show_errors: int,
                    weights: Weights = DEFAULT_WEIGHTS) -> None:
    """The curve, the figures at `Weights.accept` (the headline) and the worst pairs either way."""
    report_curve(result, weights)
    pw, b3 = result.evaluate(weights.accept, checked=True)
    print(f"\nheadline (threshold = Weights.accept {weights.accept}, checked linking): "
          f"pairwise {pw}; BCubed {b3}")
    print(f"total {time.perf_counter() - started:.0f} s")
    if show_errors:
        false_pos, false_neg = errors(result, weights.accept, checked=True)
        print(f"\nfalse positives: {len(false_pos)} linked pairs of different songs; top {show_errors}:")
        for s, a, b in false_pos[:show_errors]:
            print(f"  {s:.3f}  {a.raw}\n         {b.raw}")
        print(f"\nfalse negatives: {len(false_neg)} true pairs left apart; best-scored {show_errors}:")
        for s, a, b in false_neg[:show_errors]:
            print(f"  {s:.3f}  {a.raw}\n         {b.raw}")
