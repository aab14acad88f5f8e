"""Full-text indexes for the portal's search of consultations and workshops, on PostgreSQL.

`scn_portal.search` matches these tables on an unweighted document of their searchable
fields; the indexes are built from the very same `SearchVector` expressions, so the planner
uses them (EXPLAIN ANALYZE at 100,000 consultations: Bitmap Index Scan instead of computing
to_tsvector for every consultation). A consultation has two documents: with the internal
summary (ISD staff and viewers) and without it (everyone else).
"""

from django.db import migrations

from scn_portal.full_text_indexes import full_text_indexes

# (app, model, index name, fields): keep in step with SEARCH_KINDS in scn_portal/search.py.
DOCUMENTS = [
    ("consultations", "Consultation", "consultation_search_internal",
     ("title", "public_summary", "summary")),
    ("consultations", "Consultation", "consultation_search_public", ("title", "public_summary")),
    ("workshops", "Workshop", "workshop_search",
     ("title", "venue", "public_summary", "agenda", "outcomes")),
]  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0006_finding_search_index"),
        ("workshops", "0003_list_order_indexes"),
    ]

    operations = [full_text_indexes(DOCUMENTS)]
