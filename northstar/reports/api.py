"""REST API for reports, mounted under /api/v1/."""

from ninja import Router

router = Router(tags=["Reports"])
