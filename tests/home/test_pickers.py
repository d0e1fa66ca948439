"""Type-ahead pickers: forms ask for people, initiatives, objectives and customers by name, the
picker route answers a bounded list however many records there are, and what may be picked follows
the same rules as everywhere else."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from northstar.core import archive
from northstar.org.models import Level, Person
from northstar.portfolio.forms import InitiativeForm
from northstar.portfolio.models import Initiative
from tests import factories
from tests.feedback.factories import make_customer
from tests.strategy.factories import make_objective

pytestmark = pytest.mark.django_db


def _options(response) -> list[str]:
    return re.findall(r'data-label="([^"]*)"', response.content.decode())


def _pick(client, kind: str, q: str = "", field: str = "id_owner"):
    return client.get(reverse("home:pick", args=[kind]), {"q": q, "field": field})


def test_ten_thousand_people_answer_a_screenful_names_starting_with_the_text_first(
    cast, login, django_assert_max_num_queries
):
    Person.objects.bulk_create(
        Person(name=f"Member {n:05d}", email=f"m{n}@example.com", title="Engineer", level=Level.PM)
        for n in range(10_000)
    )
    factories.make_person(name="Ada Memory")  # "mem" inside the name, after the names starting with it
    client = login(cast.pm)
    with django_assert_max_num_queries(4):
        response = _pick(client, "person", "mem")
    assert response.status_code == 200
    labels = _options(response)
    assert len(labels) == 20
    assert labels[0] == "Member 00000"
    assert "More match: keep typing" in response.content.decode()
    assert _options(_pick(client, "person", "member 09999")) == ["Member 09999"]
    assert _options(_pick(client, "person", "ada mem")) == ["Ada Memory"]


def test_options_are_an_accessible_listbox_with_ids_unique_to_the_field(cast, login):
    response = _pick(login(cast.pm), "initiative", "home", field="id_parent")
    html = response.content.decode()
    assert f'id="id_parent-option-{cast.home_initiative.pk}"' in html
    assert 'role="option"' in html
    assert _options(response) == ["Home work"]


def test_an_id_typed_as_a_number_finds_that_record(cast, login):
    client = login(cast.pm)
    assert _options(_pick(client, "initiative", f"#{cast.away_initiative.pk}")) == ["Away work"]


def test_archived_records_are_not_offered(cast, login):
    record = cast.away_initiative
    archive.record_archive(actor=cast.leader, kind=archive.kind_of(record), record=record)
    assert _options(_pick(login(cast.pm), "initiative", "work")) == ["Home work"]


def test_objectives_and_customers_are_picked_by_name(cast, login):
    make_objective(title="Win the mid-market")
    make_customer("Zebra Logistics")
    client = login(cast.stakeholder)
    assert _options(_pick(client, "objective", "mid")) == ["Win the mid-market"]
    assert _options(_pick(client, "customer", "zeb")) == ["Zebra Logistics"]


def test_no_match_says_so(cast, login):
    response = _pick(login(cast.pm), "customer", "nothing like this")
    assert "No customers match" in response.content.decode()


def test_sign_in_accounts_are_for_leaders_and_unknown_kinds_are_not_found(cast, login):
    assert _pick(login(cast.pm), "user", "lead").status_code == 403
    assert _options(_pick(login(cast.leader), "user", "lead")) == ["leader"]
    assert _pick(login(cast.leader), "planet", "x").status_code == 404


def test_the_initiative_form_renders_only_the_chosen_records_not_every_row(
    cast, django_assert_max_num_queries
):
    owner = factories.make_person(name="Olive Owner")
    child = factories.make_initiative(title="Child", owner=owner, parent=cast.home_initiative)
    Person.objects.bulk_create(
        Person(name=f"P{n}", email=f"p{n}@example.com", title="x", level=Level.PM) for n in range(500)
    )
    form = InitiativeForm(initiative=child)
    html = str(form["owner"]) + str(form["parent"])
    assert 'value="Olive Owner"' in html and 'value="Home work"' in html
    assert f'name="owner" value="{owner.pk}"' in html
    assert 'role="combobox"' in html and "<option" not in html
    assert "P499" not in html


def test_a_picked_parent_and_owner_are_saved_by_id_and_a_made_up_id_is_refused(cast, login):
    owner = factories.make_person(name="Olive Owner")
    client = login(cast.leader)
    data = {"title": "Child work", "kind": "feature", "stage": "idea", "product": cast.home_product.pk}
    response = client.post(
        reverse("portfolio:create"), {**data, "owner": owner.pk, "parent": cast.home_initiative.pk}
    )
    assert response.status_code == 302
    child = Initiative.objects.get(title="Child work")
    assert (child.owner, child.parent) == (owner, cast.home_initiative)
    response = client.post(reverse("portfolio:create"), {**data, "title": "Orphan", "parent": 999999})
    assert response.status_code in (200, 422)
    assert not Initiative.objects.filter(title="Orphan").exists()
    assert "Pick one from the list" in response.content.decode()


def _pick_to_change(client, q: str = "work"):
    return client.get(reverse("home:pick", args=["initiative"]), {"q": q, "purpose": "edit"})


def test_a_picker_for_a_change_offers_a_pm_only_their_lines_ideas_and_the_leader_every_one(
    cast, login, django_assert_max_num_queries
):
    own_idea = factories.make_initiative(title="Own unlined work", owner=cast.pm_person, product=None)
    client = login(cast.pm)
    _pick_to_change(client)
    with django_assert_max_num_queries(6):  # the line scope costs two: bounded in the database
        offered = _options(_pick_to_change(client))
    assert offered == ["Home work", "Own unlined work"]  # not "Away work": linking to it is refused
    assert _options(_pick_to_change(login(cast.leader))) == ["Away work", "Home work", own_idea.title]
    assert _options(_pick_to_change(login(cast.stakeholder))) == []
    # Without a purpose (reading, or depending on another line's work) every initiative is offered.
    assert _options(_pick(login(cast.pm), "initiative", "work")) == ["Away work", "Home work", own_idea.title]


def test_what_a_pm_is_offered_to_change_is_what_the_submit_accepts(cast, login):
    """The evidence link a PM can pick from the offered list lands; the other line's is refused."""
    from northstar.core.errors import PermissionDenied
    from northstar.feedback.services import link_create
    from tests.feedback.factories import make_item

    item = make_item()
    offered = set(_options(_pick_to_change(login(cast.pm))))
    for initiative in [cast.home_initiative, cast.away_initiative]:
        try:
            link_create(actor=cast.pm, item=item, initiative=initiative)
            accepted = True
        except PermissionDenied:
            accepted = False
        assert accepted == (initiative.title in offered)


def test_the_evidence_and_alignment_forms_ask_their_picker_for_changeable_ideas_only():
    from northstar.feedback.forms import LinkForm
    from northstar.strategy.forms import AlignmentForm

    assert "purpose=edit" in str(LinkForm()["initiative"])
    assert "purpose=edit" in str(AlignmentForm(objectives=[])["initiative"])


def test_an_unknown_purpose_is_a_clear_400(cast, login):
    response = login(cast.pm).get(reverse("home:pick", args=["person"]), {"q": "p", "purpose": "edit"})
    assert response.status_code == 400
    assert "no “edit” picker for people" in response.content.decode()
