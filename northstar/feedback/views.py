"""Feedback pages for the product team."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    return render(request, "feedback/inbox.html", {})
