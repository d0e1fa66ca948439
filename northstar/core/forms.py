"""Forms for the core pages. They only parse input; services decide what is allowed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import QuerySet
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from northstar.core.models import User


class LongTextField(forms.CharField):
    """Multi-line text, kept as typed. Browsers send CRLF line ends and stripping would drop a final
    newline; either would make an unchanged description look edited in the audit log."""

    widget = forms.Textarea

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("strip", False)
        super().__init__(**kwargs)

    def to_python(self, value: object) -> str | None:
        text = super().to_python(value)
        return None if text is None else text.replace("\r\n", "\n")


def model_choice(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    """The form's own copy of a model choice field, typed as one (`form.fields` holds plain `Field`s)."""
    return cast("forms.ModelChoiceField[Any]", form.fields[name])


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """The form's own copy of a choice field, typed as one (`form.fields` holds plain `Field`s)."""
    return cast(forms.ChoiceField, form.fields[name])


class IsoDateInput(forms.DateInput):
    """A browser date picker. It only accepts YYYY-MM-DD, so the value is never rendered localised."""

    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateField(forms.DateField):
    """A date typed in a browser date picker (ISO dates in and out)."""

    widget = IsoDateInput


class QuickSelect(forms.Select):
    """Django's <select>, the same HTML, drawn in Python rather than by one template per option.

    The list pages' filter drop-downs hold every product line, product and person; through the
    template engine their options cost more than the rows of results beside them.
    """

    def render(
        self, name: str, value: object, attrs: dict | None = None, renderer: object = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts: list[str] = [format_html('<select name="{}"{}>', widget["name"], flatatt(widget["attrs"]))]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('<optgroup label="{}">', group_name))
            parts.extend(
                format_html(
                    '<option value="{}"{}>{}</option>',
                    option["value"],
                    flatatt(option["attrs"]),
                    option["label"],
                )
                for option in options
            )
            if group_name:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every part above is escaped by format_html


class LoginForm(AuthenticationForm):
    """Django's sign-in form, with the autocomplete hints password managers look for.

    With NORTHSTAR_PASSWORD_LOGIN=admins only admins get in with a password (the break-glass path when
    everyone else signs in through the identity provider).
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(autocomplete="username", autofocus=True)
        self.fields["password"].widget.attrs.update(autocomplete="current-password")

    def clean(self) -> dict:
        # Refused before the password is checked, so it neither costs a hash nor tells whether the
        # password was right.
        if settings.LOCAL_LOGIN == "admins" and not self._is_admin_login(self.cleaned_data.get("username")):
            raise forms.ValidationError(
                f"Password sign-in is for admins only here: sign in with {settings.SSO_NAME}.",
                code="password_login_off",
            )
        return super().clean()

    @staticmethod
    def _is_admin_login(username: str | None) -> bool:
        return bool(username) and User.objects.filter(username=username, role="admin").exists()


class CodeForm(forms.Form):
    """A code from an authenticator app, or a recovery code."""

    code = forms.CharField(
        label="Code",
        max_length=32,
        help_text="The 6 digits your authenticator app shows, or one of your recovery codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false"}),
    )

    def __init__(self, *args: object, autofocus: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if autofocus:
            self.fields["code"].widget.attrs["autofocus"] = True


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        required=False,
        help_text="What will use it, e.g. “roadmap sync script”.",
    )
    scope = forms.TypedChoiceField(
        choices=[("read", "Read only"), ("write", "Read and write")],
        initial="read",
        empty_value="read",
        required=False,
        help_text="A read-only token cannot change anything, even if it leaks.",
    )
    expires_in_days = forms.TypedChoiceField(
        label="Expires",
        coerce=lambda v: int(v) if v else None,
        empty_value=None,
        choices=[("30", "in 30 days"), ("90", "in 90 days"), ("366", "in a year"), ("", "never")],
        initial="90",
        required=False,
    )


class AuditFilterForm(forms.Form):
    record_type = forms.ChoiceField(label="Record type", required=False)
    record_id = forms.CharField(label="Record id", required=False, max_length=40)
    actor = forms.ModelChoiceField(label="Changed by", required=False, queryset=User.objects.none())

    def __init__(self, *args, record_types: Iterable[str], actors: QuerySet[User], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "record_type").choices = [("", "Any type")] + [
            (t, t) for t in sorted(record_types)
        ]
        model_choice(self, "actor").queryset = actors
        model_choice(self, "actor").empty_label = "Anyone"


class DateOrderField(forms.ChoiceField):
    """How an import reads dates like 01/02/2024: refused until the person says day or month first."""

    def __init__(self, **kwargs: Any) -> None:
        from northstar.core.csv_read import DATE_ORDERS

        kwargs.setdefault("label", "Dates like 01/02/2024 are")
        kwargs.setdefault(
            "help_text",
            "ISO dates (2024-02-01), month names and days above 12 are read either way; "
            "choose the order only if the file has dates like 01/02/2024.",
        )
        super().__init__(choices=list(DATE_ORDERS.items()), required=False, **kwargs)
