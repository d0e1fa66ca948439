"""Two-factor sign-in for local accounts: enrol with a QR code, a code at every password sign-in,
recovery codes kept hashed and spent once, code guessing locked out like password guessing, and an
admin's reset."""

from __future__ import annotations

import hashlib
import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from northstar.core import two_factor
from northstar.core.errors import PermissionDenied, ValidationFailed
from northstar.core.models import AuditEntry, RecoveryCode, SignOnIdentity
from northstar.core.roles import Role
from tests import factories


def code_for(user, *, steps_ahead: int = 0) -> str:
    """What the person's authenticator app shows (a step ahead: the next code, as a used one is spent)."""
    device = TOTPDevice.objects.get(user=user)
    return f"{totp(device.bin_key, t0=-device.step * steps_ahead, drift=device.drift):06d}"


def enrol(user) -> list[str]:
    two_factor.two_factor_enrol_start(user=user)
    return two_factor.two_factor_enrol_confirm(user=user, code=code_for(user))


def password_step(client: Client, username: str, next_url: str = ""):
    data = {"username": username, "password": factories.PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("core:login"), data)


def signed_in(client: Client) -> bool:
    return SESSION_KEY in client.session


# Services -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_enrolment_gives_a_scannable_secret_and_counts_only_once_confirmed(cast, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the back-off after a wrong code has its own test
    enrolment = two_factor.two_factor_enrol_start(user=cast.pm)
    assert enrolment.otpauth_url.startswith(
        "otpauth://totp/Northstar%3Apm?"
    ) and f"secret={enrolment.secret}" in (enrolment.otpauth_url)
    assert enrolment.qr_svg.startswith("<svg")
    assert not two_factor.is_enrolled(cast.pm)
    with pytest.raises(ValidationFailed):
        two_factor.two_factor_enrol_confirm(user=cast.pm, code="000000")
    assert not two_factor.is_enrolled(cast.pm)
    codes = two_factor.two_factor_enrol_confirm(user=cast.pm, code=code_for(cast.pm, steps_ahead=1))
    assert two_factor.is_enrolled(cast.pm) and len(codes) == 10 and len(set(codes)) == 10


@pytest.mark.django_db
def test_recovery_codes_are_stored_hashed_and_work_once(cast):
    codes = enrol(cast.pm)
    stored = set(RecoveryCode.objects.filter(user=cast.pm).values_list("digest", flat=True))
    assert not stored & set(codes)  # no code in clear text
    assert hashlib.sha256(codes[0].replace("-", "").encode()).hexdigest() in stored
    two_factor.two_factor_verify(user=cast.pm, code=codes[0].upper())  # case and spaces forgiven
    with pytest.raises(ValidationFailed, match="used already"):
        two_factor.two_factor_verify(user=cast.pm, code=codes[0])
    assert two_factor.recovery_codes_left(cast.pm) == 9


@pytest.mark.django_db
def test_a_used_code_cannot_be_replayed(cast):
    enrol(cast.pm)
    code = code_for(cast.pm, steps_ahead=1)
    two_factor.two_factor_verify(user=cast.pm, code=code)
    with pytest.raises(ValidationFailed):
        two_factor.two_factor_verify(user=cast.pm, code=code)


