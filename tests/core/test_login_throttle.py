"""Sign-in throttling: wrong passwords are counted per account and per address, and once either is
locked, tries are refused before any password is hashed, so guessing neither succeeds nor loads the
server."""

from __future__ import annotations

import logging

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client
from django.urls import reverse

from tests import factories

LIMIT = 5


@pytest.fixture
def hashed(monkeypatch) -> set[str]:
    """The passwords the server hashed or checked during the test (each try sends a different one)."""
    calls: set[str] = set()
    real_verify, real_encode = MD5PasswordHasher.verify, MD5PasswordHasher.encode

    def verify(self, password, encoded):
        calls.add(password)
        return real_verify(self, password, encoded)

    def encode(self, password, salt):
        calls.add(password)
        return real_encode(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "verify", verify)
    monkeypatch.setattr(MD5PasswordHasher, "encode", encode)
    return calls


def _sign_in(username: str, password: str, address: str = "203.0.113.7") -> int:
    client = Client(REMOTE_ADDR=address)
    return client.post(reverse("core:login"), {"username": username, "password": password}).status_code


def test_fifty_wrong_passwords_lock_the_account_and_the_right_one_then_fails(cast, hashed, settings):
    settings.AXES_FAILURE_LIMIT = LIMIT
    codes = [_sign_in("pm", f"guess-{n}", address=f"198.51.100.{n}") for n in range(50)]
    assert codes[: LIMIT - 1] == [200] * (LIMIT - 1)  # the form again, with "wrong password"
    assert set(codes[LIMIT:]) == {429}
    assert len(hashed) == LIMIT  # only the first tries reached the password hasher
    assert _sign_in("pm", factories.PASSWORD, address="198.51.100.200") == 429  # right password, locked
    assert _sign_in("leader", factories.PASSWORD, address="198.51.100.201") == 302  # others sign in


def test_one_address_trying_many_accounts_is_locked(cast, hashed, settings):
    settings.AXES_FAILURE_LIMIT = LIMIT
    codes = [_sign_in(f"user{n}", f"wrong-{n}") for n in range(20)]
    assert set(codes[LIMIT:]) == {429}
    assert len(hashed) == LIMIT
    assert _sign_in("pm", factories.PASSWORD) == 429  # that address is paused, even with a good password
    assert _sign_in("pm", factories.PASSWORD, address="192.0.2.44") == 302  # from elsewhere it works


def test_the_lockout_page_says_why_and_for_how_long(cast, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        _sign_in("pm", "wrong-password")
    response = Client(REMOTE_ADDR="203.0.113.7").post(
        reverse("core:login"), {"username": "pm", "password": "wrong-password"}
    )
    body = response.content.decode()
    assert response.status_code == 429
    assert "Too many sign-in attempts" in body and "<strong>pm</strong>" in body and "0:15:00" in body


def test_a_good_sign_in_clears_the_count(cast, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(2):
        _sign_in("pm", "wrong-password")
    assert _sign_in("pm", factories.PASSWORD) == 302
    for _ in range(2):
        assert _sign_in("pm", "wrong-password") == 200  # counting starts again
    assert _sign_in("pm", factories.PASSWORD) == 302


def test_lockouts_are_logged(cast, settings, caplog):
    settings.AXES_FAILURE_LIMIT = 2
    with caplog.at_level(logging.WARNING, logger="axes"):
        for _ in range(3):
            _sign_in("pm", "wrong-password")
    assert any("locking out" in r.getMessage().lower() for r in caplog.records)
