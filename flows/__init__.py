"""Prefect flows and the I/O they orchestrate; parsing lives in `transforms`."""
