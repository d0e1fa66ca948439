"""Feedback in a real browser: import a CSV with a mapping, triage an item into an idea, vote on the
portal as a visitor, and read a theme with its quotes. Screenshots land in test-output/screenshots/."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from northstar.feedback import theme_services
from northstar.feedback.models import EvidenceLink, FeedbackItem, Theme, Vote
from northstar.portfolio.models import Initiative
from tests.browser.test_ui import no_horizontal_scroll, sign_in
from tests.feedback import factories as f

pytestmark = pytest.mark.browser

expect = pytest.importorskip("playwright.sync_api").expect

ZENDESK = (
    "Id,Subject,Description,Requester,Requester email,Organization,Created at\n"
    "501,Wallets,Please add Apple Pay to checkout,Ana Berg,ana@acme.example,Acme,2024-05-01\n"
    "502,SSO,We need SAML single sign-on,Bo Chan,bo@globex.example,Globex,2024-05-02\n"
    "503,Payouts,Daily payouts would help our cash flow,Cy Dee,cy@initech.example,Initech,2024-05-03\n"
)


def test_import_a_csv_with_a_column_mapping(cast, page, shoot, tmp_path):
    path = tmp_path / "zendesk-tickets.csv"
    path.write_text(ZENDESK)
    sign_in(page, "pm")
    page.goto("/feedback/")
    page.get_by_role("link", name="Import", exact=True).click()
    page.get_by_label("File").set_input_files(str(path))
    page.get_by_label("Exported from").select_option("zendesk")
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("heading", name="Which column holds what?")).to_be_visible()
    expect(page.get_by_label("Feedback text (required)")).to_have_value("Description")
    expect(page.get_by_label("Customer / company")).to_have_value("Organization")
    expect(page.get_by_role("cell", name="Please add Apple Pay to checkout")).to_be_visible()
    page.get_by_label("Title / subject").select_option("")  # a person can change what the preset chose
    shoot(page, "feedback-import-mapping")
    page.get_by_role("button", name="Import").click()
    expect(page.locator(".import-result")).to_contain_text("3 new items from 3 rows")
    shoot(page, "feedback-import-done")
    assert FeedbackItem.objects.filter(source="zendesk", title="").count() == 3
    page.get_by_role("link", name="Open the inbox").click()
    expect(page.get_by_text("We need SAML single sign-on")).to_be_visible()
    expect(page.get_by_role("link", name="Globex")).to_be_visible()


def test_triage_an_item_into_a_new_idea_with_a_quote(cast, page, shoot):
    item = f.make_item("Checkout is slow on mobile. It takes ten seconds before the card form appears.")
    sign_in(page, "leader")
    page.goto(f"/feedback/items/{item.pk}/")
    # highlight a passage: the quote fields fill themselves
    page.evaluate(
        """() => {
          const node = document.getElementById('feedback-text').firstChild;
          const range = document.createRange();
          range.setStart(node, 28); range.setEnd(node, node.textContent.length);
          const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);
          document.dispatchEvent(new MouseEvent('mouseup'));
        }"""
    )
    expect(page.locator("[data-quote-target]")).to_have_value(re.compile(r"^It takes ten seconds"))
    page.get_by_label("Title").fill("Faster card form on mobile")
    shoot(page, "feedback-triage")
    page.get_by_role("button", name="Create idea").click()
    expect(page.get_by_text("Created the idea “Faster card form on mobile”")).to_be_visible()
    expect(page.get_by_role("link", name="Faster card form on mobile")).to_be_visible()
    idea = Initiative.objects.get(title="Faster card form on mobile")
    link = EvidenceLink.objects.get(initiative=idea)
    assert link.quote.startswith("It takes ten seconds")
    assert FeedbackItem.objects.get(pk=item.pk).status == "processed"
    shoot(page, "feedback-triaged")


def test_a_visitor_votes_on_the_portal_without_an_account(db, page, phone_page, shoot):
    board = f.make_board("Feature requests")
    post = f.make_post(board=board, title="Dark mode for the app", body="The app is **too bright** at night.")
    f.make_post(board=board, title="Daily payouts")
    page.goto("/portal/")
    expect(page.get_by_role("link", name="Feature requests")).to_be_visible()
    expect(page.locator("#site-nav")).to_have_count(0)  # visitors see the portal, not the app
    shoot(page, "portal-home")
    page.get_by_role("link", name="Feature requests").click()
    shoot(page, "portal-board")
    page.get_by_role("link", name="Dark mode for the app").click()
    page.locator(".portal-vote").get_by_label("Your email").fill("visitor@example.com")
    page.get_by_role("button", name="Vote for this").click()
    expect(page.get_by_text("we emailed a link to visitor@example.com")).to_be_visible()
    expect(page.locator(".portal-count")).to_contain_text("0 votes")  # not before the link is opened
    shoot(page, "portal-vote-check-email")
    link = re.search(r"https?://\S+/votes/confirm/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    shoot(page, "portal-vote-confirm")
    page.get_by_role("button", name="Confirm my vote").click()
    expect(page.get_by_text("your vote is counted")).to_be_visible()
    expect(page.locator(".portal-count")).to_contain_text("1 vote")
    page.locator(".portal-vote").get_by_label("Your email").fill("visitor@example.com")
    page.get_by_role("button", name="Vote for this").click()
    expect(page.get_by_role("alert")).to_contain_text("already voted")
    shoot(page, "portal-post-voted")
    assert Vote.objects.filter(post=post).count() == 1
    phone_page.goto(f"/portal/p/{post.pk}/")
    expect(phone_page.get_by_role("button", name="Vote for this")).to_be_visible()
    assert no_horizontal_scroll(phone_page)
    shoot(phone_page, "portal-post-phone")


def test_a_theme_shows_its_size_customers_and_quotes(cast, page, shoot):
    acme = f.make_customer("Acme Retail", revenue="120000")
    texts = [
        "Please add Apple Pay to the checkout page",
        "Our shoppers want Google Pay at checkout",
        "Apple Pay and Google Pay would lift mobile conversion",
        "We need wallet payments like Apple Pay",
        "We need single sign-on with Okta",
        "SAML SSO is required by our security team",
        "Please support SSO through Azure AD",
        "Without SSO our IT will not approve you",
    ]
    for text in texts:
        f.make_item(text, customer=acme)
    theme_services.themes_recluster(actor=cast.pm)
    wallets = Theme.objects.filter(status="active", name__icontains="pay").first()
    assert wallets is not None, list(Theme.objects.values_list("name", flat=True))
    sign_in(page, "stakeholder")
    page.goto("/feedback/themes/")
    expect(page.get_by_text("all-MiniLM-L6-v2")).to_be_visible()
    shoot(page, "feedback-themes")
    page.get_by_role("link", name=wallets.name).click()
    expect(page.get_by_text("Acme Retail").first).to_be_visible()
    expect(page.locator(".theme-quotes")).to_contain_text("Apple Pay")
    expect(page.locator(".stats")).to_contain_text("120,000")
    shoot(page, "feedback-theme")


def test_the_demo_feedback_pages_at_scale(cast, page, shoot):
    from northstar.demo import load_demo

    load_demo()
    sign_in(page, "leader")
    for url, name in (
        ("/feedback/", "feedback-inbox-demo"),
        ("/feedback/themes/", "feedback-themes-demo"),
        ("/feedback/demand/", "feedback-demand-demo"),
        ("/feedback/portal/", "feedback-portal-admin-demo"),
        ("/portal/roadmap/", "portal-roadmap-demo"),
    ):
        page.goto(url)
        expect(page.locator("main")).to_be_visible()
        shoot(page, name)
    theme = Theme.objects.filter(status="active").order_by("-size").first()
    page.goto(f"/feedback/themes/{theme.pk}/")
    shoot(page, "feedback-theme-demo")
