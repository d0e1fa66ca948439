"""REST API for home: search, notifications and comments, mounted under /api/v1/."""

from datetime import datetime
from typing import Literal

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from northstar.core.concurrency import for_write, with_etag
from northstar.core.pagination import Pagination
from northstar.core.web import user_of
from northstar.home import search as home_search
from northstar.home import selectors, services
from northstar.home.indexing import SOURCES
from northstar.home.models import Comment, Notification
from northstar.home.search import MAX_RESULTS

router = Router(tags=["Home"])

SearchKind = Literal[
    "",
    "initiative",
    "objective",
    "keyresult",
    "kpi",
    "person",
    "team",
    "feedback",
    "customer",
    "decision",
    "theme",
]
assert set(SearchKind.__args__) - {""} == set(SOURCES)  # type: ignore[attr-defined]


class SearchQueryIn(Schema):
    q: str = Field(..., max_length=200, description="Words; each matches as a prefix, all must match.")
    kind: SearchKind = Field("", description="Only this kind of record.")
    limit: int = Field(20, ge=1, le=MAX_RESULTS)


class HitOut(Schema):
    kind: str
    label: str
    record_id: int
    title: str
    detail: str
    url: str


class SearchOut(Schema):
    query: str
    corrected: str = Field(description="The words searched instead when the query as typed found nothing.")
    hits: list[HitOut]


@router.get("/search", response=SearchOut)
def search(request: HttpRequest, filters: Query[SearchQueryIn]) -> home_search.Results:
    """Search everything you may see, best matches first (typo-corrected when nothing matches)."""
    return home_search.search(user=user_of(request), query=filters.q, kind=filters.kind, limit=filters.limit)


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    url: str
    created_at: datetime
    read_at: datetime | None


class ReadIn(Schema):
    ids: list[int] | None = Field(None, description="These notifications; all unread ones when left out.")


class ReadOut(Schema):
    marked: int
    unread: int


@router.get("/notifications", response=list[NotificationOut])
@paginate(Pagination)
def notification_list(request: HttpRequest) -> QuerySet[Notification]:
    """Your notifications, newest first."""
    return selectors.notification_list(user=user_of(request))


@router.post("/notifications/read", response=ReadOut)
def notifications_read(request: HttpRequest, payload: ReadIn) -> dict:
    """Mark your notifications read (all unread, or the ids given)."""
    marked = services.notifications_mark_read(user=user_of(request), ids=payload.ids)
    return {"marked": marked, "unread": selectors.unread_count(user=user_of(request))}


class CommentIn(Schema):
    target: Literal["initiative", "objective", "plan", "decision"]
    target_id: int
    body: str = Field(..., min_length=1, max_length=services.MAX_COMMENT_CHARS)
    parent_id: int | None = None


class CommentPatch(Schema):
    body: str = Field(..., min_length=1, max_length=services.MAX_COMMENT_CHARS)


class CommentOut(Schema):
    id: int
    target: str
    target_id: int
    parent_id: int | None
    author: str | None
    body: str
    created_at: datetime
    version: int

    @staticmethod
    def resolve_author(obj: Comment) -> str | None:
        return obj.author.get_username() if obj.author else None


class CommentFilter(Schema):
    target: Literal["initiative", "objective", "plan", "decision"]
    target_id: int


@router.get("/comments", response=list[CommentOut])
@paginate(Pagination)
def comment_list(request: HttpRequest, filters: Query[CommentFilter]) -> QuerySet[Comment]:
    """The comments on one initiative, objective, plan or decision, oldest first."""
    record = services.target_get(target=filters.target, target_id=filters.target_id, user=user_of(request))
    return Comment.objects.filter(target=filters.target, target_id=record.pk).select_related("author")


@router.post("/comments", response={201: CommentOut})
def comment_create(request: HttpRequest, payload: CommentIn) -> tuple[int, Comment]:
    """Comment (or reply); people @mentioned by login name are notified."""
    return 201, services.comment_create(actor=user_of(request), **payload.dict())


@router.patch("/comments/{comment_id}", response=CommentOut)
def comment_update(
    request: HttpRequest, response: HttpResponse, comment_id: int, payload: CommentPatch
) -> Comment:
    comment = for_write(request, services.comment_get(comment_id=comment_id))
    return with_etag(
        response, services.comment_update(actor=user_of(request), comment=comment, body=payload.body)
    )


@router.delete("/comments/{comment_id}", response={204: None})
def comment_delete(request: HttpRequest, comment_id: int) -> tuple[int, None]:
    comment = for_write(request, services.comment_get(comment_id=comment_id))
    services.comment_delete(actor=user_of(request), comment=comment)
    return 204, None
