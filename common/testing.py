"""Helpers for the apps' tests: real races on real PostgreSQL, and table fingerprints."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection


def race(work: Callable[[Any], Any], arguments: Iterable[Any]) -> tuple[list[Any], list[BaseException]]:
    """Run `work(argument)` for every argument in its own thread, all released at the same moment.

    Each thread has its own database connection (closed at its end), so the calls really overlap
    in PostgreSQL. Returns the results and the exceptions, each in completion order. Use it in a
    `django_db(transaction=True)` test: the threads cannot see an uncommitted test transaction.
    """
    arguments = list(arguments)
    barrier = threading.Barrier(len(arguments))
    results: list[Any] = []
    errors: list[BaseException] = []

    def run(argument: Any) -> None:
        try:
            barrier.wait()
            results.append(work(argument))
        except BaseException as exc:  # surfaced to the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(argument,)) for argument in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def table_digests(tables: Iterable[str]) -> dict[str, str]:
    """One md5 per table over every row's full text, in a stable order."""
    digests = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {table} t")
            digests[table] = cursor.fetchone()[0]
    return digests
