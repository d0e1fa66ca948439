"""Fake Jira, Linear and GitHub servers on 127.0.0.1 for the delivery tests, and connections to them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from northstar.delivery.models import Connection
from northstar.delivery.services import connection_save
from tests.delivery.fakes import github, jira, linear


@pytest.fixture
def fake_jira() -> Iterator[jira.FakeJira]:
    fake = jira.FakeJira().start()
    yield fake
    fake.stop()


@pytest.fixture
def fake_linear() -> Iterator[linear.FakeLinear]:
    fake = linear.FakeLinear().start()
    yield fake
    fake.stop()


@pytest.fixture
def fake_github() -> Iterator[github.FakeGitHub]:
    fake = github.FakeGitHub().start()
    yield fake
    fake.stop()


@pytest.fixture
def waits() -> list[float]:
    """Seconds the sync chose to wait (rate limits), recorded instead of slept."""
    return []


def jira_connection(cast, fake: jira.FakeJira, **kw) -> Connection:
    data = {
        "name": "Jira",
        "tool": "jira",
        "base_url": fake.url,
        "account": jira.EMAIL,
        "token": jira.TOKEN,
        "scope": "PAY, CHK",
        "webhook_secret": "jira-secret",
    }
    data.update(kw)
    return connection_save(actor=cast.leader, **data)


def linear_connection(cast, fake: linear.FakeLinear, **kw) -> Connection:
    data = {"name": "Linear", "tool": "linear", "base_url": fake.url, "token": linear.API_KEY, "scope": "ENG"}
    data.update(kw)
    return connection_save(actor=cast.leader, **data)


def github_connection(cast, fake: github.FakeGitHub, **kw) -> Connection:
    data = {
        "name": "GitHub",
        "tool": "github",
        "base_url": fake.url,
        "token": github.TOKEN,
        "scope": "acme/app",
    }
    data.update(kw)
    return connection_save(actor=cast.leader, **data)
