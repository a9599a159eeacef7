"""Clustering and pair-classification metrics, as the entity-resolution papers report them.

* Pairwise: every pair of records put in one cluster is a claim "same song";
  precision is the share of claimed pairs that are true, recall the share of
  true pairs claimed. Counted through the contingency table, never by listing
  pairs, so a 5,000-record cluster costs nothing.
* BCubed (Bagga & Baldwin 1998; Amigó et al. 2009): per record, the share of
  its predicted cluster that truly belongs with it (precision) and the share
  of its true cluster found with it (recall), averaged over records. Unlike
  pairwise it does not let the few big clusters dominate.

When nothing is claimed, precision is 0 (not vacuously 1), so a do-nothing
clusterer scores F1 = 0 rather than looking precise.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class PRF:
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __str__(self) -> str:
        return f"P {self.precision:.3f}  R {self.recall:.3f}  F1 {self.f1:.3f}"


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def _check(predicted: Mapping[Hashable, Hashable], gold: Mapping[Hashable, Hashable]) -> None:
    if predicted.keys() != gold.keys():
        missing = len(gold.keys() - predicted.keys())
        extra = len(predicted.keys() - gold.keys())
        raise ValueError(f"predicted and gold label different records ({missing} missing, {extra} extra)")


def pairwise(predicted: Mapping[Hashable, Hashable], gold: Mapping[Hashable, Hashable]) -> PRF:
    """Pairwise P/R of a clustering; both map record -> cluster label."""
    _check(predicted, gold)
    both = Counter((predicted[k], gold[k]) for k in gold)
    true_pos = sum(_pairs(n) for n in both.values())
    claimed = sum(_pairs(n) for n in Counter(predicted.values()).values())
    real = sum(_pairs(n) for n in Counter(gold.values()).values())
    return PRF(true_pos / claimed if claimed else 0.0, true_pos / real if real else 0.0)


def bcubed(predicted: Mapping[Hashable, Hashable], gold: Mapping[Hashable, Hashable]) -> PRF:
    """BCubed P/R of a clustering; both map record -> cluster label."""
    _check(predicted, gold)
    if not gold:
        return PRF(0.0, 0.0)
    both = Counter((predicted[k], gold[k]) for k in gold)
    pred_size = Counter(predicted.values())
    gold_size = Counter(gold.values())
    # Every record in cell (p, g) has |cell| correct companions (itself included).
    precision = sum(n * n / pred_size[p] for (p, _), n in both.items()) / len(gold)
    recall = sum(n * n / gold_size[g] for (_, g), n in both.items()) / len(gold)
    return PRF(precision, recall)


def classification(predicted: Iterable[bool], gold: Iterable[bool]) -> PRF:
    """P/R of the positive class for labelled pairs (match = True)."""
    tp = fp = fn = 0
    for p, g in zip(predicted, gold, strict=True):
        tp += p and g
        fp += p and not g
        fn += g and not p
    return PRF(tp / (tp + fp) if tp + fp else 0.0, tp / (tp + fn) if tp + fn else 0.0)
