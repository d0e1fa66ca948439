"""Home's part of the demo: the search index over everything the other areas loaded (it runs last)."""

from __future__ import annotations

from northstar.home.indexing import search_reindex
from northstar.home.models import SearchEntry


def load(*, scale: str, seed: int) -> dict[str, int]:
    """Rebuild the search index (the demo loaders write in bulk, past the index's signals)."""
    before = SearchEntry.objects.count()
    after = sum(search_reindex().values())
    return {"search entries": after - before}
