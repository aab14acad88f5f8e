"""The search's stored documents (`scn_portal.models.document_field`): kept by the database
on every write, read by the search, and never fetched with a page's rows."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consultations.models import Consultation, Finding
from scn_portal import roles
from scn_portal import search as search_module
from scn_portal.models import stored_documents
from scn_portal.search import SEARCH_KINDS, search_portal
from scn_portal.services import record_update
from tests.auth import sign_in
from tests.factories import ConsultationFactory, FindingFactory, UserFactory, WorkshopFactory
from workshops.models import Workshop

pytestmark = pytest.mark.django_db

ON_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="stored documents: PostgreSQL"
)


@pytest.fixture
def staff():
    user = UserFactory()
    user.groups.add(Group.objects.get(name=roles.ISD_STAFF))
    return user


def found_titles(user, query: str, kind: str) -> list[str]:
    return [str(row) for row in search_portal(user=user, query=query)[kind]]


@pytest.mark.parametrize(
    ("factory", "field", "kind"),
    [
        (ConsultationFactory, "summary", "consultations"),
        (ConsultationFactory, "public_summary", "consultations"),
        (WorkshopFactory, "agenda", "workshops"),
        (FindingFactory, "text", "consultations"),
    ],
    ids=["consultation summary", "consultation public summary", "workshop agenda", "finding"],
)
def test_an_edited_text_is_found_by_its_new_words_and_no_longer_by_its_old(
    staff, factory, field, kind
):
    record = factory(**{field: "Talks on the aquifer"})
    shown = str(record.consultation if isinstance(record, Finding) else record)
    assert found_titles(staff, "aquifer", kind) == [shown]

    record_update(record, actor=staff, **{field: "Talks on the madrassa board"})

    assert found_titles(staff, "aquifer", kind) == []
    assert found_titles(staff, "madrassa", kind) == [shown]


@ON_POSTGRESQL
@pytest.mark.parametrize(
    ("model", "fields", "column"),
    [
        (Consultation, ("title", "public_summary", "summary"), "search_internal"),
        (Consultation, ("title", "public_summary"), "search_public"),
        (Finding, ("text",), "search_document"),
        (Workshop, ("title", "venue", "public_summary", "agenda", "outcomes"), "search_document"),
    ],
)
def test_the_search_reads_the_stored_document_of_exactly_its_fields(model, fields, column):
    sql = str(model.objects.filter(search_module.words_match(fields, ["water"], model)).query)

    assert f'"{column}" @@' in sql
    assert "to_tsvector" not in sql


@ON_POSTGRESQL
def test_each_kind_with_text_searches_a_stored_document(staff):
    """The kinds whose documents are long (consultations, workshops, findings) are searched
    on their stored column; a kind's fields and its model's document must not drift apart."""
    partner = UserFactory()
    partner.groups.add(Group.objects.get(name=roles.PARTNER_EDITOR))
    kinds = {kind.key: kind for kind in SEARCH_KINDS}
    for key, user, column in [
        ("consultations", staff, "search_internal"),
        ("consultations", partner, "search_public"),  # never the internal summary's words
        ("workshops", staff, "search_document"),
        ("workshops", partner, "search_document"),
    ]:
        kind = kinds[key]
        fields = kind.name_fields + kind.text_fields_for(user)
        assert stored_documents(kind.model)[fields] == column
        sql = str(kind.model.objects.filter(kind.own_match(user, ["water"])).query)
        assert f'"{column}" @@' in sql, sql
        assert "to_tsvector" not in sql, sql
        if column == "search_public":
            assert "search_internal" not in sql, sql


def test_pages_of_records_do_not_fetch_the_search_documents(client, staff):
    workshop = WorkshopFactory()
    finding = FindingFactory(consultation__workshop=workshop)
    sign_in(client, staff)
    pages = [
        reverse("consultations:consultation_list"),
        reverse("consultations:finding_list"),
        reverse("workshops:workshop_list"),
        finding.consultation.get_absolute_url(),
        workshop.get_absolute_url(),
    ]

    with CaptureQueriesContext(connection) as queries:
        for page in pages:
            assert client.get(page).status_code == 200
    selected = " ".join(query["sql"] for query in queries.captured_queries)

    assert "search_internal" not in selected
    assert "search_public" not in selected
    assert "search_document" not in selected
    consultation = Consultation.objects.first()
    assert consultation.get_deferred_fields() == {"search_internal", "search_public"}


def test_the_history_does_not_keep_the_search_documents():
    for model in (Consultation, Finding, Workshop):
        history_fields = {field.name for field in model.history.model._meta.fields}
        assert not history_fields & set(stored_documents(model).values()), model
