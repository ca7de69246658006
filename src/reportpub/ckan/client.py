"""One CKAN connection: action calls and downloads -> results, or a PublishError with a clean message.

Every failure is sorted once, here: transient (timeouts, refused or reset connections, HTTP 429
and 5xx, search-index errors) is retried by `retry()` with bounded backoff; permanent (401/403,
CKAN's ValidationError, other 4xx) stops at once. A single call never retries by itself: the
publisher retries whole *steps* that re-read CKAN's state first, so a request that succeeded but
whose answer was lost is never repeated blindly (no duplicate datasets or resources).

The API token goes only into request headers for the CKAN host. Every message built from an error
is scrubbed of it, and errors are raised outside the `except` block so that no exception chain
carries the original (unscrubbed) error.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests
from ckanapi import RemoteCKAN
from ckanapi.errors import CKANAPIError, NotAuthorized, NotFound, SearchError, SearchIndexError, ValidationError

from .. import __version__
from ..errors import PublishError

log = logging.getLogger("reportpub.ckan")

RETRY_DELAYS = (0.5, 1.0, 2.0)  # 4 tries in all
TIMEOUT = (10, 120)  # connect, read (seconds)
T = TypeVar("T")


class CkanError(PublishError):
    """Publishing to CKAN failed; the previous public release is unchanged."""


class CkanAuthError(CkanError):
    """No token, or CKAN answered 401/403: a wrong or expired token, or a user without rights."""

    exit_code = 2


class CkanRejected(CkanError):
    """CKAN refused the request (ValidationError, other 4xx) or its state needs a human."""

    exit_code = 2


class CkanVerifyError(CkanError):
    """A file downloaded back from CKAN differs from the local one."""

    exit_code = 2


class CkanUnavailable(CkanError):
    """CKAN could not be reached or kept failing (5xx, timeouts) after every retry: try again later."""

    exit_code = 3


class _Transient(Exception):
    """A failure worth retrying; its message is already scrubbed."""


class Client:
    """(url, token) -> calls to CKAN's Action API and authenticated downloads."""

    def __init__(self, url: str, token: str, *, retry_delays: tuple[float, ...] = RETRY_DELAYS,
                 timeout: tuple[float, float] = TIMEOUT):
        self.url = url.rstrip("/")
        self._token = token
        self.retry_delays = tuple(retry_delays)
        self.timeout = timeout
        self._status: int | None = None
        self._session = requests.Session()
        self._session.hooks["response"].append(self._record_status)
        self._ckan = RemoteCKAN(self.url, apikey=token, session=self._session,
                                user_agent=f"reportpub/{__version__}")

    def _record_status(self, response, *args, **kwargs):
        self._status = response.status_code

    def scrub(self, text: str) -> str:
        return text.replace(self._token, "***") if self._token else text

    # --- one attempt ------------------------------------------------------------------------

    def call(self, action: str, *, missing_ok: bool = False, files: dict | None = None, **data: Any) -> Any:
        """One action call -> its result (None for a missing object when missing_ok); raises on failure."""
        self._status = None
        error: Exception | None = None
        try:
            return self._ckan.call_action(action, data, files=files, requests_kwargs={"timeout": self.timeout})
        except NotFound:
            if missing_ok:
                return None
            error = CkanRejected(f"CKAN {action}: not found (HTTP 404)")
        except NotAuthorized as exc:
            error = CkanAuthError(f"CKAN refused {action} (HTTP 403 Forbidden): {_message(exc)}; "
                                  "check the API token and that its user may edit the organisation")
        except ValidationError as exc:
            error = CkanRejected(f"CKAN rejected {action} (ValidationError): {_message(exc)}")
        except (SearchIndexError, SearchError) as exc:
            error = _Transient(f"CKAN {action}: search index error: {_message(exc)}")
        except CKANAPIError as exc:
            error = self._by_status(action, self._status, str(exc))
        except requests.Timeout:
            error = _Transient(f"CKAN {action}: no answer from {self.url} within {self.timeout[1]} s")
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            error = _Transient(f"CKAN {action}: cannot connect to {self.url} ({_reason(exc)})")
        except requests.RequestException as exc:
            error = CkanError(f"CKAN {action}: {type(exc).__name__}: {exc}")
        raise self._clean(error)

    def download(self, url: str, sink: Callable[[bytes], None] | None = None) -> tuple[str, int]:
        """Resource URL -> (sha256 hex, size), streaming; chunks go to sink if given.

        The token is sent only to the CKAN host itself, never to a link that points elsewhere.
        """
        headers = {"User-Agent": f"reportpub/{__version__}"}
        if _same_origin(url, self.url):
            headers["Authorization"] = self._token
        self._status = None
        error: Exception | None = None
        try:
            with self._session.get(url, headers=headers, stream=True, timeout=self.timeout) as response:
                if response.status_code != 200:
                    error = self._by_status(f"download {_path(url)}", response.status_code, "")
                else:
                    digest, size = hashlib.sha256(), 0
                    for chunk in response.iter_content(1 << 20):
                        digest.update(chunk)
                        size += len(chunk)
                        if sink:
                            sink(chunk)
                    return digest.hexdigest(), size
        except requests.Timeout:
            error = _Transient(f"download {_path(url)}: no answer within {self.timeout[1]} s")
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            error = _Transient(f"download {_path(url)}: connection lost ({_reason(exc)})")
        except requests.RequestException as exc:
            error = CkanError(f"download {_path(url)}: {type(exc).__name__}: {exc}")
        raise self._clean(error)

    def fetch(self, url: str) -> bytes:
        """Resource URL -> its bytes (for the small files the publisher reads back)."""
        parts: list[bytes] = []
        self.download(url, parts.append)
        return b"".join(parts)

    # --- retrying a step --------------------------------------------------------------------

    def retry(self, step: Callable[[], T], what: str) -> T:
        """Run an idempotent step; transient failures are retried after each delay, then reported."""
        for attempt, delay in enumerate((*self.retry_delays, None), start=1):
            try:
                return step()
            except _Transient as exc:
                if delay is None:
                    failure = CkanUnavailable(f"{what}: {exc} (gave up after {attempt} tries)")
                    break
                log.warning("%s: %s; retrying in %.1f s", what, exc, delay)
                time.sleep(delay)
        raise failure

    # --- helpers ----------------------------------------------------------------------------

    def _by_status(self, what: str, status: int | None, detail: str) -> Exception:
        if status in (401, 403):
            reason = "401 Unauthorized" if status == 401 else "403 Forbidden"
            return CkanAuthError(f"CKAN refused {what} (HTTP {reason}); check the API token")
        if status is None or status == 429 or status >= 500:
            shown = f"HTTP {status}" if status else "no HTTP answer"
            return _Transient(f"{what}: {shown}{_short(self.scrub(detail))}")
        return CkanRejected(f"CKAN refused {what} (HTTP {status}){_short(self.scrub(detail))}")

    def _clean(self, error: Exception) -> Exception:
        """The same error with the token removed from its message (new object, no chain)."""
        return type(error)(self.scrub(str(error)))


def _message(exc: Exception) -> str:
    """ckanapi error -> CKAN's own words, without its internal `__type` key."""
    detail = getattr(exc, "error_dict", None)
    if detail is None and exc.args:
        detail = exc.args[0]
    if isinstance(detail, dict):
        detail = {k: v for k, v in detail.items() if k != "__type"}
        if set(detail) == {"message"}:
            return str(detail["message"])
    return str(detail if detail is not None else exc)


def _reason(exc: Exception) -> str:
    text = str(exc)
    for word in ("Connection refused", "Connection reset", "Connection aborted", "RemoteDisconnected",
                 "Name or service not known", "timed out"):
        if word in text:
            return word
    return type(exc).__name__


def _short(detail: str, limit: int = 300) -> str:
    detail = " ".join(detail.split())
    return f": {detail[:limit]}" if detail else ""


def _path(url: str) -> str:
    return urlsplit(url).path.rsplit("/", 1)[-1] or url


def _same_origin(url: str, base: str) -> bool:
    a, b = urlsplit(url), urlsplit(base)
    return (a.scheme, a.netloc) == (b.scheme, b.netloc)
