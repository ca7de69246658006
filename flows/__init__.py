"""Deployment entrypoints named by prefect.yaml; the flows live in `reportpub.flows`."""
