"""HTTP client for OParl 1.0/1.1 endpoints (httpx): objects, paginated lists, file downloads.

- Lists follow ``links.next`` page by page; ``modified_since`` asks only for what changed.
- A request rate limit (``OParlSettings.request_rate``) protects the council information system.
- Connection errors, 429 and 5xx are retried with exponential backoff (tenacity; ``Retry-After`` wins).
- An address that does not answer with OParl JSON raises ``NotOParlError`` (German message).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
from pydantic import BaseModel, Field
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from vorlagen.settings import OParlSettings

OPARL_SCHEMA_HOST = "schema.oparl.org"
USER_AGENT = "Vorlagen-Assistent OParl-Sync (+https://schema.oparl.org)"


class OParlError(RuntimeError):
    """An OParl endpoint could not be read (German message for the user)."""


class NotOParlError(OParlError):
    """The address answers, but not with OParl."""


class OParlPage(BaseModel):
    """One page of an OParl list."""

    url: str
    items: list[dict[str, Any]] = Field(default_factory=list)
    next_url: str | None = None
    total: int | None = None
    """``pagination.totalElements`` when the server states it."""


def object_type(item: dict[str, Any]) -> str:
    """``Paper`` for ``https://schema.oparl.org/1.1/Paper``."""
    return str(item.get("type", "")).rstrip("/").rsplit("/", 1)[-1]


class _RetryableStatus(Exception):
    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


def _retryable(error: BaseException) -> bool:
    return isinstance(error, (httpx.TransportError, _RetryableStatus))


class OParlClient:
    """One client per sync run; thread-safe rate limiting."""

    def __init__(self, settings: OParlSettings, transport: httpx.BaseTransport | None = None) -> None:
        self.settings = settings
        self._http = httpx.Client(
            timeout=settings.timeout_s,
            follow_redirects=True,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            transport=transport,
        )
        self._interval = 1.0 / settings.request_rate if settings.request_rate > 0 else 0.0
        self._next_request = 0.0
        self._lock = threading.Lock()
        self.requests = 0
        """Requests sent (retries included), for reports and tests."""

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> OParlClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- transport --------------------------------------------------------------------------------
    def _wait_for_slot(self) -> None:
        if not self._interval:
            return
        with self._lock:
            now = time.monotonic()
            wait = self._next_request - now
            self._next_request = max(now, self._next_request) + self._interval
        if wait > 0:
            time.sleep(wait)

    def _pause(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, _RetryableStatus):
            retry_after = error.response.headers.get("Retry-After", "")
            if retry_after.isdigit():
                return float(retry_after)
        return self.settings.backoff_s * 2 ** (state.attempt_number - 1)

    def _get(self, url: str, params: dict[str, str] | None = None) -> httpx.Response:
        def attempt() -> httpx.Response:
            self._wait_for_slot()
            self.requests += 1
            response = self._http.get(url, params=params)
            if response.status_code == 429 or response.status_code >= 500:
                raise _RetryableStatus(response)
            return response

        retrying = Retrying(
            stop=stop_after_attempt(self.settings.retries + 1),
            wait=self._pause,
            retry=retry_if_exception(_retryable),
            reraise=True,
        )
        try:
            response = retrying(attempt)
        except _RetryableStatus as error:
            raise OParlError(
                f"Der Server {url} antwortet nach {self.settings.retries + 1} Versuchen mit "
                f"HTTP {error.response.status_code}. Bitte später erneut synchronisieren."
            ) from error
        except httpx.TransportError as error:
            raise OParlError(f"Der Server {url} ist nicht erreichbar ({error}).") from error
        if response.status_code == 404:
            raise OParlError(f"Die Adresse {url} gibt es nicht (HTTP 404).")
        if response.status_code >= 400:
            raise OParlError(f"Der Server {url} lehnt die Anfrage ab (HTTP {response.status_code}).")
        return response

    # ---- OParl --------------------------------------------------------------------------------------
    def get_json(self, url: str, params: dict[str, str] | None = None) -> dict[str, Any]:
        response = self._get(url, params)
        try:
            value = response.json()
        except ValueError as error:
            raise NotOParlError(
                f"Die Adresse {url} ist keine OParl-Schnittstelle: Die Antwort ist kein JSON "
                f"({response.headers.get('content-type', 'unbekannter Inhaltstyp')})."
            ) from error
        if not isinstance(value, dict):
            raise NotOParlError(f"Die Adresse {url} ist keine OParl-Schnittstelle: unerwartete JSON-Antwort.")
        return value

    def get_object(self, url: str) -> dict[str, Any]:
        """An OParl object; ``NotOParlError`` if it carries no OParl ``type``."""
        value = self.get_json(url)
        if OPARL_SCHEMA_HOST not in str(value.get("type", "")):
            raise NotOParlError(
                f"Die Adresse {url} ist keine OParl-Schnittstelle: Die Antwort hat keinen OParl-Typ "
                "(erwartet z. B. https://schema.oparl.org/1.1/System)."
            )
        return value

    def list_url(self, url: str, modified_since: datetime | None = None) -> str:
        """The first page of a list, with ``modified_since`` and ``limit``; the server carries both
        on in ``links.next``."""
        params: dict[str, str] = {}
        if modified_since is not None:
            params["modified_since"] = modified_since.isoformat(timespec="seconds")
        if self.settings.page_limit:
            params["limit"] = str(self.settings.page_limit)
        return str(httpx.URL(url).copy_merge_params(params)) if params else url

    def page(self, url: str) -> OParlPage:
        value = self.get_json(url)
        data = value.get("data")
        if not isinstance(data, list):
            raise NotOParlError(f"Die Adresse {url} ist keine OParl-Liste (Feld „data“ fehlt).")
        links = value.get("links") or {}
        next_url = links.get("next") if isinstance(links, dict) else None
        pagination = value.get("pagination") or {}
        total = pagination.get("totalElements") if isinstance(pagination, dict) else None
        return OParlPage(
            url=str(url),
            items=[item for item in data if isinstance(item, dict)],
            next_url=next_url,
            total=total if isinstance(total, int) else None,
        )

    def iter_list(self, url: str, modified_since: datetime | None = None) -> Iterator[OParlPage]:
        """All pages of a list, following ``links.next``."""
        page = self.page(self.list_url(url, modified_since))
        yield page
        seen = {page.url}
        while page.next_url and page.next_url not in seen:
            seen.add(page.next_url)
            page = self.page(page.next_url)
            yield page

    def download(self, url: str) -> bytes:
        return self._get(url).content
