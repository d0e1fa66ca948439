"""The one pagination every API list uses: page numbers, bounded so no page number can reach the database
as an offset it cannot hold (a page near 1e18 used to overflow SQLite and PostgreSQL alike)."""

from __future__ import annotations

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

#: No list is this long (a million pages of 50 rows); larger page numbers are typos or probes.
MAX_PAGE = 1_000_000


class Pagination(PageNumberPagination):
    """Page-number pagination (`?page=2`) with bounds: a page past the end is empty, a page number
    above `MAX_PAGE` or a page size out of range is a 422 that says which."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE, description=f"1 to {MAX_PAGE:,}.")
        page_size: int | None = Field(
            None, ge=1, le=1000, description="Rows per page (at most 100 are sent)."
        )
