"""Deterministic demo and test data in the Segment warehouse schema, generated inside DuckDB."""