@pytest.mark.django_db
def test_wrong_codes_make_the_device_back_off_and_the_backoff_is_kept(cast, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60  # a minute's wait: longer than this test, however busy the machine
    enrol(cast.pm)
    with pytest.raises(ValidationFailed, match="not right"):
        two_factor.two_factor_verify(user=cast.pm, code="000000")
    # Even the right code waits out the back-off, which outlived the refused call's transaction.
    with pytest.raises(ValidationFailed, match="wait"):
        two_factor.two_factor_verify(user=cast.pm, code=code_for(cast.pm, steps_ahead=1))
    assert TOTPDevice.objects.get(user=cast.pm).throttling_failure_count == 1


@pytest.mark.django_db
def test_renewing_recovery_codes_retires_the_old_ones(cast):
    old = enrol(cast.pm)
    new = two_factor.recovery_codes_renew(user=cast.pm, code=code_for(cast.pm, steps_ahead=1))
    assert not set(old) & set(new)
    with pytest.raises(ValidationFailed):
        two_factor.two_factor_verify(user=cast.pm, code=old[0])
    two_factor.two_factor_verify(user=cast.pm, code=new[0])


@pytest.mark.django_db
def test_only_an_admin_may_reset_someone_elses_two_factor_and_it_is_audited(cast):
    enrol(cast.pm)
    with pytest.raises(PermissionDenied):
        two_factor.two_factor_reset(actor=cast.leader, user=cast.pm)
    assert two_factor.is_enrolled(cast.pm)
    two_factor.two_factor_reset(actor=cast.admin, user=cast.pm)
    assert not two_factor.is_enrolled(cast.pm)
    assert not RecoveryCode.objects.filter(user=cast.pm).exists()
    entry = AuditEntry.objects.filter(record_id=str(cast.pm.pk)).first()
    assert entry is not None and entry.actor == cast.admin and entry.changes == {"two_factor": [True, False]}


@pytest.mark.django_db
def test_the_command_line_reset_is_the_operators_way_back_in(cast):
    enrol(cast.admin)
    call_command("two_factor_reset", "admin")
    assert not two_factor.is_enrolled(cast.admin)


@pytest.mark.django_db
def test_signed_on_accounts_set_up_their_second_factor_at_the_provider(cast):
    SignOnIdentity.objects.create(user=cast.pm, issuer="https://id.example.com", subject="pat")
    with pytest.raises(ValidationFailed, match="identity provider"):
        two_factor.two_factor_enrol_start(user=cast.pm)


# Sign-in ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_once_enrolled_a_password_alone_does_not_sign_in(cast):
    enrol(cast.pm)
    client = Client()
    response = password_step(client, "pm", next_url="/audit/")
    assert response["Location"] == reverse("core:login_verify")
    assert not signed_in(client)
    assert client.get(reverse("core:home"))["Location"].startswith(reverse("core:login"))
    page = client.get(reverse("core:login_verify"))
    assert page.status_code == 200 and "Signing in as <strong>pm</strong>" in page.content.decode()
    response = client.post(reverse("core:login_verify"), {"code": code_for(cast.pm, steps_ahead=1)})
    assert response["Location"] == "/audit/"
    assert client.session[SESSION_KEY] == str(cast.pm.pk)


@pytest.mark.django_db
def test_a_recovery_code_signs_in_without_the_phone(cast):
    codes = enrol(cast.pm)
    client = Client()
    password_step(client, "pm")
    response = client.post(reverse("core:login_verify"), {"code": codes[3]})
    assert response.status_code == 302 and signed_in(client)


@pytest.mark.django_db
def test_accounts_without_two_factor_sign_in_with_a_password_as_before(cast):
    client = Client()
    assert password_step(client, "leader")["Location"] == reverse("core:home")
    assert signed_in(client)


@pytest.mark.django_db
def test_the_code_page_needs_a_password_step_first(client):
    assert client.get(reverse("core:login_verify"))["Location"] == reverse("core:login")
    assert client.post(reverse("core:login_verify"), {"code": "123456"})["Location"] == reverse("core:login")


@pytest.mark.django_db
def test_a_waiting_sign_in_expires(cast, monkeypatch):
    enrol(cast.pm)
    client = Client()
    password_step(client, "pm")
    later = time.time() + 301
    monkeypatch.setattr(time, "time", lambda: later)
    response = client.post(reverse("core:login_verify"), {"code": code_for(cast.pm)})
    assert response["Location"] == reverse("core:login") and not signed_in(client)


@pytest.mark.django_db
def test_code_guessing_locks_the_account_like_password_guessing(cast, settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # only the lockout is under test here
    enrol(cast.pm)
    client = Client(REMOTE_ADDR="203.0.113.9")
    password_step(client, "pm")
    statuses = [
        client.post(reverse("core:login_verify"), {"code": f"{n:06d}"}).status_code
        for n in range(100000, 100005)
    ]
    assert statuses == [422, 422, 422, 422, 429]
    # Locked: the password step is refused too, even from elsewhere, and the right code no longer helps.
    other = Client(REMOTE_ADDR="198.51.100.3")
    assert password_step(other, "pm").status_code == 429
    assert not signed_in(client) and not signed_in(other)
    # Other people are not affected.
    assert password_step(Client(REMOTE_ADDR="198.51.100.4"), "leader").status_code == 302


@pytest.mark.django_db
def test_a_good_code_clears_the_failure_count(cast, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    enrol(cast.pm)
    for _ in range(3):  # one wrong code each time: only a count that never clears reaches 3
        client = Client(REMOTE_ADDR="203.0.113.10")
        password_step(client, "pm")
        assert client.post(reverse("core:login_verify"), {"code": "000000"}).status_code == 422
        codes = two_factor.recovery_codes_renew(user=cast.pm, code=code_for(cast.pm, steps_ahead=1))
        TOTPDevice.objects.filter(user=cast.pm).update(last_t=-1)
        assert client.post(reverse("core:login_verify"), {"code": codes[0]}).status_code == 302


# Pages --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_enrolment_pages_show_the_qr_code_then_the_recovery_codes_once(cast, login):
    client = login(cast.pm)
    page = client.get(reverse("core:security")).content.decode()
    assert "Set up two-factor sign-in" in page
    client.post(reverse("core:two_factor_start"))
    page = client.get(reverse("core:security")).content.decode()
    assert "<svg" in page and 'id="totp-secret"' in page
    wrong = client.post(reverse("core:two_factor_confirm"), {"confirm-code": "000000"})
    assert wrong.status_code == 422 and "not right" in wrong.content.decode()
    TOTPDevice.objects.filter(user=cast.pm).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )
    done = client.post(reverse("core:two_factor_confirm"), {"confirm-code": code_for(cast.pm, steps_ahead=1)})
    assert done.status_code == 200
    shown = done.content.decode()
    assert "not shown again" in shown and shown.count("<li><code>") == 10
    again = client.get(reverse("core:security")).content.decode()
    assert "<li><code>" not in again and "Recovery codes left: <strong>10</strong>" in again


@pytest.mark.django_db
def test_turning_it_off_needs_a_code(cast, login):
    codes = enrol(cast.pm)
    client = login(cast.pm)
    assert client.post(reverse("core:two_factor_disable"), {"off-code": "wrong-code"}).status_code == 422
    assert two_factor.is_enrolled(cast.pm)
    assert client.post(reverse("core:two_factor_disable"), {"off-code": codes[0]}).status_code == 302
    assert not two_factor.is_enrolled(cast.pm)


@pytest.mark.django_db
def test_the_logins_page_is_for_admins_and_resets_two_factor(cast, login, django_assert_max_num_queries):
    enrol(cast.pm)
    for n in range(30):
        factories.make_user(Role.STAKEHOLDER, username=f"reader{n:02d}")
    assert login(cast.leader).get(reverse("core:logins")).status_code == 403
    assert login(cast.leader).post(reverse("core:two_factor_reset", args=[cast.pm.pk])).status_code == 403
    assert two_factor.is_enrolled(cast.pm)
    client = login(cast.admin)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("core:logins"))
    assert page.status_code == 200 and "Reset two-factor sign-in of pm" in page.content.decode()
    response = client.post(reverse("core:two_factor_reset", args=[cast.pm.pk]))
    assert response.status_code == 302 and not two_factor.is_enrolled(cast.pm)
    assert client.post(reverse("core:two_factor_reset", args=[999999])).status_code == 404
