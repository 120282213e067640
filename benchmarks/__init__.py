"""Benchmarks and the per-agent reference implementation of the market (importable for tests)."""
