"""Benchmarks of sanduku against baselines run in the same command: ``python -m bench``."""
