"""A fixed-window rate limit in the shared cache (`CACHE_URL`), for public endpoints that cost work."""

from __future__ import annotations

from django.core.cache import cache

from northstar.core.errors import ApplicationError


class RateLimited(ApplicationError):
    """Too many requests from one client in a short time."""

    status_code = 429


def rate_limit(*, scope: str, who: str, limit: int, window: int) -> None:
    """Count one request by `who` in `scope`; refuse once they pass `limit` within `window` seconds."""
    key = f"ratelimit:{scope}:{who}"
    # Count first: within a window the counter exists, and one `incr` is one short write (adding
    # first cost a failed insert and a table count on the database cache for every request).
    try:
        count = cache.incr(key)
    except ValueError:  # no counter yet, or its window ended
        if cache.add(key, 1, timeout=window):
            return
        try:
            count = cache.incr(key)  # another request started the window a moment ago
        except ValueError:  # ...and it ended already
            return
    if count > limit:
        raise RateLimited(
            f"Too many requests: at most {limit} every {_period(window)}. Please try again later."
        )


def _period(seconds: int) -> str:
    """A window as people say it: "10 minutes", "hour", "day"."""
    for size, unit in ((86_400, "day"), (3_600, "hour"), (60, "minute")):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return unit if count == 1 else f"{count} {unit}s"
    return f"{seconds} seconds"
