"""Checks, the pipeline and the report."""
