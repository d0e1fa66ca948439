"""While a visitor types a request, the portal shows published requests like it, so they vote for
the one that exists instead of posting a duplicate."""

from __future__ import annotations

import pytest
from django.urls import reverse

from northstar.feedback import selectors
from northstar.feedback.models import Moderation
from tests.feedback.factories import make_board, make_post

pytestmark = pytest.mark.django_db


def test_requests_sharing_the_typed_words_are_offered_closest_first(client):
    board = make_board("Ideas")
    both = make_post(board=board, title="Dark mode for the dashboard")
    one = make_post(board=board, title="Dark theme for emails")
    make_post(board=board, title="Export invoices to CSV")
    make_post(board=board, title="Dark mode everywhere", moderation=Moderation.PENDING)  # not published
    make_post(board=make_board("Other"), title="Dark mode on mobile")  # another board

    assert selectors.similar_posts(board=board, title="dark mode please") == [both, one]  # both words first
    assert set(selectors.similar_posts(board=board, title="dark")) == {both, one}
    assert selectors.similar_posts(board=board, title="the and for") == []

    response = client.get(reverse("portal:similar", args=[board.slug]), {"title": "Dark mode"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Already asked?" in html and reverse("portal:post", args=[both.pk]) in html
    assert "Export invoices" not in html


def test_the_board_form_asks_for_similar_requests_as_the_title_is_typed(client):
    board = make_board("Ideas")
    html = client.get(reverse("portal:board", args=[board.slug])).content.decode()
    assert f'hx-get="{reverse("portal:similar", args=[board.slug])}"' in html
    assert 'id="similar-posts"' in html


def test_a_private_board_is_not_searched(client):
    board = make_board("Internal", public=False)
    make_post(board=board, title="Dark mode")
    assert client.get(reverse("portal:similar", args=[board.slug]), {"title": "dark"}).status_code == 404
