"""Full-text indexes for the portal's search of consultations and workshops, on PostgreSQL.

`scn_portal.search` matches these tables on an unweighted document of their searchable
fields; the indexes are built from the very same `SearchVector` expressions, so the planner
uses them (EXPLAIN ANALYZE at 100,000 consultations: Bitmap Index Scan instead of computing
to_tsvector for every consultation). A consultation has two documents: with the internal
summary (ISD staff and viewers) and without it (everyone else). SQLite has no such index;
its search is a word-by-word LIKE.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

# (app, model, index name, fields): keep in step with SEARCH_KINDS in scn_portal/search.py.
DOCUMENTS = [
    ("consultations", "Consultation", "consultation_search_internal",
     ("title", "public_summary", "summary")),
    ("consultations", "Consultation", "consultation_search_public", ("title", "public_summary")),
    ("workshops", "Workshop", "workshop_search",
     ("title", "venue", "public_summary", "agenda", "outcomes")),
]  # fmt: skip


def _indexes(apps):
    for app, model, name, fields in DOCUMENTS:
        yield (
            apps.get_model(app, model),
            GinIndex(SearchVector(*fields, config="simple"), name=name),
        )


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for model, index in _indexes(apps):
            schema_editor.add_index(model, index)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for model, index in _indexes(apps):
            schema_editor.remove_index(model, index)


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0006_finding_search_index"),
        ("workshops", "0003_list_order_indexes"),
    ]

    operations = [migrations.RunPython(create, drop)]
