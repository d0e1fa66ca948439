"""Forms of the delivery pages. They parse input into service arguments; services decide what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from northstar.core.forms import DateOrderField, PickerField
from northstar.delivery.models import Connection, Tool, WorkItem
from northstar.org.models import Team
from northstar.strategy.models import KeyResult


class ConnectionForm(forms.Form):
    name = forms.CharField(max_length=120)
    tool = forms.ChoiceField(choices=Tool.choices)
    base_url = forms.CharField(
        label="Address",
        max_length=200,
        required=False,
        help_text="Jira: https://your-site.atlassian.net. Linear and GitHub: leave empty for the cloud API.",
    )
    scope = forms.CharField(
        max_length=500, help_text="Jira project keys, Linear team keys or GitHub owner/repo, comma separated."
    )
    account = forms.CharField(
        max_length=200, required=False, help_text="Jira: the email the API token belongs to."
    )
    token = forms.CharField(
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text="Stored encrypted. Leave empty to keep the stored token.",
    )
    webhook_secret = forms.CharField(
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text="The secret the tool signs webhooks with. Leave empty to keep the stored one.",
    )
    github_project = forms.CharField(
        max_length=120, required=False, label="GitHub project", help_text="org/number of a Projects board."
    )
    points_field = forms.CharField(max_length=60, required=False, initial="customfield_10016")

    def __init__(self, *args: Any, connection: Connection | None = None, **kwargs: Any) -> None:
        if connection is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": connection.name,
                    "tool": connection.tool,
                    "base_url": connection.base_url,
                    "scope": connection.scope,
                    "account": connection.account,
                    "github_project": connection.github_project,
                    "points_field": connection.points_field,
                },
            )
        super().__init__(*args, **kwargs)

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["token"] = data["token"] or None  # empty keeps the stored token
        data["webhook_secret"] = data["webhook_secret"] or None
        return data


class TeamMapForm(forms.Form):
    source_key = forms.CharField(max_length=120, label="Project, team or repository")
    team = forms.ModelChoiceField(
        queryset=Team.objects.order_by("name"), required=False, empty_label="(none)"
    )


class ExportFileForm(forms.Form):
    file = forms.FileField(
        label="Export file",
        help_text="Jira: Filters → Export → CSV (all fields). Linear: Settings → Export → CSV. "
        "GitHub: a Projects table view → Export view data.",
    )
    date_order = DateOrderField()


class ForecastForm(forms.Form):
    scope_growth = forms.FloatField(
        min_value=0, max_value=2, initial=0.1, help_text="Average share remaining work grows by (0.1 = 10%)."
    )
    simulations = forms.IntegerField(min_value=100, max_value=50_000, initial=10_000)
    history_weeks = forms.IntegerField(
        min_value=4, max_value=104, initial=26, help_text="Weeks of throughput."
    )


class LinkForm(forms.Form):
    key = forms.CharField(
        max_length=160, label="Epic, project or milestone", help_text="Its key, e.g. PAY-12 or acme/app@m3."
    )

    def container(self) -> WorkItem | None:
        return WorkItem.objects.filter(
            kind__in=WorkItem.CONTAINERS, key=self.cleaned_data["key"].strip()
        ).first()


class FeedForm(forms.Form):
    key_result = PickerField("key_result", queryset=KeyResult.objects.none(), label="Key result")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Key results of periods not over yet: the ones delivery can still move.
        field = self.fields["key_result"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            KeyResult.objects.filter(objective__period__end__gte=timezone.localdate())
            .select_related("objective__period")
            .order_by("objective__period__start", "title")
        )
