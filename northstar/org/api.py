"""API: people, product lines, products and teams. Thin: parse, call a service or selector, return."""

from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from northstar.core.concurrency import for_write, with_etag
from northstar.core.pagination import Pagination
from northstar.core.services import get_or_404
from northstar.core.web import user_of
from northstar.org import selectors, services
from northstar.org.models import Person, Product, ProductLine, Team

router = Router()


# People ------------------------------------------------------------------------------------------


class PersonIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    email: str
    title: str = Field(..., min_length=1, max_length=120)
    level: str
    manager_id: int | None = None


class PersonPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    email: str | None = None
    title: str | None = Field(None, min_length=1, max_length=120)
    level: str | None = None
    manager_id: int | None = None


class PersonOut(Schema):
    id: int
    version: int
    name: str
    email: str
    title: str
    level: str
    manager_id: int | None


class PersonFilter(Schema):
    search: str = ""
    level: str = ""


def _changes(payload: Schema) -> dict:
    """Only the fields the caller sent, so PATCH never blanks what it did not mention."""
    return payload.dict(exclude_unset=True)


@router.get("/people", response=list[PersonOut], tags=["people"])
@paginate(Pagination)
def person_list(request: HttpRequest, filters: Query[PersonFilter]) -> object:
    return selectors.person_list(**filters.dict())


@router.post("/people", response={201: PersonOut}, tags=["people"])
def person_create(request: HttpRequest, payload: PersonIn) -> tuple[int, Person]:
    return 201, services.person_create(actor=user_of(request), **payload.dict())


@router.get("/people/{person_id}", response=PersonOut, tags=["people"])
def person_get(request: HttpRequest, response: HttpResponse, person_id: int) -> Person:
    return with_etag(response, get_or_404(Person, person_id))


@router.patch("/people/{person_id}", response=PersonOut, tags=["people"])
def person_update(
    request: HttpRequest, response: HttpResponse, person_id: int, payload: PersonPatch
) -> Person:
    person = for_write(request, get_or_404(Person, person_id))
    return with_etag(
        response, services.person_update(actor=user_of(request), person=person, **_changes(payload))
    )


@router.delete("/people/{person_id}", response={204: None}, tags=["people"])
def person_delete(request: HttpRequest, person_id: int) -> tuple[int, None]:
    services.person_delete(actor=user_of(request), person=for_write(request, get_or_404(Person, person_id)))
    return 204, None


# Product lines -----------------------------------------------------------------------------------


class LineIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    description: str = ""
    director_id: int
    owner_ids: list[int] = []


class LinePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    description: str | None = None
    director_id: int | None = None
    owner_ids: list[int] | None = None


class LineOut(Schema):
    id: int
    version: int
    name: str
    description: str
    director_id: int
    owner_ids: list[int]
    team_ids: list[int]
    product_ids: list[int]

    @staticmethod
    def resolve_owner_ids(obj: ProductLine) -> list[int]:
        return [p.pk for p in obj.owners.all()]

    @staticmethod
    def resolve_team_ids(obj: ProductLine) -> list[int]:
        return [t.pk for t in obj.teams.all()]

    @staticmethod
    def resolve_product_ids(obj: ProductLine) -> list[int]:
        return [p.pk for p in obj.products.all()]


@router.get("/lines", response=list[LineOut], tags=["product lines"])
@paginate(Pagination)
def line_list(request: HttpRequest) -> object:
    return selectors.line_list()


@router.post("/lines", response={201: LineOut}, tags=["product lines"])
def line_create(request: HttpRequest, payload: LineIn) -> tuple[int, ProductLine]:
    return 201, services.line_create(actor=user_of(request), **payload.dict())


@router.get("/lines/{line_id}", response=LineOut, tags=["product lines"])
def line_get(request: HttpRequest, response: HttpResponse, line_id: int) -> ProductLine:
    return with_etag(response, get_or_404(ProductLine, line_id, queryset=selectors.line_list()))


@router.patch("/lines/{line_id}", response=LineOut, tags=["product lines"])
def line_update(
    request: HttpRequest, response: HttpResponse, line_id: int, payload: LinePatch
) -> ProductLine:
    line = for_write(request, get_or_404(ProductLine, line_id))
    return with_etag(response, services.line_update(actor=user_of(request), line=line, **_changes(payload)))


