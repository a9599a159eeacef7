"""The claims audit against our own reading of every Spotify claim of the Drag Race data.

    .venv/bin/python -m bench.claims_audit [--misses]

Reads ../shared/data/dragrace/spotify-claims.csv (never copied) and our labels,
bench/claims-labels.csv: one row per claim whose title or artist differs from the
credit; every other claim (same title and artist, case aside) is labelled "same
recording". Prints, per expected kind, how many claims the audit accepted and how many
it gave the right kind, then every miss. An accepted claim of any kind but "same
recording" is a false accept (a wrong track in a playlist); a same recording sent to
review is a lost track (a search page instead). Also prints, per season with claims,
the share of its songs whose claim the audit accepts (each song of a medley counted).
"""

from __future__ import annotations

import csv
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from bench import datasets
from cuesheet.matching.claims import ClaimedTrack, ClaimKind, ClaimVerdict, audit_claim

LABELS = Path(__file__).resolve().parent / "claims-labels.csv"


def labels() -> dict[tuple[str, str], tuple[str, str]]:
    lines = [line for line in LABELS.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    return {(r["song_title"], r["spotify_title"]): (r["expected"], r["note"]) for r in csv.DictReader(lines)}


def main(argv: list[str]) -> int:
    folder = datasets.require("dragrace/spotify-claims.csv").parent
    claims = list(csv.DictReader((folder / "spotify-claims.csv").open(encoding="utf-8")))
    labelled = labels()
    per_kind: dict[str, Counter[str]] = defaultdict(Counter)
    misses: list[str] = []
    verdicts: dict[str, ClaimVerdict] = {}
    start = time.process_time()
    for r in claims:
        track = ClaimedTrack("spotify", r["spotify_track_id"], r["spotify_title"], r["spotify_artist"],
                             r["spotify_album"], r["album_release_date"], int(r["duration_ms"] or 0) or None)
        a = audit_claim(r["song_title"], r["artist"], track)
        verdicts[r["spotify_track_id"]] = a.verdict
        same = (r["song_title"].casefold() == r["spotify_title"].casefold()
                and r["artist"].casefold() == r["spotify_artist"].casefold())
        expected = labelled.get((r["song_title"], r["spotify_title"]), ("same recording" if same else "?", ""))[0]
        c = per_kind[expected]
        c["claims"] += 1
        accepted = a.verdict is ClaimVerdict.ACCEPTED
        c["accepted"] += accepted
        c["kind right"] += a.kind.value == expected or (expected == "unclear" and not accepted)
        wrong = accepted != (expected == ClaimKind.SAME.value)
        if wrong or (a.kind.value != expected and expected != "unclear"):
            misses.append(f"  {'FALSE ACCEPT' if accepted and wrong else 'lost track' if wrong else 'other kind'}:"
                          f" {r['song_title']!r} ({r['artist']}) -> {r['spotify_title']!r} ({r['spotify_artist']});"
                          f" expected {expected}, audit {a.verdict.value} / {a.kind.value}: {'; '.join(a.reasons)}")
    seconds = time.process_time() - start
    print(f"{len(claims)} claims audited in {seconds * 1000:.0f} ms CPU\n")
    print(f"{'expected kind':<20}{'claims':>8}{'accepted':>10}{'kind right':>12}")
    for kind in [k.value for k in ClaimKind]:
        c = per_kind.get(kind)
        if c:
            print(f"{kind:<20}{c['claims']:>8}{c['accepted']:>10}{c['kind right']:>12}")
    print(f"\n{len(misses)} misses:")
    print("\n".join(misses))
    print("\nper season with claims: songs, claimed, accepted (share of songs with a real track)")
    seasons: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for row in csv.DictReader((folder / "lipsyncs.csv").open(encoding="utf-8")):
        s = seasons[(row["show"], row["season"])]
        s["songs"] += len(row["song_title"].split(" / "))
        if row["spotify_track_id"]:
            s["claimed"] += 1
            s["accepted"] += verdicts.get(row["spotify_track_id"]) is ClaimVerdict.ACCEPTED
    at_90 = 0
    with_claims = 0
    for (show, season), s in sorted(seasons.items()):
        if not s["claimed"]:
            continue
        with_claims += 1
        share = s["accepted"] / s["songs"]
        at_90 += share >= 0.9
        print(f"  {show} {season}: {s['songs']} songs, {s['claimed']} claimed, {s['accepted']} accepted ({share:.0%})")
    print(f"  {at_90} of {with_claims} seasons with claims have a real track for >= 90 % of their songs")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
