"""Publish packages to a CKAN portal (Action API through ckanapi): `publish_ckan(dir, url=, org=)`.

client.py    one connection: calls, downloads, retries, errors scrubbed of the token
metadata.py  Frictionless descriptor -> CKAN dataset and resource fields
release.py   package directory -> files to upload, next semantic version, changelog
publish.py   the stages: preflight, compare, stage, verify, release
"""

from .client import CkanAuthError, CkanError, CkanRejected, CkanUnavailable, CkanVerifyError
from .metadata import ckan_name, version_name
from .publish import CkanPublishResult, CkanStep, publish_ckan

__all__ = ["CkanAuthError", "CkanError", "CkanPublishResult", "CkanRejected", "CkanStep", "CkanUnavailable",
           "CkanVerifyError", "ckan_name", "publish_ckan", "version_name"]
