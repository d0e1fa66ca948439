"""What every tool's reader shares: the item record they all produce, pages with a cursor, and one HTTP
client that respects the tools' rate limits.

Rate limits: a 429 (or a 403 / GraphQL error that says so) is retried after the server's
`Retry-After` seconds, or until its `X-RateLimit-Reset` time (epoch seconds, epoch milliseconds or,
as Jira Cloud sends it, ISO 8601); when a response says no requests are left
(`X-RateLimit-Remaining: 0`), the next request waits for the reset (or Retry-After) first. Waits are
capped (`MAX_WAIT`) so a sync never sleeps for an hour inside a job: it fails, naming the limit when
the tool does (Jira's `RateLimit-Reason`), and resumes later instead.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx2 as httpx

from northstar.core.errors import ApplicationError

#: Longest single wait for a rate limit, in seconds; longer waits fail the page (the sync resumes).
MAX_WAIT = 120.0
#: Attempts per request before a rate limit or a server error fails the page.
ATTEMPTS = 5
TIMEOUT = httpx.Timeout(30.0, connect=10.0)


class SourceError(ApplicationError):
    """The tool refused or failed a request; the message says what to fix (token, scope, URL)."""

    status_code = 502


@dataclass
class Record:
    """One item as a tool describes it, in Northstar's terms."""

    external_id: str
    key: str
    title: str
    kind: str
    status: str = ""
    state: str = "todo"
    points: float | None = None
    parent_key: str = ""
    source_key: str = ""
    sprint: str = ""
    url: str = ""
    due_on: date | None = None
    created: datetime | None = None
    updated: datetime | None = None
    done_at: datetime | None = None


@dataclass
class StatusPatch:
    """A status set by a board (GitHub Projects) for an item known by its key."""

    key: str
    status: str
    state: str | None = None


@dataclass
class Page:
    records: list[Record] = field(default_factory=list)
    patches: list[StatusPatch] = field(default_factory=list)
    next_cursor: str = ""


def parse_time(raw: Any) -> datetime | None:
    """ISO 8601 (with Z or an offset, or Jira's +0000) to an aware datetime; None when empty or bad."""
    if not raw or not isinstance(raw, str):
        return None
    text = raw.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    if len(text) > 5 and text[-5] in "+-" and text[-4:].isdigit() and ":" not in text[-5:]:
        text = text[:-2] + ":" + text[-2:]  # Jira: 2026-01-02T10:00:00.000+0000
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def parse_day(raw: Any) -> date | None:
    moment = parse_time(raw)
    if moment is not None:
        return moment.date()
    try:
        return date.fromisoformat(str(raw)[:10]) if raw else None
    except ValueError:
        return None


def _reset_at(raw: str, now: float) -> float | None:
    """Seconds until a reset time given as epoch seconds (GitHub), epoch milliseconds (Linear) or an
    ISO 8601 timestamp (Jira Cloud: `2026-01-05T09:31Z`); None when it cannot be read."""
    try:
        reset = float(raw)
    except ValueError:
        moment = parse_time(raw)
        return None if moment is None else max(0.0, moment.timestamp() - now)
    if reset > 1e11:  # Linear sends milliseconds
        reset /= 1000
    return max(0.0, reset - now)


def _retry_after(raw: str | None, now: float) -> float | None:
    """Retry-After as seconds or as an HTTP date; None when absent or unreadable."""
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        try:
            return max(0.0, parsedate_to_datetime(raw).timestamp() - now)
        except (TypeError, ValueError):
            return None


def _reset_wait(headers: Mapping[str, str], now: float, *, prefer_reset: bool = False) -> float | None:
    """Seconds until the rate limit resets, from Retry-After or X-RateLimit-Reset headers.

    A refused request (429) waits what Retry-After says, the server's own advice for the retry; a
    request that spent the last of the quota (Remaining 0) waits for the reset (`prefer_reset`),
    when the whole quota is back, falling back on Retry-After when no reset is given."""
    resets = [
        wait
        for name in ("x-ratelimit-reset", "x-ratelimit-requests-reset")
        if headers.get(name) and (wait := _reset_at(headers[name], now)) is not None
    ]
    reset = resets[0] if resets else None
    retry = _retry_after(headers.get("retry-after"), now)
    if prefer_reset:
        return reset if reset is not None else retry
    return retry if retry is not None else reset


