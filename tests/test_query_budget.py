"""The query budget: exactly how many SQL queries the busiest pages make, signed in as ISD
staff on the demo data (like NetBox's per-app query counts). A change that adds a query to
one of them fails here, and must change this table on purpose. That no page's count grows
with its rows is asserted beside each page's own tests (`..._queries_do_not_grow`).

Every signed-in page starts with the same queries: the session, the user, the second
factor's device, the user's permissions (two) and their roles (the groups' names). The
session is saved again for the idle time-out at most once a minute
(`scn_portal.security.SessionIdleMiddleware`), so not within these tests.
"""

import pytest
from django.db import connection
from django.urls import reverse

from consultations.models import Consultation
from scn_portal.demo import WORKSHOP_SLUG, load_demo
from tests.queries import count_queries

pytestmark = pytest.mark.django_db

# page: (URL name, its arguments, queries), counted once the cache is warm. The queries of
# every signed-in page are included; the rest is the page's own: its rows, the paginator's
# count, the per-page figures (counts, versions), prefetched related rows (a list's filter
# form, with no filter given, comes from the cache).
BUDGET = {
    "dashboard": ("dashboard", {}, 12),
    "city list": ("cities:city_list", {}, 11),
    "official list": ("cities:official_list", {}, 10),
    "organisation list": ("cities:organisation_list", {}, 11),
    "workshop list": ("workshops:workshop_list", {}, 12),
    "participant list": ("workshops:participation_list", {}, 11),
    "media coverage list": ("workshops:mediacoverage_list", {}, 10),
    "consultation list": ("consultations:consultation_list", {}, 11),
    "finding list": ("consultations:finding_list", {}, 10),
    "next step list": ("consultations:next_step_list", {}, 11),
    # Its newest workshops' and consultations' keys and dates; its next steps: those filed
    # elsewhere, the newest keys, the open keys, the counts, the rows shown; the workshops
    # and consultations shown, with findings and officials (see cities/selectors.py); its
    # officials, the first shown and their count.
    "city timeline": ("cities:city_detail", {"slug": "quetta"}, 25),
    "workshop page": ("workshops:workshop_detail", {"slug": WORKSHOP_SLUG}, 16),
    # Per kind: which records match by name and at all (capped keys), their first in order,
    # the rows shown; on PostgreSQL the planner settings around the first part, set and reset
    # in a savepoint, and the planner's estimate of the matches before they are counted (one
    # a kind, and the findings': see scn_portal/search.py).
    "search": ("search", {}, {"postgresql": 43, "sqlite": 33}),
    # The forms, with every inline row: the record, its rows of each kind, each kind's chosen
    # records read once for all its rows (scn_portal.forms.ScopedInlineFormSet), the versions.
    "workshop edit form": ("workshops:workshop_update", {"slug": WORKSHOP_SLUG}, 23),
    "consultation edit form": (
        "consultations:consultation_update",
        lambda: {"pk": Consultation.objects.get(city__slug="quetta").pk},
        20,
    ),
}


@pytest.mark.parametrize("page", BUDGET)
def test_the_busiest_pages_make_exactly_their_budget_of_queries(staff_client, page):
    load_demo()
    name, kwargs, budget = BUDGET[page]
    if callable(kwargs):
        kwargs = kwargs()
    if isinstance(budget, dict):
        budget = budget[connection.vendor]
    url = reverse(name, kwargs=kwargs) + ("?q=Quetta" if name == "search" else "")
    staff_client.get(url)  # the session's first request settles it, and fills the cache

    count, queries = count_queries(lambda: staff_client.get(url), cold=False)

    assert count == budget, "\n".join(queries)
