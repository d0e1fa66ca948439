"""Forms of the home area."""

from __future__ import annotations

from typing import Any

from django import forms

from northstar.home.models import NotificationSettings
from northstar.home.services import MAX_COMMENT_CHARS


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Comment",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=MAX_COMMENT_CHARS,
        help_text="Markdown. Mention a colleague with @ and their login name: they are notified.",
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def service_data(self) -> dict[str, Any]:
        return {"body": self.cleaned_data["body"], "parent_id": self.cleaned_data.get("parent")}


class CommentEditForm(forms.Form):
    body = forms.CharField(
        label="Comment",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=MAX_COMMENT_CHARS,
        help_text="Markdown. People newly @mentioned are notified.",
    )

    def service_data(self) -> dict[str, Any]:
        return {"body": self.cleaned_data["body"]}


class NotificationSettingsForm(forms.Form):
    email = forms.ChoiceField(
        label="Email me",
        choices=NotificationSettings.Email.choices,
        widget=forms.RadioSelect,
        help_text="Mentions, replies and approvals always reach your list in Northstar; this is about email.",
    )

    def service_data(self) -> dict[str, Any]:
        return {"email": self.cleaned_data["email"]}
