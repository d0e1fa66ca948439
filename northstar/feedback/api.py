"""API of the feedback area: customers, feedback items, links, themes, demand, portal posts and votes.

Portal reads, visitor votes and the widget endpoint are public (`auth=None`): they are guarded by the
same rate limits, honeypot and moderation as the portal pages.
"""

from datetime import date, datetime
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from northstar.core.concurrency import for_write, with_etag
from northstar.core.errors import ValidationFailed
from northstar.core.markdown import render_markdown
from northstar.core.pagination import Pagination
from northstar.core.services import get_or_404
from northstar.core.web import user_of
from northstar.feedback import portal_merge, portal_services, selectors, services, theme_services
from northstar.feedback.clients import client_id
from northstar.feedback.models import (
    Customer,
    EvidenceLink,
    FeedbackItem,
    Moderation,
    Post,
    Segment,
    Source,
    Theme,
)
from northstar.org import access
from northstar.portfolio.models import Initiative

router = Router(tags=["feedback"])


class CustomerIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    segment: Segment = Segment.SMB
    plan: str = ""
    region: str = ""
    annual_revenue: Decimal = Decimal("0")
    currency: str = Field("EUR", min_length=3, max_length=3)
    renewal_date: date | None = None


class CustomerPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    segment: Segment | None = None
    plan: str | None = None
    region: str | None = None
    annual_revenue: Decimal | None = None
    currency: str | None = Field(None, min_length=3, max_length=3)
    renewal_date: date | None = None


class CustomerOut(Schema):
    id: int
    version: int
    name: str
    segment: str
    plan: str
    region: str
    annual_revenue: Decimal
    currency: str
    renewal_date: date | None


class ContactIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    email: str = Field("", max_length=254)
    title: str = ""


class ContactOut(Schema):
    id: int
    customer_id: int
    name: str
    email: str
    title: str


class FeedbackIn(Schema):
    text: str = Field(..., min_length=1, max_length=50_000)
    title: str = ""
    source: Source = Source.API
    author_name: str = ""
    author_email: str = Field("", max_length=254)
    customer_id: int | None = None
    received_at: datetime | None = None
    external_id: str = ""


class FeedbackOut(Schema):
    id: int
    version: int
    source: str
    title: str
    text: str
    author_name: str = Field(..., description="Empty for roles that do not see customers' people.")
    author_email: str = Field(..., description="Empty for roles that do not see customers' people.")
    customer_id: int | None
    received_at: datetime
    external_id: str
    status: str
    theme_id: int | None

    @staticmethod
    def resolve_author_name(obj: FeedbackItem, context: dict) -> str:
        return obj.author_name if access.can_see_customer_people(context["request"].auth) else ""

    @staticmethod
    def resolve_author_email(obj: FeedbackItem, context: dict) -> str:
        return obj.author_email if access.can_see_customer_people(context["request"].auth) else ""


class FeedbackFilterIn(Schema):
    status: str = ""
    source: str = ""
    theme: int | None = None
    customer: int | None = None
    search: str = ""


class StatusIn(Schema):
    status: FeedbackItem.Status = FeedbackItem.Status.PROCESSED


class LinkIn(Schema):
    initiative_id: int
    quote: str = ""


class LinkOut(Schema):
    id: int
    item_id: int
    initiative_id: int
    quote: str
    created_at: datetime


class ThemeOut(Schema):
    id: int
    name: str
    name_locked: bool
    pinned: bool
    size: int
    customers: int = 0
    keywords: list[str]
    embedder: str

    @staticmethod
    def resolve_keywords(obj: Theme) -> list[str]:
        return [k for k, _ in obj.keywords]


class ReclusterIn(Schema):
    n_themes: int | None = Field(None, ge=1, le=5000)


class ReclusterJobOut(Schema):
    id: int
    status: str
    title: str


class SegmentOut(Schema):
    items: int
    customers: int
    revenue: dict[str, Decimal]


class DemandOut(Schema):
    initiative_id: int
    items: int
    customers: int
    revenue: dict[str, Decimal]
    by_segment: dict[str, SegmentOut]
    votes: int


class PostOut(Schema):
    id: int
    board: str
    title: str
    body_html: str
    status: str
    vote_count: int
    created_at: datetime

    @staticmethod
    def resolve_board(obj: Post) -> str:
        return obj.board.slug

    @staticmethod
    def resolve_body_html(obj: Post) -> str:
        return str(render_markdown(obj.body))

    @staticmethod
    def resolve_status(obj: Post) -> str:
        return obj.public_status


class PostIn(Schema):
    board: str
    title: str = Field(..., min_length=1, max_length=200)
    body: str = ""
    author_name: str = ""
    author_email: str = Field("", max_length=254)
    website: str = ""  # the honeypot: people leave it empty


class MergeIn(Schema):
    into: int = Field(..., description="The request this duplicate joins.")


class VoteIn(Schema):
    email: str = Field("", max_length=254)
    website: str = ""


class WidgetIn(Schema):
    key: str
    text: str = Field(..., min_length=1, max_length=5000)
    email: str = Field("", max_length=254)
    name: str = ""
    page: str = ""
    website: str = ""
    token: str = Field("", max_length=4096, description="A token signed by the site's app (portal sign-in).")


