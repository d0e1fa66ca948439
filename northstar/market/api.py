"""REST API for market, mounted under /api/v1/."""

from ninja import Router

router = Router(tags=["Market"])
