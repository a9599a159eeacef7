"""Benchmarks run by hand (`.venv/bin/python -m bench.NAME`); figures in bench/README.md.

They are not tests: nothing here asserts a time. tests/test_bench_metrics.py
checks only the metrics, because a wrong metric makes every figure lie.
"""
