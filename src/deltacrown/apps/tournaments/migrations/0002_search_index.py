"""Full-text search index for tournament discovery (PostgreSQL only).

The expression is exactly the one ``selectors.search_vector()`` produces (name weighted A,
description B, text-search configuration "simple"), so the planner can answer ``@@`` searches
from the index. SQLite has no GIN indexes; discovery falls back to substring matching there,
and this migration does nothing.
"""

from django.db import migrations

INDEX_NAME = "tournaments_search_gin"
DOCUMENT = (
    "(setweight(to_tsvector('simple'::regconfig, COALESCE(\"name\", '')), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, COALESCE(\"description\", '')), 'B'))"
)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS {INDEX_NAME} ON "tournaments_tournament" '
        f"USING gin ({DOCUMENT})"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX_NAME}")


class Migration(migrations.Migration):
    dependencies = [("tournaments", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
