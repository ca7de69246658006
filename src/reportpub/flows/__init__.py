"""Prefect orchestration of the engine: the one part of `reportpub` that imports Prefect.

Every flow runs the engine's one path (`reportpub.pipeline.prepare` then `release`, which is
`process_report`); the flows add what only an orchestrator gives: concurrency, retries of
transient I/O errors, artifacts, a pause for a steward, the run's state. The repository's
`flows/*.py` re-export these for the deployments of `prefect.yaml`.
"""
