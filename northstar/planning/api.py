"""API of the roadmap area."""

from ninja import Router

router = Router(tags=["roadmap"])
