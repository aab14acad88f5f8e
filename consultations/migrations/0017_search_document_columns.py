"""The global search's documents stored in their rows (`scn_portal.models.document_field`),
and their GIN indexes in place of the indexes on the same expressions (0006, 0007).

The search tests rows one by one as it walks a list in its order; to_tsvector computed at
each test cost 27 us a finding and 60 us a workshop. At scale 1, "water council": the walks'
tests of 250 workshops, 250 consultations and the findings of 250 consultations took 14, 15
and 24 ms; reading stored documents, 2, 2 and 7 ms (EXPLAIN ANALYZE). Adding the columns
rewrites the three tables (35 s at scale 1).
"""

import scn_portal.models
from django.db import migrations, models

from scn_portal.full_text_indexes import full_text_indexes, removed, stored_document_indexes

# The expression indexes these columns replace (0006, 0007), made again on reversal.
EXPRESSION_INDEXES = [
    ("consultations", "Finding", "finding_text_search", ("text",)),
    ("consultations", "Consultation", "consultation_search_internal",
     ("title", "public_summary", "summary")),
    ("consultations", "Consultation", "consultation_search_public", ("title", "public_summary")),
    ("workshops", "Workshop", "workshop_search",
     ("title", "venue", "public_summary", "agenda", "outcomes")),
]  # fmt: skip
STORED_DOCUMENTS = [
    ("consultations", "Finding", "finding_document_search", "search_document"),
    ("consultations", "Consultation", "consultation_internal_search", "search_internal"),
    ("consultations", "Consultation", "consultation_public_search", "search_public"),
    ("workshops", "Workshop", "workshop_document_search", "search_document"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0016_finding_consultation_order"),
        ("workshops", "0009_search_document_columns"),
    ]

    operations = [
        migrations.AddField(
            model_name="consultation",
            name="search_internal",
            field=models.GeneratedField(
                db_persist=True,
                expression=scn_portal.models.SearchDocument("title", "public_summary", "summary"),
                output_field=scn_portal.models.SearchDocumentField(null=True),
                verbose_name="search document",
            ),
        ),
        migrations.AddField(
            model_name="consultation",
            name="search_public",
            field=models.GeneratedField(
                db_persist=True,
                expression=scn_portal.models.SearchDocument("title", "public_summary"),
                output_field=scn_portal.models.SearchDocumentField(null=True),
                verbose_name="search document",
            ),
        ),
        migrations.AddField(
            model_name="finding",
            name="search_document",
            field=models.GeneratedField(
                db_persist=True,
                expression=scn_portal.models.SearchDocument("text"),
                output_field=scn_portal.models.SearchDocumentField(null=True),
                verbose_name="search document",
            ),
        ),
        removed(full_text_indexes(EXPRESSION_INDEXES)),
        stored_document_indexes(STORED_DOCUMENTS),
    ]
