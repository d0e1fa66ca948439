"""Feedback pages: the import flow end to end, triage, theme pages, and list pages in fixed queries."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from northstar.core.models import Job
from northstar.feedback import services, theme_services
from northstar.feedback.models import EvidenceLink, FeedbackItem, Post, Theme
from northstar.portfolio.models import Initiative
from tests.feedback import factories as f

CSV = (
    b"Ticket,Said,Who,When\n"
    b"1,Please add Apple Pay,ana@shop.example,2024-03-01\n"
    b"2,Dark mode please,bo@shop.example,2024-03-02\n"
)


def test_import_a_csv_with_a_column_mapping(login, cast, django_capture_on_commit_callbacks):
    client = login(cast.pm)
    upload = client.post(
        reverse("feedback:import_upload"),
        {"file": SimpleUploadedFile("tickets.csv", CSV), "preset": "generic"},
    )
    assert upload.status_code == 302 and "/map/" in upload["Location"]
    page = client.get(upload["Location"])
    assert page.status_code == 200
    assert b"Please add Apple Pay" in page.content  # the first rows are previewed
    mapping = {"text": "Said", "author_email": "Who", "received_at": "When", "external_id": "Ticket"}
    with django_capture_on_commit_callbacks(execute=True):  # the job runs when its request commits
        done = client.post(upload["Location"], mapping)
    assert done.status_code == 302
    job = Job.objects.get()
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.result["added"] == 2
    result = client.get(done["Location"])
    assert b"2</strong> new items" in result.content
    assert set(FeedbackItem.objects.values_list("external_id", flat=True)) == {"1", "2"}


def test_a_bad_file_is_refused_with_the_row_and_stores_nothing(
    login, cast, django_capture_on_commit_callbacks, caplog
):
    client = login(cast.pm)
    upload = client.post(
        reverse("feedback:import_upload"),
        {
            "file": SimpleUploadedFile("bad.csv", b"Said,When\nfine,2024-01-01\nbroken,yesterday-ish\n"),
            "preset": "generic",
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(upload["Location"], {"text": "Said", "received_at": "When"})
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    assert "Row 3" in job.error and "not a date" in job.error
    assert job.error.startswith("The file was not imported")  # not "ValidationFailed: …"
    assert FeedbackItem.objects.count() == 0
    page = client.get(reverse("feedback:import_job", args=[job.pk]))
    assert b"Row 3" in page.content
    assert not [r for r in caplog.records if r.exc_info]  # a refusal is not a crash: no traceback logged


def test_triage_link_an_item_to_an_idea_with_a_quote(login, cast):
    client = login(cast.pm)
    item = f.make_item("Checkout is slow on mobile. It takes ten seconds to load.")
    response = client.post(
        reverse("feedback:item_link", args=[item.pk]),
        {"initiative": cast.home_initiative.pk, "quote": "It takes ten seconds to load."},
    )
    assert response.status_code == 302
    link = EvidenceLink.objects.get()
    assert link.quote == "It takes ten seconds to load."
    detail = client.get(reverse("feedback:item_detail", args=[item.pk])).content.decode()
    assert cast.home_initiative.title in detail and "ten seconds" in detail


def test_create_an_idea_from_an_item(login, cast):
    client = login(cast.leader)
    item = f.make_item("Let subscribers pause instead of cancelling")
    client.post(reverse("feedback:item_idea", args=[item.pk]), {"title": "Pause subscriptions"})
    idea = Initiative.objects.get(title="Pause subscriptions")
    assert EvidenceLink.objects.filter(item=item, initiative=idea).exists()


def test_inbox_groups_near_identical_items_and_hides_processed_ones(login, cast):
    for _ in range(3):
        f.make_item("Apple Pay please!")
    done = f.make_item("Already handled")
    done.status = FeedbackItem.Status.PROCESSED
    done.save()
    html = login(cast.stakeholder).get(reverse("feedback:inbox")).content.decode()
    assert "3 near-identical" in html
    assert "Already handled" not in html
    assert "Mark processed" not in html  # stakeholders read only


@pytest.mark.parametrize("rows", [5, 40])
def test_list_pages_run_in_fixed_queries(login, cast, django_assert_max_num_queries, rows):
    theme = f.make_theme()
    customer = f.make_customer()
    for n in range(rows):
        f.make_item(f"Item {n} about exports", theme=theme, customer=customer)
        f.make_post()
    client = login(cast.pm)
    for url, limit in (
        (reverse("feedback:inbox"), 12),
        (reverse("feedback:customers"), 8),
        (reverse("feedback:themes"), 10),
        (reverse("feedback:theme_detail", args=[theme.pk]), 16),
        (reverse("feedback:demand"), 10),
        (reverse("feedback:portal_admin"), 14),
        (reverse("portal:home"), 8),
        (reverse("portal:roadmap"), 10),
    ):
        with django_assert_max_num_queries(limit):
            assert client.get(url).status_code == 200


def test_theme_page_shows_size_customers_revenue_and_quotes(login, cast):
    customer = f.make_customer("Globex", revenue="250000")
    theme = f.make_theme("Exports")
    f.make_item("Export invoices to CSV please", theme=theme, customer=customer)
    f.make_item("CSV export for accountants", theme=theme, customer=customer)
    html = login(cast.stakeholder).get(reverse("feedback:theme_detail", args=[theme.pk])).content.decode()
    assert "Globex" in html and "250,000" in html
    assert "Export invoices to CSV please" in html
    assert "Rename" not in html  # read-only role sees no edit controls


def test_the_themes_page_ranks_themes_by_the_revenue_asking(login, cast):
    big, small = f.make_customer("Globex", revenue="900000"), f.make_customer("Corner shop", revenue="5000")
    loud = f.make_theme("Export invoices to CSV")
    for n in range(5):
        f.make_item(
            f"CSV export number {n} please", theme=loud, customer=small, author_email=f"{n}@shop.example"
        )
    costly = f.make_theme("Single sign-on with Okta")
    f.make_item("We need Okta single sign-on", theme=costly, customer=big)
    html = login(cast.stakeholder).get(reverse("feedback:themes")).content.decode()
    assert html.index("Single sign-on with Okta") < html.index("Export invoices to CSV")
    assert "900,000 EUR" in html and "5,000 EUR" in html
    by_size = login(cast.stakeholder).get(reverse("feedback:themes") + "?sort=size").content.decode()
    assert "Re-cluster" not in html  # read-only role
    assert by_size.count("<tr>") == html.count("<tr>")


def test_recluster_from_the_themes_page_runs_as_a_job(login, cast, django_capture_on_commit_callbacks):
    for text in ("Apple Pay at checkout", "Google Pay at checkout", "Wallets at checkout please"):
        f.make_item(text)
    client = login(cast.pm)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("feedback:themes_recluster"), {"n_themes": ""})
    assert response.status_code == 302 and "job=" in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "Re-cluster feedback themes" in page  # the job's status block
    assert Theme.objects.filter(status="active").exists()
    assert theme_services.current_embedder().label.split(" ")[0] in page


def test_an_ideas_page_shows_the_customer_evidence_behind_it(cast, login):
    from tests.feedback.factories import make_customer, make_item

    acme = make_customer("Acme Bank", revenue="120000")
    item = make_item("We lose deals without single sign-on", customer=acme)
    services.link_create(
        actor=cast.leader, item=item, initiative=cast.home_initiative, quote="single sign-on"
    )
    html = (
        login(cast.stakeholder)
        .get(reverse("portfolio:detail", args=[cast.home_initiative.pk]))
        .content.decode()
    )
    assert "Customer evidence" in html
    assert "<strong>1</strong> feedback item from" in html and "Acme Bank" in html
    assert "“single sign-on”" in html and reverse("feedback:item_detail", args=[item.pk]) in html


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("https://evil.example/phish", None),
        ("//evil.example/", None),
        ("javascript:alert(1)", None),
        ("/somewhere/on/this/site/?status=new", "/somewhere/on/this/site/?status=new"),
    ],
)
def test_processing_an_item_only_goes_back_to_a_page_on_this_site(login, cast, next_url, expected):
    item = f.make_item("Needs triage")
    client = login(cast.pm)
    response = client.post(
        reverse("feedback:item_process", args=[item.pk]), {"status": "processed", "next": next_url}
    )
    assert response.status_code == 302
    assert response["Location"] == (expected or reverse("feedback:inbox"))


def test_an_upload_name_with_query_characters_survives_the_redirect(login, cast):
    client = login(cast.pm)
    upload = client.post(
        reverse("feedback:import_upload"),
        {"file": SimpleUploadedFile("Q3 & Q4 #1 preset=zendesk.csv", CSV), "preset": "generic"},
    )
    assert upload.status_code == 302
    page = client.get(upload["Location"])
    assert page.status_code == 200
    assert page.wsgi_request.GET["name"] == "Q3 & Q4 #1 preset=zendesk.csv"
    assert page.wsgi_request.GET["preset"] == "generic"


def test_the_themes_header_follows_a_recluster_that_finishes_while_the_page_is_open(login, cast):
    from northstar.core.models import Job
    from northstar.feedback.models import ThemeRun

    ThemeRun.objects.create(embedder="tfidf-svd", embedder_label="TF-IDF + SVD (lighter fallback)", themes=3)
    job = Job.objects.create(
        title="Re-cluster feedback themes",
        task="northstar.feedback.tasks.recluster",
        actor=cast.pm,
        status=Job.Status.RUNNING,
    )
    client = login(cast.pm)
    url = reverse("feedback:themes") + f"?job={job.pk}"
    page = client.get(url).content.decode()
    body = page[page.index('id="themes-body"') :]
    assert f'hx-get="{url}"' in body[:400]  # the header and the list refresh while the job runs
    # The job finishes with another method; the next refresh names it and stops polling.
    ThemeRun.objects.create(
        embedder="minilm", embedder_label="all-MiniLM-L6-v2 sentence embeddings", themes=7
    )
    Job.objects.filter(pk=job.pk).update(status=Job.Status.SUCCEEDED)
    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<div id="themes-body"')
    assert "Themes found by <strong>all-MiniLM-L6-v2" in fragment and "TF-IDF" not in fragment
    assert "hx-trigger" not in fragment


def test_a_stakeholder_sees_the_customer_voice_without_the_people_or_the_moderation_queue(login, cast):
    from northstar.feedback.models import Contact, Moderation

    acme = f.make_customer("Acme Bank")
    Contact.objects.create(customer=acme, name="Dana Contact", email="dana@acme.example", title="CFO")
    item = f.make_item("We need SSO before renewal", customer=acme, author_email="ana.berg@acme.example")
    FeedbackItem.objects.filter(pk=item.pk).update(author_name="Ana Berg")
    theme = f.make_theme("Single sign-on")
    FeedbackItem.objects.filter(pk=item.pk).update(theme=theme)
    post = f.make_post(board=f.make_board("Ideas"), title="Dark mode please", moderation=Moderation.PENDING)
    Post.objects.filter(pk=post.pk).update(author_email="voter@example.com")
    pages = [
        reverse("feedback:inbox"),
        reverse("feedback:item_detail", args=[item.pk]),
        reverse("feedback:customer_detail", args=[acme.pk]),
        reverse("feedback:theme_detail", args=[theme.pk]),
        reverse("feedback:portal_admin"),
    ]
    people = ("Ana Berg", "ana.berg@acme.example", "Dana Contact", "dana@acme.example", "voter@example.com")
    stakeholder = login(cast.stakeholder)
    for url in pages:
        html = stakeholder.get(url).content.decode()
        assert not [p for p in people if p in html], url
    assert "We need SSO before renewal" in stakeholder.get(pages[1]).content.decode()  # the voice stays
    assert "Dark mode please" not in stakeholder.get(pages[-1]).content.decode()  # no moderation queue
    pm = login(cast.pm)
    assert "Ana Berg" in pm.get(pages[1]).content.decode()
    assert "Dana Contact" in pm.get(pages[2]).content.decode()
    assert "voter@example.com" in pm.get(pages[-1]).content.decode()


def test_many_feedback_items_triage_into_a_new_idea_or_archive_from_the_inbox(login, cast):
    from northstar.feedback.models import EvidenceLink

    items = [f.make_item(f"Please let us export invoices ({n})") for n in range(3)]
    client = login(cast.pm)
    inbox = client.get(reverse("feedback:inbox")).content.decode()
    assert f'name="ids" value="{items[0].pk}"' in inbox
    ids = [i.pk for i in items]
    choose = client.post(reverse("feedback:bulk"), {"ids": ids, "action": "triage"}).content.decode()
    assert "Triage 3 feedback items" in choose and "A new idea from them" in choose
    done = client.post(
        reverse("feedback:bulk"), {"ids": ids, "action": "idea", "title": "Invoice export"}, follow=True
    )
    idea = Initiative.objects.get(title="Invoice export")
    assert done.redirect_chain[-1][0] == reverse("portfolio:detail", args=[idea.pk])
    assert EvidenceLink.objects.filter(initiative=idea).count() == 3
    more = [f.make_item(f"Old noise {n}") for n in range(2)]
    asked = client.post(reverse("feedback:bulk"), {"ids": [i.pk for i in more], "action": "archive"})
    assert "Archive 2 feedback items?" in asked.content.decode()
    client.post(
        reverse("feedback:bulk"), {"ids": [i.pk for i in more], "action": "archive", "confirm": "yes"}
    )
    assert "Old noise" not in client.get(reverse("feedback:inbox")).content.decode()
    assert (
        login(cast.stakeholder).post(reverse("feedback:bulk"), {"ids": ids, "action": "triage"}).status_code
        == 403
    )
