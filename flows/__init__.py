"""Prefect flows: orchestration only (retries, artifacts); the work is in reportpub."""
