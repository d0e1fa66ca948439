"""Single sign-on and two-factor sign-in in a real browser.

Single sign-on goes through the real test provider's own login and sign-out pages (oidc-provider on
127.0.0.1); two-factor sign-in is set up from the QR code page and then asked for at sign-in.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from northstar.core.models import SignOnIdentity, User
from northstar.core.roles import Role
from tests import factories
from tests.oidc import ACCOUNTS, Provider, running_provider

pytestmark = pytest.mark.browser

expect = pytest.importorskip("playwright.sync_api").expect


@pytest.fixture(scope="module")
def provider(live_server) -> Iterator[Provider]:
    with running_provider(app_urls=[live_server.url]) as running:
        yield running


@pytest.fixture
def sso(settings, provider: Provider) -> Provider:
    for name, value in provider.django_settings().items():
        setattr(settings, name, value)
    return provider


def test_single_sign_on_through_the_providers_login_page_and_back_out(sso, page, shoot, live_server):
    page.goto("/portfolio/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/portfolio/$"))
    shoot(page, "sso-1-northstar-login")
    page.get_by_role("link", name="Sign in with Test Company ID").click()

    expect(page).to_have_url(re.compile(re.escape(sso.issuer) + r"/interaction/"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_text("to continue to Northstar")).to_be_visible()
    page.get_by_label("Username").fill("bob")
    page.get_by_label("Password").fill("not his password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong username or password.")
    page.get_by_label("Username").fill("bob")
    page.get_by_label("Password").fill(ACCOUNTS["bob"]["password"])
    shoot(page, "sso-2-provider-login")
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(f"{live_server.url}/portfolio/")
    expect(page.get_by_role("heading", name="Initiatives")).to_be_visible()
    expect(page.locator(".nav-user")).to_contain_text("Product manager")  # from the product-managers group
    shoot(page, "sso-3-signed-in")
    bob = User.objects.get(identities__subject="bob")
    assert bob.role == Role.PRODUCT_MANAGER and bob.email == "bob@example.com"

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(re.escape(sso.issuer) + r"/session/end"))
    shoot(page, "sso-4-provider-sign-out")
    page.get_by_role("button", name="Yes, sign me out").click()
    expect(page).to_have_url(f"{live_server.url}/login/")
    expect(page.get_by_role("link", name="Sign in with Test Company ID")).to_be_visible()

    # Signed out at the provider too: signing on again asks for the password.
    page.get_by_role("link", name="Sign in with Test Company ID").click()
    expect(page.get_by_label("Password")).to_be_visible()
    assert SignOnIdentity.objects.filter(user=bob).count() == 1


def test_a_refused_group_is_told_why(sso, settings, page, shoot):
    settings.SSO_UNKNOWN_GROUPS = "refuse"
    page.goto("/login/")
    page.get_by_role("link", name="Sign in with Test Company ID").click()
    page.get_by_label("Username").fill("carol")
    page.get_by_label("Password").fill(ACCOUNTS["carol"]["password"])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("no group that gives a Northstar role")
    shoot(page, "sso-5-refused-group")
    assert not User.objects.filter(email="carol@example.com").exists()


def _app_code(user: User, steps_ahead: int = 0) -> str:
    device = TOTPDevice.objects.get(user=user)
    return f"{totp(device.bin_key, t0=-device.step * steps_ahead, drift=device.drift):06d}"


def test_setting_up_two_factor_and_signing_in_with_it(cast, page, shoot):
    page.goto("/login/")
    page.get_by_label("Username").fill("pm")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Sign-in security").click()
    page.get_by_role("button", name="Set up two-factor sign-in").click()
    expect(page.locator(".qr-code svg")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text()
    assert len(secret) == 32
    shoot(page, "two-factor-1-qr-code")
    page.get_by_label("Code").fill(_app_code(cast.pm))
    page.get_by_role("button", name="Turn two-factor sign-in on").click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    recovery = page.locator("#recovery-codes li").first.inner_text()
    shoot(page, "two-factor-2-recovery-codes")

    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("Username").fill("pm")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your code")).to_be_visible()
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Verify and sign in").click()
    expect(page.locator(".field-error")).to_contain_text("not right")
    shoot(page, "two-factor-3-wrong-code")
    page.get_by_label("Code").fill(recovery)  # the app's back-off after a wrong code does not apply here
    page.get_by_role("button", name="Verify and sign in").click()
    expect(page.locator(".nav-user")).to_contain_text("Product manager")
    page.goto("/settings/security/")
    expect(page.get_by_text("Recovery codes left: 9")).to_be_visible()
    shoot(page, "two-factor-4-signed-in")
