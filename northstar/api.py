"""The one NinjaAPI object: authentication and error mapping are set here, once, for every router."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer

from northstar.core.errors import ApplicationError, PermissionDenied
from northstar.core.models import ApiToken, User
from northstar.core.services import api_token_find

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class TokenAuth(HttpBearer):
    """`Authorization: Bearer nst_…` with a personal access token (refused once expired); a read
    token may only read."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        found = api_token_find(token)
        if found is None:
            return None
        if found.scope != ApiToken.Scope.WRITE and request.method not in SAFE_METHODS:
            raise PermissionDenied(
                f"The token “{found.name}” may only read: create one with the write scope."
            )
        request.user = found.user
        return found.user


class BrowserSessionAuth(APIKeyCookie):
    """The signed-in browser session (CSRF-checked), so the web UI can call the API too."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None


class Error(Schema):
    """Every refusal: what was wrong in words, and the details a program can act on."""

    message: str
    detail: Any


#: What each refusal means, documented on every operation that can give it.
ERRORS = {
    400: "Malformed input (not JSON, or text with a NUL character).",
    401: "No valid personal access token or session.",
    403: "Your role or product lines do not allow this (or a session write failed the CSRF check).",
    404: "A record named in the address or the body does not exist.",
    409: "The change clashes with what is stored (a duplicate, a cycle, a record still in use).",
    412: "If-Match names an older version: someone changed the record since you read it.",
    422: "The input is well-formed but not valid; `detail` says which field and why.",
    429: "Too many requests from you in a short time: wait a few minutes.",
}
WRITES = {"post", "put", "patch", "delete"}


class NorthstarAPI(NinjaAPI):
    """The NinjaAPI whose OpenAPI also documents the error answers (4xx, {"message", "detail"})."""

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict | None = None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema["components"].setdefault("schemas", {})["Error"] = Error.model_json_schema()
        for operations in schema["paths"].values():
            for method, operation in operations.items():
                for status in _error_statuses(method, public=not operation.get("security")):
                    operation["responses"].setdefault(
                        str(status),
                        {
                            "description": ERRORS[status],
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                            },
                        },
                    )
        return schema


def _error_statuses(method: str, *, public: bool) -> list[int]:
    statuses = [400, 403, 404, 422]
    if not public:
        statuses.append(401)
    if method in WRITES:
        statuses += [409, 412]
    if public:
        statuses.append(429)
    return sorted(statuses)


api = NorthstarAPI(
    title="Northstar API",
    version="1",
    description="Product organisation, portfolio and audit log. Authenticate with a personal access token "
    "(create one under Settings → API tokens) sent as `Authorization: Bearer <token>`.",
    auth=[TokenAuth(), BrowserSessionAuth()],
    urls_namespace="api",
)


def _error(request: HttpRequest, status: int, message: str, detail: object = None) -> HttpResponse:
    return api.create_response(request, {"message": message, "detail": detail}, status=status)


@api.exception_handler(ApplicationError)
def application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return _error(request, exc.status_code, exc.message, exc.detail)


@api.exception_handler(NinjaValidationError)
def invalid_input(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    parts = []
    for error in exc.errors:
        where = ".".join(str(p) for p in error.get("loc", ()) if p not in {"body", "payload", "query"})
        parts.append(f"{where or 'input'}: {error.get('msg', 'invalid')}")
    detail = [{k: v for k, v in e.items() if k in {"loc", "msg", "type"}} for e in exc.errors]
    return _error(request, 422, "Invalid input: " + "; ".join(parts), detail)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(
        request,
        401,
        "Authentication required: send a personal access token as 'Authorization: Bearer <token>'.",
    )


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, str(exc) or "Not found.")


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, str(exc))


def _mount() -> None:
    from northstar.analytics.api import router as analytics_router
    from northstar.core.api import router as core_router
    from northstar.delivery.api import router as delivery_router
    from northstar.feedback.api import router as feedback_router
    from northstar.finance.api import router as finance_router
    from northstar.home.api import router as home_router
    from northstar.market.api import router as market_router
    from northstar.org.api import router as org_router
    from northstar.people.api import router as people_router
    from northstar.planning.api import router as planning_router
    from northstar.portfolio.api import router as portfolio_router
    from northstar.reports.api import router as reports_router
    from northstar.strategy.api import router as strategy_router

    for router in (
        core_router,
        org_router,
        portfolio_router,
        strategy_router,
        feedback_router,
        planning_router,
        people_router,
        finance_router,
        delivery_router,
        analytics_router,
        market_router,
        reports_router,
        home_router,
    ):
        api.add_router("/", router)


_mount()