class AcceptedOut(Schema):
    id: int
    message: str


# Customers -----------------------------------------------------------------------------------------


@router.get("/customers", response=list[CustomerOut])
@paginate(Pagination)
def customer_list(request: HttpRequest, search: str = "") -> object:
    return selectors.customer_list(search=search)


@router.post("/customers", response={201: CustomerOut})
def customer_create(request: HttpRequest, payload: CustomerIn) -> tuple[int, Customer]:
    return 201, services.customer_create(actor=user_of(request), **payload.dict())


@router.get("/customers/{customer_id}", response=CustomerOut)
def customer_get(request: HttpRequest, response: HttpResponse, customer_id: int) -> Customer:
    return with_etag(response, get_or_404(Customer, customer_id))


@router.patch("/customers/{customer_id}", response=CustomerOut)
def customer_update(
    request: HttpRequest, response: HttpResponse, customer_id: int, payload: CustomerPatch
) -> Customer:
    customer = for_write(request, get_or_404(Customer, customer_id))
    return with_etag(
        response,
        services.customer_update(
            actor=user_of(request), customer=customer, **payload.dict(exclude_unset=True)
        ),
    )


@router.get("/customers/{customer_id}/contacts", response=list[ContactOut])
def contact_list(request: HttpRequest, customer_id: int) -> object:
    access.require_customer_people(user_of(request))
    return get_or_404(Customer, customer_id).contacts.all()


@router.post("/customers/{customer_id}/contacts", response={201: ContactOut})
def contact_create(request: HttpRequest, customer_id: int, payload: ContactIn) -> tuple[int, object]:
    customer = get_or_404(Customer, customer_id)
    return 201, services.contact_create(actor=user_of(request), customer=customer, **payload.dict())


# Feedback ------------------------------------------------------------------------------------------


@router.get("/feedback", response=list[FeedbackOut])
@paginate(Pagination)
def feedback_list(request: HttpRequest, filters: Query[FeedbackFilterIn]) -> object:
    return selectors.item_list(selectors.ItemFilters(**filters.dict()))


@router.post("/feedback", response={201: FeedbackOut})
def feedback_create(request: HttpRequest, payload: FeedbackIn) -> tuple[int, FeedbackItem]:
    return 201, services.feedback_create(actor=user_of(request), **payload.dict())


class TriageManyIn(Schema):
    ids: list[int] = Field(..., min_length=1, max_length=500)
    initiative_id: int | None = Field(None, description="Link them to this idea...")
    title: str = Field("", max_length=200, description="...or make a new idea with this title.")
    product_id: int | None = None


class TriagedOut(Schema):
    initiative_id: int
    linked: int


@router.post("/feedback/triage", response=TriagedOut)
def feedback_triage_many(request: HttpRequest, payload: TriageManyIn) -> dict:
    """Triage many items at once into one idea (an existing one, or a new one made from them); all or
    none. Archive many with POST /archive/feedback."""
    items = services.items_for(payload.ids)
    if payload.initiative_id is not None:
        initiative = get_or_404(Initiative, payload.initiative_id)
        linked = services.feedback_triage_many(actor=user_of(request), items=items, initiative=initiative)
        return {"initiative_id": initiative.pk, "linked": linked}
    if not payload.title.strip():
        raise ValidationFailed("Give initiative_id to link them to an idea, or a title for a new one.")
    idea = services.idea_from_feedback_many(
        actor=user_of(request), items=items, title=payload.title, product_id=payload.product_id
    )
    return {"initiative_id": idea.pk, "linked": len(items)}


@router.get("/feedback/{item_id}", response=FeedbackOut)
def feedback_get(request: HttpRequest, response: HttpResponse, item_id: int) -> FeedbackItem:
    return with_etag(response, get_or_404(FeedbackItem, item_id))


@router.post("/feedback/{item_id}/status", response=FeedbackOut)
def feedback_status(request: HttpRequest, item_id: int, payload: StatusIn) -> FeedbackItem:
    item = get_or_404(FeedbackItem, item_id)
    services.feedback_set_status(actor=user_of(request), items=[item], status=payload.status)
    return get_or_404(FeedbackItem, item_id)


@router.get("/feedback/{item_id}/links", response=list[LinkOut])
def link_list(request: HttpRequest, item_id: int) -> object:
    return EvidenceLink.objects.filter(item_id=get_or_404(FeedbackItem, item_id).pk)


@router.post("/feedback/{item_id}/links", response={201: LinkOut})
def link_create(request: HttpRequest, item_id: int, payload: LinkIn) -> tuple[int, EvidenceLink]:
    item = get_or_404(FeedbackItem, item_id)
    initiative = get_or_404(Initiative, payload.initiative_id)
    return 201, services.link_create(
        actor=user_of(request), item=item, initiative=initiative, quote=payload.quote
    )


@router.delete("/links/{link_id}", response={204: None})
def link_delete(request: HttpRequest, link_id: int) -> tuple[int, None]:
    services.link_delete(actor=user_of(request), link=for_write(request, get_or_404(EvidenceLink, link_id)))
    return 204, None


