"""The benchmark metrics, checked by hand-counted examples: a metrics bug makes every figure lie."""

from __future__ import annotations

import pytest

from bench.metrics import bcubed, classification, pairwise

# Gold: {a, b, c} and {d, e}. Predicted: {a, b} and {c, d, e}.
GOLD = {"a": 1, "b": 1, "c": 1, "d": 2, "e": 2}
PRED = {"a": "x", "b": "x", "c": "y", "d": "y", "e": "y"}


def test_pairwise_counts_pairs_not_records() -> None:
    # Claimed pairs: ab, cd, ce, de (4); true pairs: ab, ac, bc, de (4); both: ab, de.
    prf = pairwise(PRED, GOLD)
    assert (prf.precision, prf.recall) == (0.5, 0.5)
    assert prf.f1 == 0.5


def test_bcubed_by_hand() -> None:
    # Precision per record: a 2/2, b 2/2, c 1/3, d 2/3, e 2/3 -> 11/3 over 5 records.
    # Recall per record:    a 2/3, b 2/3, c 1/3, d 2/2, e 2/2 -> 11/3 over 5 records.
    prf = bcubed(PRED, GOLD)
    assert prf.precision == pytest.approx(11 / 15)
    assert prf.recall == pytest.approx(11 / 15)


def test_bcubed_is_not_symmetric_in_cluster_sizes() -> None:
    # One big predicted cluster: recall 1, precision the mean share of right companions.
    lumped = {k: 0 for k in GOLD}
    prf = bcubed(lumped, GOLD)
    assert prf.recall == 1.0
    assert prf.precision == pytest.approx((3 * 3 / 5 + 2 * 2 / 5) / 5)


def test_perfect_and_all_singletons() -> None:
    assert pairwise(GOLD, GOLD).f1 == 1.0
    assert bcubed(GOLD, GOLD).f1 == 1.0
    singletons = {k: k for k in GOLD}
    assert pairwise(singletons, GOLD).f1 == 0.0  # claims nothing: precision 0, not vacuous 1
    assert bcubed(singletons, GOLD).precision == 1.0


def test_labels_are_compared_by_grouping_not_by_name() -> None:
    renamed = {k: f"c{v}" for k, v in GOLD.items()}
    assert pairwise(renamed, GOLD).f1 == 1.0


def test_records_must_agree() -> None:
    with pytest.raises(ValueError, match="1 missing"):
        pairwise({"a": 1}, {"a": 1, "b": 1})


def test_classification() -> None:
    prf = classification([True, True, False, False], [True, False, True, False])
    assert (prf.precision, prf.recall) == (0.5, 0.5)
    assert classification([False], [True]).f1 == 0.0
