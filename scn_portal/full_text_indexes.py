"""Full-text indexes for the portal's search, created by migrations on PostgreSQL only.

Each index is built from the very `SearchVector` expression `scn_portal.search.words_match`
filters on (`SearchVector(*fields, config="simple")`), so the planner can use it, or on the
stored document column it filters on instead where the model has one
(`scn_portal.models.document_field`). SQLite has no such index; its search is a word-by-word
LIKE.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

# (app, model, index name, fields)
Document = tuple[str, str, str, tuple[str, ...]]
# (app, model, index name, stored document column)
StoredDocument = tuple[str, str, str, str]


def full_text_indexes(documents: list[Document]) -> migrations.RunPython:
    """A migration operation that adds (and on reversal removes) a GIN index per document."""

    def indexes(apps):
        for app, model, name, fields in documents:
            yield (
                apps.get_model(app, model),
                GinIndex(SearchVector(*fields, config="simple"), name=name),
            )

    return _index_operation(indexes)


def stored_document_indexes(documents: list[StoredDocument]) -> migrations.RunPython:
    """A migration operation that adds (and on reversal removes) a GIN index per stored
    document column."""

    def indexes(apps):
        for app, model, name, column in documents:
            yield apps.get_model(app, model), GinIndex(fields=[column], name=name)

    return _index_operation(indexes)


def removed(operation: migrations.RunPython) -> migrations.RunPython:
    """The operation undone: its indexes removed (and on reversal made again)."""
    return migrations.RunPython(operation.reverse_code, operation.code)


def _index_operation(indexes) -> migrations.RunPython:

    def create(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for model, index in indexes(apps):
                schema_editor.add_index(model, index)

    def drop(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for model, index in indexes(apps):
                schema_editor.remove_index(model, index)

    return migrations.RunPython(create, drop)
