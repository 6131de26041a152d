"""Benchmarks, each printing its figures against a baseline measured in the same run."""