class Http:
    """A small wrapper of an httpx client: JSON in and out, rate limits and retries handled."""

    def __init__(
        self,
        *,
        base_url: str,
        headers: dict[str, str],
        auth: tuple[str, str] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client = httpx.Client(
            base_url=base_url.rstrip("/"), headers=headers, auth=auth, timeout=TIMEOUT, follow_redirects=False
        )
        self.sleep = sleep
        self.clock = clock
        self._hold_until = 0.0
        self._hold_reason = ""
        self.requests = 0
        self.waited = 0.0

    def close(self) -> None:
        self.client.close()

    def _wait(self, seconds: float, reason: str = "") -> None:
        if seconds > MAX_WAIT:
            which = f" ({reason})" if reason else ""
            raise SourceError(
                f"The tool's rate limit{which} resets in {seconds:.0f} s; the sync stopped and will "
                "resume later."
            )
        if seconds > 0:
            self.waited += seconds
            self.sleep(seconds)

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        limited: Callable[[httpx.Response], bool] | None = None,
    ) -> httpx.Response:
        """Send a request, waiting out rate limits and retrying server errors a few times."""
        last = ""
        for attempt in range(ATTEMPTS):
            now = self.clock()
            if self._hold_until > now:
                self._wait(self._hold_until - now, self._hold_reason)
            self._hold_until = 0.0
            try:
                response = self.client.request(method, url, params=params, json=json)
            except httpx.TransportError as exc:
                last = f"could not reach {self.client.base_url}: {exc.__class__.__name__}"
                self._wait(min(2.0**attempt, 8.0))
                continue
            self.requests += 1
            headers = {k.lower(): v for k, v in response.headers.items()}
            remaining = headers.get("x-ratelimit-remaining", headers.get("x-ratelimit-requests-remaining"))
            reason = headers.get("ratelimit-reason", "")  # Jira Cloud names the limit it applied
            if remaining is not None and remaining.strip() == "0":
                wait = _reset_wait(headers, self.clock(), prefer_reset=True)
                self._hold_until = self.clock() + (wait or 0.0)
                self._hold_reason = reason
            is_limited = response.status_code == 429 or (limited is not None and limited(response))
            if response.status_code == 403 and (
                "retry-after" in headers or (remaining is not None and remaining.strip() == "0")
            ):
                is_limited = True  # GitHub: primary limit spent, or a secondary limit
            if is_limited:
                wait = _reset_wait(headers, self.clock())
                self._wait(wait if wait is not None else min(2.0**attempt, 30.0), reason)
                self._hold_until = 0.0  # waited out already
                last = "rate limited"
                continue
            if response.status_code >= 500:
                last = f"the tool answered {response.status_code}"
                self._wait(min(2.0**attempt, 8.0))
                continue
            if response.status_code in (401, 403):
                raise SourceError(
                    f"The tool refused the token ({response.status_code}): check the token and its access."
                )
            if response.status_code == 404:
                raise SourceError(f"Not found at {response.request.url.path}: check the URL and the scope.")
            if response.status_code >= 400:
                raise SourceError(
                    f"The tool refused the request ({response.status_code}): {response.text[:300]}"
                )
            return response
        raise SourceError(f"Gave up after {ATTEMPTS} attempts: {last}.")

    def json(self, method: str, url: str, **kwargs: Any) -> Any:
        response = self.request(method, url, **kwargs)
        try:
            return response.json()
        except ValueError:
            raise SourceError(f"The tool did not answer with JSON at {url}.") from None


def done_state(category: str) -> str:
    return {"done": "done", "indeterminate": "in_progress", "new": "todo"}.get(category, "todo")