# Themes and demand ---------------------------------------------------------------------------------


@router.get("/themes", response=list[ThemeOut])
@paginate(Pagination)
def theme_list(request: HttpRequest) -> object:
    return selectors.theme_list()


@router.post("/themes/recluster", response={202: ReclusterJobOut})
def theme_recluster(request: HttpRequest, payload: ReclusterIn) -> tuple[int, object]:
    return 202, theme_services.themes_recluster_start(actor=user_of(request), n_themes=payload.n_themes)


@router.get("/themes/{theme_id}", response=ThemeOut)
def theme_get(request: HttpRequest, response: HttpResponse, theme_id: int) -> Theme:
    return with_etag(response, get_or_404(Theme, theme_id))


@router.get("/demand", response=list[DemandOut])
def demand(request: HttpRequest, initiative_ids: str) -> list:
    """Demand per initiative: `?initiative_ids=1,2,3`."""
    try:
        ids = [int(x) for x in initiative_ids.split(",") if x.strip()]
    except ValueError:
        raise ValidationFailed("initiative_ids is a comma-separated list of ids.") from None
    if len(ids) > 1000:
        raise ValidationFailed("Ask for at most 1,000 initiatives at a time.")
    return list(selectors.demand_for_initiatives(ids).values())


# Portal (public) -----------------------------------------------------------------------------------


@router.get("/portal/posts", response=list[PostOut], auth=None)
@paginate(Pagination)
def post_list(request: HttpRequest, board: str = "", sort: str = "top") -> object:
    the_board = None
    if board:
        the_board = selectors.public_boards().filter(slug=board).first()
        if the_board is None:
            return Post.objects.none()
    return selectors.public_posts(board=the_board, sort=sort)


@router.post("/portal/posts", response={201: AcceptedOut}, auth=None)
def post_submit(request: HttpRequest, payload: PostIn) -> tuple[int, dict]:
    board = selectors.public_boards().filter(slug=payload.board).first()
    if board is None:
        raise ValidationFailed(f"No public board {payload.board!r}.")
    user = request.user if request.user.is_authenticated else None
    post = portal_services.post_submit(
        board=board,
        title=payload.title,
        body=payload.body,
        author_name=payload.author_name,
        author_email=payload.author_email,
        user=user,
        client=client_id(request),
        honeypot=payload.website,
        base_url=request.build_absolute_uri("/"),
    )
    message = "Waiting for moderation." if post.moderation == Moderation.PENDING else "Posted."
    if not post.vote_count:
        message += " The author's vote counts once they open the link we emailed them."
    return 201, {"id": post.pk, "message": message}


@router.post("/portal/posts/{post_id}/merge", response=PostOut)
def post_merge(request: HttpRequest, post_id: int, payload: MergeIn) -> Post:
    """Merge a duplicate request into another (team only): its votes, comments and followers move."""
    source = get_or_404(Post, post_id)
    target = get_or_404(Post, payload.into)
    return portal_merge.post_merge(actor=user_of(request), source=source, target=target)


class VotePendingOut(Schema):
    message: str


@router.post("/portal/posts/{post_id}/votes", response={201: PostOut, 202: VotePendingOut}, auth=None)
def vote_cast(request: HttpRequest, post_id: int, payload: VoteIn) -> tuple[int, Post | dict]:
    """201 with the post when the vote counts at once (signed in); 202 when a visitor must first
    open the link emailed to them."""
    post = get_or_404(Post, post_id, queryset=selectors.visible_posts().select_related("board", "initiative"))
    user = request.user if request.user.is_authenticated else None
    vote = portal_services.vote_cast(
        post=post,
        user=user,
        email=payload.email,
        client=client_id(request),
        honeypot=payload.website,
        base_url=request.build_absolute_uri("/"),
    )
    if vote.confirmed_at:
        return 201, post
    return 202, {"message": f"We emailed a link to {vote.email}: the vote counts once it is confirmed there."}


def _cors(request: HttpRequest, response: HttpResponse, key: str) -> HttpResponse:
    """Let the registered site's pages read the widget's answer (and nobody else's)."""
    origin = request.headers.get("Origin", "")
    site = portal_services.WidgetSite.objects.filter(key=key, active=True).first() if key else None
    if site is not None and origin and (not site.allowed_origin or origin == site.allowed_origin):
        response["Access-Control-Allow-Origin"] = origin
        response["Vary"] = "Origin"
    return response


@router.post("/widget/feedback", response={201: AcceptedOut}, auth=None)
def widget_feedback(request: HttpRequest, response: HttpResponse, payload: WidgetIn) -> tuple[int, dict]:
    """The in-app widget posts here with its site's key (sent as text/plain, so no preflight)."""
    _cors(request, response, payload.key)
    item = portal_services.widget_submit(
        key=payload.key,
        text=payload.text,
        email=payload.email,
        name=payload.name,
        page=payload.page,
        client=client_id(request),
        honeypot=payload.website,
        origin=request.headers.get("Origin", ""),
        token=payload.token,
    )
    return 201, {"id": item.pk, "message": "Thanks for your feedback!"}
