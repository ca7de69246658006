"""Entrypoint `publish_report` for prefect.yaml (the flow: reportpub.flows.report)."""

from reportpub.flows.report import publish_report

__all__ = ["publish_report"]
