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
from django.utils.http import urlencode
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


# Pickers --------------------------------------------------------------------------------------------

#: What a picker says of an id that names nothing it may hold (a stale page, a hand-made request).
PICK_FROM_LIST = "Pick one from the list: that record does not exist or cannot be chosen here."

#: The route that answers a picker's type-ahead (northstar.home.pickers holds what each kind searches).
PICKER_ROUTE = "home:pick"
#: A picker's purpose when the chosen record will be changed: it then offers only what may be.
PICK_TO_CHANGE = "edit"


class Picker(forms.Widget):
    """A type-ahead picker: an accessible combobox over records of one kind, for lists too long for a
    <select> (people, initiatives, objectives, customers: thousands of rows on a large install).

    The chosen record's id travels in a hidden input under the field's name; the visible text input
    (role="combobox") asks the picker route for at most a screenful of matches as the person types
    (HTMX), and the app's own script moves through them with the arrow keys and picks one with Enter.
    Rendering reads only the chosen records, never the whole list.
    """

    def __init__(
        self, kind: str, *, multiple: bool = False, purpose: str = "", attrs: dict | None = None
    ) -> None:
        super().__init__(attrs=attrs)
        self.kind = kind
        self.multiple = multiple
        #: What the choice is for ("edit": it will be changed), so only what may be used is offered.
        self.purpose = purpose
        self.choices: Any = ()  # ModelChoiceField hands over its (lazy) iterator; only chosen ids are read

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        if self.multiple and hasattr(data, "getlist"):
            return data.getlist(name)
        return data.get(name)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return False if self.multiple else name not in data

    def chosen(self, value: object) -> list[tuple[str, str]]:
        """(id, label) of the chosen records, in one query; ids that name nothing are dropped."""
        values = value if isinstance(value, list | tuple) else [value]
        ids = []
        for v in values:
            v = getattr(v, "pk", v)
            if v in (None, ""):
                continue
            try:
                ids.append(int(str(v)))
            except ValueError:
                continue
        field = getattr(self.choices, "field", None)
        if not ids or field is None:
            return []
        known = getattr(field, "resolved", {})  # looked up when the form was validated
        rows = [known[i] for i in ids if i in known]
        if len(rows) < len(ids):
            rows = list(field.queryset.filter(pk__in=ids))
        found = {obj.pk: field.label_from_instance(obj) for obj in rows}
        return [(str(pk), found[pk]) for pk in ids if pk in found]

    def render(
        self, name: str, value: object, attrs: dict | None = None, renderer: object = None
    ) -> SafeString:
        return self.render_chosen(name, self.chosen(value), attrs)

    def render_chosen(
        self, name: str, chosen: list[tuple[str, str]], attrs: dict | None = None
    ) -> SafeString:
        """The picker with these (id, label) pairs chosen (templates without a form use it directly)."""
        from django.urls import reverse

        final = self.build_attrs(self.attrs, attrs)
        box_id = final.pop("id", None) or f"id_{name}"
        options_id = f"{box_id}-options"
        url = (
            reverse(PICKER_ROUTE, args=[self.kind])
            + "?"
            + urlencode({"field": box_id, **({"purpose": self.purpose} if self.purpose else {})})
        )
        text = "" if self.multiple or not chosen else chosen[0][1]
        parts: list[str] = [
            format_html(
                '<div class="picker" data-picker data-picker-name="{}"{}>',
                name,
                mark_safe(" data-picker-multiple") if self.multiple else "",
            )
        ]
        if self.multiple:
            parts.append(format_html('<ul class="picker-chosen" aria-label="Chosen" id="{}-chosen">', box_id))
            parts.extend(
                format_html(
                    '<li><input type="hidden" name="{}" value="{}">{} '
                    '<button type="button" class="picker-remove" data-picker-remove '
                    'aria-label="Remove {}">×</button></li>',
                    name,
                    pk,
                    label,
                    label,
                )
                for pk, label in chosen
            )
            parts.append("</ul>")
        else:
            parts.append(
                format_html(
                    '<input type="hidden" name="{}" value="{}" data-picker-value>',
                    name,
                    chosen[0][0] if chosen else "",
                )
            )
        final.update(
            {
                "type": "text",
                "id": box_id,
                "value": text,
                "role": "combobox",
                "aria-autocomplete": "list",
                "aria-expanded": "false",
                "aria-controls": options_id,
                "autocomplete": "off",
                "spellcheck": "false",
                "placeholder": final.get("placeholder", "Type to search"),
                "data-picker-input": True,
                "data-picker-chosen": text,
                "hx-get": url,
                "hx-trigger": "input changed delay:200ms, focus",
                "hx-target": f"#{options_id}",
                "hx-swap": "innerHTML",
                "hx-sync": "this:replace",
                # Inside a filter form that fetches results itself, none of its settings apply here.
                "hx-push-url": "false",
                "hx-select": "unset",
                "hx-include": "unset",
                "hx-vals": "unset",
                "hx-indicator": f"#{box_id}",
            }
        )
        if self.multiple:
            final.pop("required", None)
        parts.append(format_html("<input{}>", flatatt(final)))
        parts.append(
            format_html('<ul id="{}" class="picker-options" role="listbox" hidden></ul>', options_id)
        )
        parts.append("</div>")
        return mark_safe("".join(parts))  # noqa: S308 - every part above is escaped by format_html


class PickerField(forms.ModelChoiceField):
    """One record of a kind the picker route searches (see `Picker`); the queryset still decides what
    may be chosen, so a hand-made request naming another record is refused like any bad choice."""

    def __init__(self, kind: str, *, queryset: Any, purpose: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("widget", Picker(kind, purpose=purpose))
        kwargs.setdefault("empty_label", None)
        kwargs.setdefault("error_messages", {"invalid_choice": PICK_FROM_LIST})
        super().__init__(queryset=queryset, **kwargs)
        self.resolved: dict[Any, Any] = {}

    def to_python(self, value: Any) -> Any:
        record = super().to_python(value)
        # Kept for drawing the form again (after an error, or a filter form): no second lookup.
        self.resolved = {record.pk: record} if record is not None else {}
        return record


class PickerMultipleField(forms.ModelMultipleChoiceField):
    """Several records of one kind, picked one after another (chips with a remove button each)."""

    def __init__(self, kind: str, *, queryset: Any, purpose: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("widget", Picker(kind, multiple=True, purpose=purpose))
        kwargs.setdefault(
            "error_messages", {"invalid_choice": PICK_FROM_LIST, "invalid_pk_value": PICK_FROM_LIST}
        )
        super().__init__(queryset=queryset, **kwargs)


class AuditFilterForm(forms.Form):
    record_type = forms.ChoiceField(label="Record type", required=False)
    record_id = forms.CharField(label="Record id", required=False, max_length=40)
    actor = PickerField("user", label="Changed by", required=False, queryset=User.objects.none())

    def __init__(self, *args, record_types: Iterable[str], actors: QuerySet[User], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "record_type").choices = [("", "Any type")] + [
            (t, t) for t in sorted(record_types)
        ]
        model_choice(self, "actor").queryset = actors


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
