"""The migrated database is the schema contract: build the spec's SQL in a scratch schema and
compare the two, column by column, index by index, foreign key by foreign key."""

from pathlib import Path

import pytest
from django.db import connection

DOCS = Path(__file__).resolve().parents[2] / "docs"
SEED_TABLES = [
    "users", "modules", "lessons", "assessments", "user_progress", "quiz_attempts", "bot_configurations",
    "trading_strategies", "cohorts", "cohort_members", "code_submissions", "peer_reviews", "forum_posts",
    "forum_votes", "achievements", "user_achievements", "learning_resources",
]  # fmt: skip
# Extra columns the product needs; each is explained in docs/schema.md.
EXTRA_COLUMNS = {
    ("modules", "slug"),
    ("lessons", "slug"),
    ("assessments", "starter_code"),
    ("assessments", "test_code"),
    ("assessments", "reference_solution"),
    ("quiz_attempts", "sitting_id"),
    ("user_progress", "active_seconds"),
    ("user_progress", "last_heartbeat_at"),
}
EXTRA_INDEXES = {"users_email_lower_key", "users_username_lower_key", "idx_attempts_sitting"}
EXTRA_FOREIGN_KEYS = {("quiz_attempts", "sitting_id", "quiz_sittings", "c")}


@pytest.fixture
def seed_schema(db):
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA IF EXISTS seed CASCADE; CREATE SCHEMA seed; SET search_path TO seed")
        cursor.execute((DOCS / "seed-schema.sql").read_text())
        cursor.execute("SET search_path TO public")
    yield "seed"


def _columns(schema):
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT table_name, column_name, data_type, character_maximum_length, numeric_precision,
                      numeric_scale, is_nullable, column_default
               FROM information_schema.columns WHERE table_schema = %s AND table_name = ANY(%s)""",
            [schema, SEED_TABLES],
        )
        return {(row[0], row[1]): row[2:] for row in cursor.fetchall()}


def _normalise_column(info):
    data_type, length, precision, scale, nullable, default = info
    # The one allowed deviation: timestamps carry their time zone.
    data_type = data_type.replace("timestamp without time zone", "timestamp with time zone")
    return data_type, length, precision, scale, nullable, default


def test_every_seed_table_exists(seed_schema):
    public = {table for table, _ in _columns("public")}
    assert public == set(SEED_TABLES)


def test_columns_match_the_seed_exactly(seed_schema):
    seed, ours = _columns("seed"), _columns("public")
    assert set(seed) == set(ours) - EXTRA_COLUMNS, "column sets differ"
    mismatches = {
        key: (_normalise_column(seed[key]), ours[key]) for key in seed if _normalise_column(seed[key]) != ours[key]
    }
    assert mismatches == {}


def _indexes(schema):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = %s AND tablename = ANY(%s)",
            [schema, SEED_TABLES],
        )
        return {name: (table, definition.replace(f"{schema}.", "")) for table, name, definition in cursor.fetchall()}


def test_seed_indexes_and_unique_constraints_exist_with_the_same_names_and_definitions(seed_schema):
    seed, ours = _indexes("seed"), _indexes("public")
    missing = {name: seed[name] for name in seed if ours.get(name) != seed[name]}
    assert missing == {}
    # Only the documented case-insensitive unique indexes are extra.
    assert set(ours) - set(seed) == EXTRA_INDEXES


def _foreign_keys(schema):
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT cl.relname, att.attname, ref.relname, con.confdeltype
               FROM pg_constraint con
               JOIN pg_class cl ON cl.oid = con.conrelid
               JOIN pg_namespace ns ON ns.oid = cl.relnamespace
               JOIN pg_class ref ON ref.oid = con.confrelid
               JOIN pg_attribute att ON att.attrelid = con.conrelid AND att.attnum = ANY(con.conkey)
               WHERE con.contype = 'f' AND ns.nspname = %s AND cl.relname = ANY(%s)""",
            [schema, SEED_TABLES],
        )
        return set(cursor.fetchall())


def test_foreign_keys_reference_the_same_tables_with_the_same_on_delete(seed_schema):
    assert _foreign_keys("public") == _foreign_keys("seed") | EXTRA_FOREIGN_KEYS


def test_primary_keys_match(seed_schema):
    def primary_keys(schema):
        with connection.cursor() as cursor:
            cursor.execute(
                """SELECT tc.table_name, string_agg(kcu.column_name, ',' ORDER BY kcu.ordinal_position)
                   FROM information_schema.table_constraints tc
                   JOIN information_schema.key_column_usage kcu
                     ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema
                   WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = %s AND tc.table_name = ANY(%s)
                   GROUP BY tc.table_name""",
                [schema, SEED_TABLES],
            )
            return dict(cursor.fetchall())

    assert primary_keys("public") == primary_keys("seed")
    assert primary_keys("public")["forum_votes"] == "post_id,user_id"
