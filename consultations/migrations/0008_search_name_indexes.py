"""Full-text indexes for every kind the portal's search covers, on PostgreSQL.

`scn_portal.search` lists the records whose name holds every word first (the name document),
then the rest (the name and text document); both match through these indexes, so neither
computes to_tsvector for every row of cities, officials, organisations, workshops or
consultations (EXPLAIN ANALYZE at scale 1: Bitmap Index Scan on each for a rare word; for a
common one the planner walks the list-order index and stops at the first 20 matches).
"""

from django.db import migrations

from scn_portal.full_text_indexes import full_text_indexes

# (app, model, index name, fields): keep in step with SEARCH_KINDS in scn_portal/search.py.
DOCUMENTS = [
    ("cities", "City", "city_search_name", ("name", "name_local")),
    ("cities", "City", "city_search", ("name", "name_local", "province")),
    ("cities", "Official", "official_search_name", ("name", "name_local")),
    ("cities", "Official", "official_search", ("name", "name_local", "title")),
    ("cities", "Organisation", "organisation_search_name", ("name", "short_name")),
    ("cities", "Organisation", "organisation_search", ("name", "short_name", "description")),
    ("workshops", "Workshop", "workshop_search_title", ("title",)),
    ("consultations", "Consultation", "consultation_search_title", ("title",)),
]


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0007_search_document_indexes"),
        ("cities", "0003_list_order_indexes"),
    ]

    operations = [full_text_indexes(DOCUMENTS)]
