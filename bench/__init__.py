"""Benchmarks: `./dev bench NAME` runs bench/NAME.py, which prints its figures and ends with one JSON line."""
