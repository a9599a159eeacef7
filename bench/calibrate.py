"""Fit the verdict model (cuesheet/matching/calibration.json) and report its calibration.

    .venv/bin/python -m bench.calibrate [--per-kind 300] [--mb20k 3000] [--precision 0.997] [--write]

Training data comes from several generators (`FIT`), each on the **train** half of its
songs (split by a hash of each song's key), with a fixed seed: the messy-query kinds of
`bench.messy_queries` (`FIT_KINDS`), MusicBrainz 20K records as queries, and real pairs
other people wrote (`bench.record_queries`: Drag Race songs as credited vs the Spotify
tracks a data set claimed for them; the iTunes side of iTunes-Amazon pairs vs the Amazon
records). The label is whether `identify`'s best candidate is the song meant (always 0 for
absent songs).
A logistic regression over `verdict.FEATURES` is fitted by Newton's method in
plain Python (ten numbers; no numpy or scikit-learn at run time or here).
The accept line is the lowest probability at which the accepted training
queries are at least `--precision` right, but never under `--floor`: the
precision of a set is mostly its many sure members, and a match reported as
0.7 likely must not be called sure because 0.999 ones stand beside it.

Then the same is generated on the held-back **test** half and reported, and so are
generators the model is **never fitted on** (`UNSEEN`: records of MusicBrainz 20K and of
the Magellan Songs set written as text, with albums, surname-first names, track numbers and
typos; the messy kinds outside `FIT_KINDS`, cut-off titles and surname-first names):
predicted probability against the share right, per bin (the calibration), and what the
accept line gives there. `--write` saves the model; without it nothing changes.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

from cuesheet.matching.verdict import FEATURES, Calibration

from bench import datasets, record_queries
from bench.messy_queries import FIT_KINDS, OUT, Outcome, mb20k_db, messy_db, queries, run

TARGET = Path(__file__).resolve().parent.parent / "cuesheet" / "matching" / "calibration.json"
# Keeps the fit finite when a feature separates the classes perfectly.
RIDGE = 1e-2


FIT = ("messy", "mb20k", "spotify", "itunes")
UNSEEN = ("messy_unseen", "records_mb20k", "records_songs")
Sample = tuple[dict[str, float], int, str, str]  # features, label, generator, kind


def generated(generator: str, split: str, per_kind: int, mb: int) -> list[Outcome]:
    """The outcomes of one generator's queries of a split."""
    if generator in ("messy", "messy_unseen"):
        path, catalog, held = messy_db()
        qs = [q for q in queries(catalog, held, split=split, per_kind=per_kind)
              if (q.kind in FIT_KINDS or q.target is None) == (generator == "messy")]
        return run(path, qs)
    if generator == "mb20k":
        if not (mb and datasets.find(datasets.MB20K)):
            return []
        mpath, mqs, keys = mb20k_db(mb, split)
        return run(mpath, mqs, key_of=lambda c: keys.get((c.title, c.artist)))
    if generator.startswith("records_"):
        return record_queries.outcomes(generator.removeprefix("records_"), split, per_kind * 6)
    return record_queries.outcomes(generator, split, mb)


def samples(split: str, per_kind: int, mb: int, generators: tuple[str, ...] = FIT,
            reuse: bool = False) -> list[Sample]:
    """(features, label, generator, kind) of every query of a split whose best scored at least review.

    Each generator's samples are kept in bench/out; `reuse` reads them back instead of
    identifying again (for trying fitting options; stale once the matcher changes)."""
    out: list[Sample] = []
    for g in generators:
        cache = OUT / f"calibrate-{g}-{split}-{per_kind}-{mb}.json"
        if reuse and cache.exists():
            out += [tuple(s) for s in json.loads(cache.read_text())]  # type: ignore[misc]
            continue
        found = [(o.features, int(o.top1), g, o.query.kind) for o in generated(g, split, per_kind, mb) if o.features]
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps(found))
        out += found
    return out


