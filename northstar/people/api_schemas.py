"""API schemas the people modules share: a rating per competency is given in reviews and in
interview scorecards alike."""

from __future__ import annotations

from ninja import Schema


class RatingOut(Schema):
    competency_id: int
    rating: str
    evidence: str


class RatingIn(Schema):
    competency_id: int
    rating: str
    evidence: str = ""
