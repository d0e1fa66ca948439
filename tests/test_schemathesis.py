"""Schemathesis over the whole OpenAPI, as the outside tester ran it: every operation gets generated
requests (valid and invalid, with random ids and with ids of records that exist), as an admin and as a
stakeholder, against the demo company. Zero server errors and zero status codes the OpenAPI does not
document are allowed, and no write a stakeholder sends may change product data.

Bounded and deterministic: a fixed number of examples per operation, derandomised generation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from django.apps import apps
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from northstar.core.models import User
from northstar.core.roles import Role
from northstar.core.services import api_token_create
from northstar.demo import load_demo
from tests import factories

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
#: Examples per operation and generation mode: about 1,500 requests per role in well under a minute.
EXAMPLES = 4
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
#: Writes a stakeholder may make: their own API tokens, and what any visitor may do on the public portal.
STAKEHOLDER_MAY = {
    ("POST", "/api/v1/tokens"),
    ("DELETE", "/api/v1/tokens/{token_id}"),
    ("POST", "/api/v1/portal/posts"),
    ("POST", "/api/v1/portal/posts/{post_id}/votes"),
    ("POST", "/api/v1/widget/feedback"),
    # Anyone signed in discusses what they read (their own comments) and reads their notifications.
    ("POST", "/api/v1/comments"),
    ("PATCH", "/api/v1/comments/{comment_id}"),
    ("DELETE", "/api/v1/comments/{comment_id}"),
    ("POST", "/api/v1/notifications/read"),
}
#: Tables a stakeholder's writes may touch (the portal's visitor tables and their own tokens).
STAKEHOLDER_TABLES = {
    "core.apitoken",
    "feedback.post",
    "feedback.vote",
    "feedback.feedbackitem",
    "home.comment",  # their comments, with the audit entries and the notifications they cause
    "home.notification",
    "core.auditentry",
}


@dataclass
class Findings:
    problems: list[str] = field(default_factory=list)
    stakeholder_writes: list[str] = field(default_factory=list)
    requests: int = 0


def _ids() -> dict[str, list[int]]:
    """Ids of records that exist, per path parameter name (`initiative_id` → initiatives...)."""
    known: dict[str, list[int]] = {}
    for model in apps.get_models():
        if not model.__module__.startswith("northstar."):
            continue
        pks = list(model._default_manager.order_by("pk").values_list("pk", flat=True)[:3])
        if pks and isinstance(pks[0], int):
            known[f"{model._meta.model_name}_id"] = pks
    aliases = {
        "line_id": "productline_id",
        "item_id": "feedbackitem_id",
        "link_id": "evidencelink_id",
        "key_result_id": "keyresult_id",
        "run_id": "planrun_id",
        "token_id": "apitoken_id",
    }
    for name, source in aliases.items():
        if source in known:
            known[name] = known[source]
    return known


def _label(case: Any) -> str:
    return f"{case.method} {case.path}"


def _counts() -> dict[str, int]:
    return {
        m._meta.label_lower: m._default_manager.count()
        for m in apps.get_models()
        if m.__module__.startswith("northstar.") and not m._meta.label_lower.startswith("core.job")
    }


def _run(schema: Any, token: str, findings: Findings, *, stakeholder: bool) -> None:
    known = _ids()
    headers = {"Authorization": f"Bearer {token}"}
    for result in schema.get_all_operations():
        operation = result.ok()
        names = [p.name for p in operation.path_parameters]
        fixed = {n: known[n][0] for n in names if n in known}
        variants: list[tuple[GenerationMode, dict]] = [(GenerationMode.POSITIVE, {})]
        if fixed:
            variants.append((GenerationMode.POSITIVE, fixed))
        variants.append((GenerationMode.NEGATIVE, fixed))
        for mode, path_parameters in variants:
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters or None)
            _drive(strategy, headers, findings, stakeholder=stakeholder)


def _drive(strategy: Any, headers: dict, findings: Findings, *, stakeholder: bool) -> None:
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def one(case: Any) -> None:
        findings.requests += 1
        response = case.call(headers=headers)
        try:
            case.validate_response(response, checks=CHECKS)
        except FailureGroup as group:
            for failure in group.exceptions:
                findings.problems.append(
                    f"{_label(case)} → {response.status_code}: {failure.title} "
                    f"({_short(response.text)}) [{case.as_curl_command()}]"
                )
        except AssertionError as exc:  # a single failed check
            findings.problems.append(f"{_label(case)} → {response.status_code}: {_short(str(exc))}")
        allowed = (case.method, case.path) in STAKEHOLDER_MAY
        if stakeholder and case.method in WRITES and response.status_code < 400 and not allowed:
            findings.stakeholder_writes.append(f"{_label(case)} → {response.status_code}")

    one()


def _short(text: str) -> str:
    return re.sub(r"\s+", " ", text)[:300]


@pytest.fixture
def demo(db: None) -> Iterator[None]:
    """The demo company, served in-process: like Django's test client, keep the test's database
    connection (and its transaction) open across requests."""
    load_demo()
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _token(role: str) -> str:
    user = factories.make_user(role, username=f"schemathesis-{role}")
    return api_token_create(user=user, name="schemathesis")[1]


def test_the_whole_api_gives_no_server_error_and_no_undocumented_status(demo: None) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    findings = Findings()
    # The stakeholder first, while every record of the demo is still there; then the admin, who may
    # change and delete anything.
    stakeholder_token = _token(Role.STAKEHOLDER)
    before = _counts()
    _run(schema, stakeholder_token, findings, stakeholder=True)
    after = _counts()
    changed = {
        k: (before[k], after[k]) for k in before if before[k] != after[k] and k not in STAKEHOLDER_TABLES
    }
    _run(schema, _token(Role.ADMIN), findings, stakeholder=False)
    assert User.objects.filter(role=Role.STAKEHOLDER).exists()
    assert findings.requests > 500
    assert findings.problems == [], "\n".join(sorted(set(findings.problems))[:60])
    assert findings.stakeholder_writes == [], findings.stakeholder_writes
    assert changed == {}, f"a stakeholder's requests changed product data: {changed}"


@pytest.mark.django_db
def test_the_openapi_documents_errors_and_bounds_pages(client: Any) -> None:
    """Guard: the OpenAPI schemathesis walks is the one the app serves, with error answers documented."""
    spec = client.get("/api/v1/openapi.json").json()
    operations = [(m.upper(), p) for p, ops in spec["paths"].items() for m in ops]
    assert len(operations) > 90
    for path, ops in spec["paths"].items():
        for method, operation in ops.items():
            codes = set(operation["responses"])
            assert {"400", "403", "404", "422"} <= codes, (method, path)
            for parameter in operation.get("parameters", []):
                if parameter["name"] == "page":
                    assert parameter["schema"]["maximum"] <= 1_000_000, (method, path)