def fit(xs: list[list[float]], ys: list[int], iterations: int = 30) -> list[float]:
    """Logistic regression weights (intercept first) by Newton's method with a small ridge."""
    d = len(xs[0]) + 1
    rows = [[1.0, *x] for x in xs]
    w = [0.0] * d
    for _ in range(iterations):
        grad = [0.0] * d
        hess = [[0.0] * d for _ in range(d)]
        for x, y in zip(rows, ys):
            z = sum(a * b for a, b in zip(w, x))
            p = 1 / (1 + math.exp(-max(-50.0, min(50.0, z))))
            for i in range(d):
                grad[i] += (p - y) * x[i]
                pw = p * (1 - p) * x[i]
                for j in range(i, d):
                    hess[i][j] += pw * x[j]
        for i in range(d):
            grad[i] += RIDGE * w[i] * (i > 0)
            hess[i][i] += RIDGE
            for j in range(i):
                hess[i][j] = hess[j][i]
        step = _solve(hess, grad)
        w = [a - b for a, b in zip(w, step)]
        if max(abs(s) for s in step) < 1e-7:
            break
    return w


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (the system is 10 x 10)."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(m[r][c]))
        m[c], m[p] = m[p], m[c]
        for r in range(c + 1, n):
            f = m[r][c] / m[c][c]
            for k in range(c, n + 1):
                m[r][k] -= f * m[c][k]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        x[r] = (m[r][n] - sum(m[r][k] * x[k] for k in range(r + 1, n))) / m[r][r]
    return x


def accept_line(probs: list[float], ys: list[int], precision: float, floor: float = 0.5) -> float:
    """The lowest probability whose accepted set (p >= it) is at least `precision` right."""
    ranked = sorted(zip(probs, ys), reverse=True)
    right = 0
    line = 1.0
    for n, (p, y) in enumerate(ranked, start=1):
        right += y
        if right / n >= precision:
            line = p
    return max(line, floor)


def reliability(probs: list[float], ys: list[int]) -> None:
    edges = (0.0, 0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 1.0001)
    print(f"{'predicted':<14} {'n':>6} {'mean p':>8} {'right':>8}")
    for lo, hi in zip(edges, edges[1:]):
        group = [(p, y) for p, y in zip(probs, ys) if lo <= p < hi]
        if group:
            print(f"{lo:.3f}-{min(hi, 1):.3f}  {len(group):>6} {sum(p for p, _ in group) / len(group):>8.3f} "
                  f"{sum(y for _, y in group) / len(group):>8.3f}")
    brier = sum((p - y) ** 2 for p, y in zip(probs, ys)) / len(ys)
    print(f"Brier score {brier:.4f} over {len(ys)} queries")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-kind", type=int, default=300)
    parser.add_argument("--mb20k", type=int, default=3000)
    parser.add_argument("--precision", type=float, default=0.997)
    parser.add_argument("--floor", type=float, default=0.95, help="the accept line is never lower")
    parser.add_argument("--write", action="store_true", help=f"save the model to {TARGET.name}")
    parser.add_argument("--reuse", action="store_true", help="the samples of the last run (same sizes)")
    args = parser.parse_args(argv)
    train = samples("train", args.per_kind, args.mb20k, reuse=args.reuse)
    xs = [[f[k] for k in FEATURES] for f, _, _, _ in train]
    ys = [y for _, y, _, _ in train]
    w = fit(xs, ys)
    cal = Calibration(dict(zip(FEATURES, (round(v, 4) for v in w[1:]))), round(w[0], 4), 0.5)
    probs = [cal.probability(f) for f, _, _, _ in train]
    cal = Calibration(cal.coefficients, cal.intercept, round(accept_line(probs, ys, args.precision, args.floor), 4))
    print(f"train: {len(train)} queries, {sum(ys)} right first")
    print(json.dumps(cal.to_json(), indent=1))
    print("\ntrain calibration")
    reliability(probs, ys)
    for title, generators in (("held-back test half of the fitted generators", FIT),
                              ("generators never fitted on (test half)", UNSEEN)):
        test = samples("test", args.per_kind, args.mb20k, generators, reuse=args.reuse)
        tprobs = [cal.probability(f) for f, _, _, _ in test]
        tys = [y for _, y, _, _ in test]
        print(f"\n{title}: calibration")
        reliability(tprobs, tys)
        acc = [(p, y) for p, y in zip(tprobs, tys) if p >= cal.accept]
        print(f"at the accept line {cal.accept}: {len(acc)} of {len(tys)} would pass the model, "
              f"precision {sum(y for _, y in acc) / max(1, len(acc)):.4f} (before the hard rules)")
        for g in generators:
            group = [(p, y) for p, y, s in zip(tprobs, tys, test) if s[2] == g]
            passed = [y for p, y in group if p >= cal.accept]
            if group:
                print(f"  {g:<16} n {len(group):>5}  pass {len(passed):>5}  precision "
                      f"{sum(passed) / max(1, len(passed)):.4f}  Brier "
                      f"{sum((p - y) ** 2 for p, y in group) / len(group):.4f}")
    if args.write:
        TARGET.write_text(json.dumps(cal.to_json(), indent=1) + "\n", encoding="utf-8")
        print(f"written {TARGET}")


if __name__ == "__main__":
    main()
