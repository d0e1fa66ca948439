"""Single sign-on against a real OpenID provider (oidc-provider, OpenID Certified) on 127.0.0.1.

Nothing here is mocked: the provider signs real ID tokens with its own key, and Northstar fetches its
keys, tokens and userinfo over HTTP. The refused cases tamper only with what an attacker controls
(the callback URL, a token issued to another app) or with our own session.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import SuspiciousOperation
from django.test import Client
from django.urls import reverse

from northstar.core.models import AuditEntry, SignOnIdentity, User
from northstar.core.roles import Role
from northstar.core.sign_on import SignOnBackend, role_for_groups
from tests import factories
from tests.oidc import (
    ACCOUNTS,
    OTHER_CLIENT_ID,
    OTHER_CLIENT_SECRET,
    ROLE_MAP,
    Provider,
    ProviderSession,
    running_provider,
)

APP = "http://testserver"


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with running_provider(app_urls=[APP]) as running:
        yield running


@pytest.fixture
def sso(settings, provider: Provider) -> Provider:
    for name, value in provider.django_settings().items():
        setattr(settings, name, value)
    return provider


def _start(client: Client, next_url: str = "") -> str:
    response = client.get(reverse("core:sso_login") + (f"?next={next_url}" if next_url else ""))
    assert response.status_code == 302
    return response["Location"]


def sign_in(client: Client, sso: Provider, username: str, *, browser: ProviderSession | None = None):
    """The whole flow: Northstar → the provider's login page → back to Northstar's callback."""
    browser = browser or ProviderSession(sso)
    callback = browser.authorize(_start(client), username, ACCOUNTS[username]["password"])
    assert callback.startswith(f"{APP}/sso/callback/")
    return client.get(callback)


def _signed_in_user(client: Client) -> User | None:
    user_id = client.session.get(SESSION_KEY)
    return User.objects.get(pk=user_id) if user_id else None


def _login_page_message(client: Client) -> str:
    page = client.get(reverse("core:login"))
    return page.content.decode()


# Group -> role mapping ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("groups", "unknown", "role"),
    [
        (["product-managers"], "stakeholder", Role.PRODUCT_MANAGER),
        (["product-managers", "northstar-admins"], "stakeholder", Role.ADMIN),  # the strongest wins
        (["everyone", "product-leadership"], "refuse", Role.LEADER),
        (["finance"], "stakeholder", Role.STAKEHOLDER),  # no mapped group: the least role
        (["finance"], "refuse", None),  # ... or no way in
        ([], "stakeholder", Role.STAKEHOLDER),
    ],
)
def test_groups_map_to_the_strongest_mapped_role(groups, unknown, role):
    assert role_for_groups(groups, mapping=ROLE_MAP, unknown=unknown) == role


# The flow against the real provider --------------------------------------------------------------


@pytest.mark.django_db
def test_first_sign_in_creates_the_account_with_its_role_and_the_second_reuses_it(client, sso):
    response = sign_in(client, sso, "alice")
    assert response.status_code == 302 and response["Location"] == reverse("core:home")
    user = _signed_in_user(client)
    assert user is not None
    assert (user.username, user.email, user.first_name, user.last_name) == (
        "alice",
        "alice@example.com",
        "Alice",
        "Leader",
    )
    assert user.role == Role.LEADER
    assert not user.has_usable_password()  # no local password to guess or leak
    identity = SignOnIdentity.objects.get(user=user)
    assert identity.issuer == sso.issuer and identity.subject == "alice"
    entries = AuditEntry.objects.filter(record_type="core.user", record_id=str(user.pk))
    assert entries.filter(action="create").exists()
    assert "password" not in str(list(entries.values_list("changes", flat=True)))
    assert client.get(reverse("core:home")).status_code == 200

    client.post(reverse("core:logout"))
    sign_in(client, sso, "alice")
    assert _signed_in_user(client) == user
    assert User.objects.filter(email="alice@example.com").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "role"),
    [("bob", Role.PRODUCT_MANAGER), ("dana", Role.ADMIN), ("carol", Role.STAKEHOLDER)],
)
def test_each_account_gets_the_role_its_groups_map_to(client, sso, username, role):
    sign_in(client, sso, username)
    user = _signed_in_user(client)
    assert user is not None and user.role == role
    assert user.is_staff == (role == Role.ADMIN)


@pytest.mark.django_db
def test_unmapped_groups_are_refused_when_configured_so(client, sso, settings):
    settings.SSO_UNKNOWN_GROUPS = "refuse"
    response = sign_in(client, sso, "carol")
    assert response.status_code == 302 and response["Location"] == reverse("core:login")
    assert _signed_in_user(client) is None
    assert not User.objects.filter(email="carol@example.com").exists()
    assert "no group that gives a Northstar role" in _login_page_message(client)


@pytest.mark.django_db
def test_a_changed_mapping_changes_the_role_at_the_next_sign_in_and_is_audited(client, sso, settings):
    sign_in(client, sso, "bob")
    bob = _signed_in_user(client)
    assert bob is not None and bob.role == Role.PRODUCT_MANAGER
    client.post(reverse("core:logout"))
    settings.SSO_ROLE_MAP = {**ROLE_MAP, "product-managers": "leader"}
    sign_in(client, sso, "bob")
    bob.refresh_from_db()
    assert bob.role == Role.LEADER
    entry = AuditEntry.objects.filter(record_id=str(bob.pk), action="update").first()
    assert entry is not None and entry.changes["role"] == ["pm", "leader"]


@pytest.mark.django_db
def test_a_local_account_with_the_same_name_and_email_is_not_taken_over(client, sso):
    local = factories.make_user(Role.ADMIN, username="alice", email="alice@example.com")
    sign_in(client, sso, "alice")
    user = _signed_in_user(client)
    assert user is not None and user != local
    assert user.username == "alice-2" and user.role == Role.LEADER
    local.refresh_from_db()
    assert local.role == Role.ADMIN and local.has_usable_password()


@pytest.mark.django_db
def test_a_switched_off_login_cannot_sign_on(client, sso):
    sign_in(client, sso, "bob")
    bob = _signed_in_user(client)
    assert bob is not None
    client.post(reverse("core:logout"))
    User.objects.filter(pk=bob.pk).update(is_active=False)
    sign_in(client, sso, "bob")
    assert _signed_in_user(client) is None
    assert "switched off" in _login_page_message(client)


@pytest.mark.django_db
def test_the_next_page_survives_the_round_trip(client, sso):
    browser = ProviderSession(sso)
    callback = browser.authorize(_start(client, "/audit/"), "alice", ACCOUNTS["alice"]["password"])
    response = client.get(callback)
    assert response["Location"] == "/audit/"


@pytest.mark.django_db
def test_a_wrong_password_at_the_provider_never_reaches_northstar(client, sso):
    browser = ProviderSession(sso)
    assert browser.open(_start(client)) is None  # the provider's login page
    assert browser.submit_form({"username": "alice", "password": "wrong"}) is None
    assert "Wrong username or password" in browser.page_text()
    assert _signed_in_user(client) is None


# Logout -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_logout_ends_both_sessions_through_the_provider(client, sso):
    browser = ProviderSession(sso)
    sign_in(client, sso, "bob", browser=browser)
    response = client.post(reverse("core:logout"))
    assert _signed_in_user(client) is None  # signed out of Northstar at once
    end_session = response["Location"]
    assert end_session.startswith(sso.discovered["NORTHSTAR_OIDC_END_SESSION_ENDPOINT"])
    query = parse_qs(urlsplit(end_session).query)
    assert query["post_logout_redirect_uri"] == [f"{APP}/login/"] and query["id_token_hint"]

    assert browser.open(end_session) is None  # the provider asks to confirm
    back = browser.submit_form({"logout": "yes"})
    assert back == f"{APP}/login/"
    # The provider's session is over too: the next sign-in asks for the password again.
    assert browser.open(_start(client)) is None
    assert 'name="password"' in browser.page_text()


@pytest.mark.django_db
def test_a_password_sign_out_stays_local(cast, client):
    client.force_login(cast.pm)
    response = client.post(reverse("core:logout"))
    assert response["Location"] == reverse("core:login")


# Refused sign-ins ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_forged_state_is_refused(client, sso):
    browser = ProviderSession(sso)
    callback = browser.authorize(_start(client), "alice", ACCOUNTS["alice"]["password"])
    forged = callback.replace("state=", "state=forged")
    response = client.get(forged)
    assert response.status_code == 302 and response["Location"] == reverse("core:login")
    assert _signed_in_user(client) is None
    assert "could not be verified" in _login_page_message(client)


@pytest.mark.django_db
def test_a_replayed_callback_is_refused(client, sso):
    browser = ProviderSession(sso)
    callback = browser.authorize(_start(client), "alice", ACCOUNTS["alice"]["password"])
    client.get(callback)
    client.post(reverse("core:logout"))
    client.get(callback)  # the same code and state again
    assert _signed_in_user(client) is None


@pytest.mark.django_db
def test_a_token_for_another_sign_in_nonce_is_refused(client, sso):
    authorize = _start(client)
    state = parse_qs(urlsplit(authorize).query)["state"][0]
    session = client.session
    session["oidc_states"][state]["nonce"] = "a-nonce-from-another-sign-in"
    session.save()
    callback = ProviderSession(sso).authorize(authorize, "alice", ACCOUNTS["alice"]["password"])
    response = client.get(callback)
    assert response["Location"] == reverse("core:login")
    assert _signed_in_user(client) is None
    assert not User.objects.filter(email="alice@example.com").exists()


def _other_app_tokens(sso: Provider, nonce: str) -> tuple[str, dict]:
    """A real sign-in at the provider for another app: its code and tokens."""
    query = urlencode(
        {
            "client_id": OTHER_CLIENT_ID,
            "response_type": "code",
            "scope": "openid email profile groups",
            "redirect_uri": f"{APP}/sso/callback/",
            "state": "other-app-state",
            "nonce": nonce,
        }
    )
    authorize = f"{sso.discovered['NORTHSTAR_OIDC_AUTHORIZATION_ENDPOINT']}?{query}"
    callback = ProviderSession(sso).authorize(authorize, "alice", ACCOUNTS["alice"]["password"])
    code = parse_qs(urlsplit(callback).query)["code"][0]
    tokens = requests.post(
        sso.discovered["NORTHSTAR_OIDC_TOKEN_ENDPOINT"],
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": f"{APP}/sso/callback/"},
        auth=(OTHER_CLIENT_ID, OTHER_CLIENT_SECRET),
        timeout=30,
    )
    tokens.raise_for_status()
    return code, tokens.json()


@pytest.mark.django_db
def test_an_id_token_issued_to_another_app_is_refused(sso, settings):
    _, tokens = _other_app_tokens(sso, nonce="n-1")
    with pytest.raises(SuspiciousOperation, match=r"(?i)audience"):
        SignOnBackend().verify_token(tokens["id_token"], nonce="n-1")


@pytest.mark.django_db
def test_an_id_token_from_an_untrusted_issuer_is_refused(sso, settings):
    _, tokens = _other_app_tokens(sso, nonce="n-2")
    settings.OIDC_RP_CLIENT_ID = OTHER_CLIENT_ID  # the audience matches now ...
    assert SignOnBackend().verify_token(tokens["id_token"], nonce="n-2")["sub"] == "alice"
    settings.SSO_ISSUER = "https://id.example.com"  # ... but we trust another issuer
    with pytest.raises(SuspiciousOperation, match=r"(?i)issuer"):
        SignOnBackend().verify_token(tokens["id_token"], nonce="n-2")


@pytest.mark.django_db
def test_a_code_issued_to_another_app_is_refused_at_the_callback(client, sso):
    authorize = _start(client)
    state = parse_qs(urlsplit(authorize).query)["state"][0]
    code, _ = _other_app_tokens(sso, nonce="n-3")
    response = client.get(f"/sso/callback/?{urlencode({'code': code, 'state': state})}")
    assert response.status_code == 302 and response["Location"] == reverse("core:login")
    assert _signed_in_user(client) is None


@pytest.mark.django_db
def test_an_answer_naming_another_issuer_is_refused(client, sso):
    browser = ProviderSession(sso)
    callback = browser.authorize(_start(client), "alice", ACCOUNTS["alice"]["password"])
    mixed_up = callback.replace("iss=", "iss=https%3A%2F%2Fevil.example&was=")
    client.get(mixed_up)
    assert _signed_in_user(client) is None
    assert "another identity provider" in _login_page_message(client)


@pytest.mark.django_db
def test_cancelling_at_the_provider_comes_back_with_a_reason(client, sso):
    browser = ProviderSession(sso)
    assert browser.open(_start(client)) is None
    assert browser.last_page is not None
    back = browser.open(f"{browser.last_page.url}/abort")
    assert back is not None and "error=access_denied" in back
    response = client.get(back)
    assert response["Location"] == reverse("core:login")
    assert "cancelled the sign-in" in _login_page_message(client)


@pytest.mark.django_db
def test_sign_on_pages_are_absent_when_not_configured(client):
    assert client.get(reverse("core:sso_login")).status_code == 404
    assert client.get(reverse("core:sso_callback") + "?code=x&state=y").status_code == 404
    assert "Sign in with" not in client.get(reverse("core:login")).content.decode()


@pytest.mark.django_db
def test_discovery_prints_the_settings(sso):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("sso_discover", sso.issuer, stdout=out)
    assert f"NORTHSTAR_OIDC_TOKEN_ENDPOINT={sso.issuer}/token" in out.getvalue()


# Password sign-in switched off --------------------------------------------------------------------


@pytest.mark.django_db
def test_password_sign_in_off_refuses_everyone_before_checking(cast, sso, settings):
    settings.LOCAL_LOGIN = "off"
    client = Client()
    page = client.get(reverse("core:login")).content.decode()
    assert "Sign in with Test Company ID" in page and 'name="password"' not in page
    response = client.post(reverse("core:login"), {"username": "admin", "password": factories.PASSWORD})
    assert response.status_code == 403
    assert _signed_in_user(client) is None


@pytest.mark.django_db
def test_password_sign_in_for_admins_only_is_the_break_glass_path(cast, sso, settings):
    settings.LOCAL_LOGIN = "admins"
    client = Client()
    for password in (factories.PASSWORD, "a wrong guess"):  # refused alike: the password is never checked
        response = client.post(reverse("core:login"), {"username": "pm", "password": password})
        assert response.status_code == 200 and "for admins only" in response.content.decode()
    assert _signed_in_user(client) is None
    response = client.post(reverse("core:login"), {"username": "admin", "password": factories.PASSWORD})
    assert response.status_code == 302 and _signed_in_user(client) == cast.admin
