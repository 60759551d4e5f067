"""Benchmarks: scripts that print figures (accuracy, latency, memory, timings). Not run by default."""