@router.delete("/lines/{line_id}", response={204: None}, tags=["product lines"])
def line_delete(request: HttpRequest, line_id: int) -> tuple[int, None]:
    services.line_delete(actor=user_of(request), line=for_write(request, get_or_404(ProductLine, line_id)))
    return 204, None


# Products ----------------------------------------------------------------------------------------


class ProductIn(Schema):
    line_id: int
    name: str = Field(..., min_length=1, max_length=120)
    description: str = ""


class ProductPatch(Schema):
    line_id: int | None = None
    name: str | None = Field(None, min_length=1, max_length=120)
    description: str | None = None


class ProductOut(Schema):
    id: int
    version: int
    line_id: int
    name: str
    description: str


class LineFilter(Schema):
    line_id: int | None = None


@router.get("/products", response=list[ProductOut], tags=["products"])
@paginate(Pagination)
def product_list(request: HttpRequest, filters: Query[LineFilter]) -> object:
    return selectors.product_list(**filters.dict())


@router.post("/products", response={201: ProductOut}, tags=["products"])
def product_create(request: HttpRequest, payload: ProductIn) -> tuple[int, Product]:
    return 201, services.product_create(actor=user_of(request), **payload.dict())


@router.get("/products/{product_id}", response=ProductOut, tags=["products"])
def product_get(request: HttpRequest, response: HttpResponse, product_id: int) -> Product:
    return with_etag(response, get_or_404(Product, product_id))


@router.patch("/products/{product_id}", response=ProductOut, tags=["products"])
def product_update(
    request: HttpRequest, response: HttpResponse, product_id: int, payload: ProductPatch
) -> Product:
    product = for_write(request, get_or_404(Product, product_id))
    return with_etag(
        response, services.product_update(actor=user_of(request), product=product, **_changes(payload))
    )


@router.delete("/products/{product_id}", response={204: None}, tags=["products"])
def product_delete(request: HttpRequest, product_id: int) -> tuple[int, None]:
    services.product_delete(
        actor=user_of(request), product=for_write(request, get_or_404(Product, product_id))
    )
    return 204, None


# Teams -------------------------------------------------------------------------------------------


class TeamIn(Schema):
    line_id: int
    name: str = Field(..., min_length=1, max_length=120)
    skills: list[str] = []
    member_ids: list[int] = []
    cost_rate: Decimal = Field(Decimal("0"), ge=0)
    currency: str = Field("EUR", min_length=3, max_length=3)


class TeamPatch(Schema):
    line_id: int | None = None
    name: str | None = Field(None, min_length=1, max_length=120)
    skills: list[str] | None = None
    member_ids: list[int] | None = None
    cost_rate: Decimal | None = Field(None, ge=0)
    currency: str | None = Field(None, min_length=3, max_length=3)


class TeamOut(Schema):
    id: int
    version: int
    line_id: int
    name: str
    skills: list[str]
    member_ids: list[int]
    cost_rate: Decimal
    currency: str

    @staticmethod
    def resolve_skills(obj: Team) -> list[str]:
        return [s.name for s in obj.skills.all()]

    @staticmethod
    def resolve_member_ids(obj: Team) -> list[int]:
        return [m.pk for m in obj.members.all()]


@router.get("/teams", response=list[TeamOut], tags=["teams"])
@paginate(Pagination)
def team_list(request: HttpRequest, filters: Query[LineFilter]) -> object:
    return selectors.team_list(**filters.dict())


@router.post("/teams", response={201: TeamOut}, tags=["teams"])
def team_create(request: HttpRequest, payload: TeamIn) -> tuple[int, Team]:
    return 201, services.team_create(actor=user_of(request), **payload.dict())


@router.get("/teams/{team_id}", response=TeamOut, tags=["teams"])
def team_get(request: HttpRequest, response: HttpResponse, team_id: int) -> Team:
    return with_etag(response, get_or_404(Team, team_id, queryset=selectors.team_list()))


@router.patch("/teams/{team_id}", response=TeamOut, tags=["teams"])
def team_update(request: HttpRequest, response: HttpResponse, team_id: int, payload: TeamPatch) -> Team:
    team = for_write(request, get_or_404(Team, team_id))
    return with_etag(response, services.team_update(actor=user_of(request), team=team, **_changes(payload)))


@router.delete("/teams/{team_id}", response={204: None}, tags=["teams"])
def team_delete(request: HttpRequest, team_id: int) -> tuple[int, None]:
    services.team_delete(actor=user_of(request), team=for_write(request, get_or_404(Team, team_id)))
    return 204, None
