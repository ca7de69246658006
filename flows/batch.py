"""Entrypoints `publish_batch` and `watch_inbox` for prefect.yaml (the flows: reportpub.flows.batch)."""

from reportpub.flows.batch import publish_batch, watch_inbox

__all__ = ["publish_batch", "watch_inbox"]
