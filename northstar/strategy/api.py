"""API of the strategy area."""

from ninja import Router

router = Router(tags=["strategy"])
