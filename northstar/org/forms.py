"""Forms for people, product lines, products and teams. They parse input into service arguments;
the services decide what is allowed, so a rule is never checked in two places."""

from __future__ import annotations

from typing import Any

from django import forms

from northstar.core.forms import LongTextField, PickerField, PickerMultipleField, model_choice
from northstar.core.models import User
from northstar.org.models import Level, Person, ProductLine


def _people() -> Any:
    return Person.objects.all()


class PeopleFilterForm(forms.Form):
    search = forms.CharField(
        required=False,
        label="Search",
        widget=forms.SearchInput(attrs={"placeholder": "Name or title", "autocomplete": "off"}),
    )
    level = forms.ChoiceField(required=False, label="Level", choices=[("", "Any level"), *Level.choices])


class PersonForm(forms.Form):
    name = forms.CharField(max_length=120)
    email = forms.EmailField()
    title = forms.CharField(max_length=120)
    level = forms.ChoiceField(choices=Level.choices)
    manager = PickerField(
        "person", queryset=Person.objects.none(), required=False, help_text="Leave empty for no manager."
    )
    user = PickerField(
        "user",
        queryset=User.objects.all(),
        required=False,
        label="Sign-in account",
        help_text="Links this person to a login, so they can edit their own product lines.",
    )

    def __init__(self, *args: Any, person: Person | None = None, **kwargs: Any) -> None:
        if person is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": person.name,
                    "email": person.email,
                    "title": person.title,
                    "level": person.level,
                    "manager": person.manager_id,
                    "user": person.user_id,
                },
            )
        super().__init__(*args, **kwargs)
        managers = _people()
        if person is not None:
            managers = managers.exclude(pk=person.pk)
        model_choice(self, "manager").queryset = managers

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "email": data["email"],
            "title": data["title"],
            "level": data["level"],
            "manager_id": data["manager"].pk if data["manager"] else None,
            "user_id": data["user"].pk if data["user"] else None,
        }


class LineForm(forms.Form):
    name = forms.CharField(max_length=120)
    description = LongTextField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    director = PickerField("person", queryset=Person.objects.all())
    owners = PickerMultipleField(
        "person",
        queryset=Person.objects.all(),
        required=False,
        help_text="Product managers who own the line with the director.",
    )

    def __init__(self, *args: Any, line: ProductLine | None = None, **kwargs: Any) -> None:
        if line is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": line.name,
                    "description": line.description,
                    "director": line.director_id,
                    "owners": [p.pk for p in line.owners.all()],
                },
            )
        super().__init__(*args, **kwargs)

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "description": data["description"],
            "director_id": data["director"].pk,
            "owner_ids": [p.pk for p in data["owners"]],
        }


class ProductForm(forms.Form):
    line = forms.ModelChoiceField(queryset=ProductLine.objects.none(), label="Product line", empty_label=None)
    name = forms.CharField(max_length=120)
    description = LongTextField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, product: Any = None, **kwargs: Any) -> None:
        if product is not None:
            kwargs.setdefault(
                "initial", {"line": product.line_id, "name": product.name, "description": product.description}
            )
        super().__init__(*args, **kwargs)
        model_choice(self, "line").queryset = ProductLine.objects.order_by("name").only("id", "name")

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"line_id": data["line"].pk, "name": data["name"], "description": data["description"]}


class TeamForm(forms.Form):
    name = forms.CharField(max_length=120)
    line = forms.ModelChoiceField(
        queryset=ProductLine.objects.none(),
        label="Product line",
        required=False,
        empty_label="Choose the line it builds for",
    )
    skills = forms.CharField(
        required=False, max_length=500, help_text="Comma-separated, e.g. backend, mobile, data."
    )
    members = PickerMultipleField("person", queryset=Person.objects.all(), required=False)
    cost_rate = forms.DecimalField(
        label="Cost per team-week", min_value=0, max_digits=12, decimal_places=2, initial=0
    )
    currency = forms.CharField(
        min_length=3, max_length=3, initial="EUR", help_text="ISO code, e.g. EUR, USD, GBP."
    )

    def __init__(self, *args: Any, team: Any = None, **kwargs: Any) -> None:
        if team is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": team.name,
                    "line": team.line_id,
                    "skills": ", ".join(s.name for s in team.skills.all()),
                    "members": [m.pk for m in team.members.all()],
                    "cost_rate": team.cost_rate,
                    "currency": team.currency,
                },
            )
        super().__init__(*args, **kwargs)
        model_choice(self, "line").queryset = ProductLine.objects.order_by("name").only("id", "name")
        # Left to the service to refuse (so its message shows), but every team needs one.
        self.fields["line"].show_as_required = True  # type: ignore[attr-defined]  # a flag _field.html reads

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "line_id": data["line"].pk if data["line"] else None,
            "skills": [s.strip() for s in data["skills"].split(",") if s.strip()],
            "member_ids": [p.pk for p in data["members"]],
            "cost_rate": data["cost_rate"],
            "currency": data["currency"],
        }
