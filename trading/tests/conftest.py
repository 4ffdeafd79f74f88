"""Fixtures shared by the lab's tests."""

from collections.abc import Iterator
from io import StringIO

import pytest
from asgiref.local import Local
from django.core.management import call_command
from django.tasks import task_backends
from django_tasks_db.management.commands.db_worker import Worker

from common.testing import race
from courses.tests.factories import ModuleFactory
from trading.tests.fake_llm_server import FakeLLM


@pytest.fixture
def market():
    call_command("generate_candles", "--symbol", "BTC/USDT", "--timeframe", "1h", "--bars", "1500", "--seed", "2",
                 stdout=StringIO())  # fmt: skip


@pytest.fixture
def modules():
    for i in range(1, 18):
        ModuleFactory(id=i, prerequisites={17: [9, 14]}.get(i, []))


@pytest.fixture
def fake(monkeypatch) -> Iterator[FakeLLM]:
    """Every provider configured, all served by one local fake speaking their APIs."""
    with FakeLLM() as server:
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
        monkeypatch.setenv("OPENAI_BASE_URL", server.url + "/v1")
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
        monkeypatch.setenv("OLLAMA_BASE_URL", server.url)
        monkeypatch.setenv("LLM_TIMEOUT_SECONDS", "1")
        yield server


def _forget_task_backends() -> None:
    # django.tasks caches its backends and does not listen to setting changes.
    task_backends.__dict__.pop("settings", None)
    task_backends._connections = Local(task_backends.thread_critical)


@pytest.fixture
def queued_tasks(settings) -> Iterator[None]:
    """Tasks wait in django_tasks_db's queue, as in production, instead of running at once."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    _forget_task_backends()
    yield
    _forget_task_backends()  # read again (the immediate backend) once `settings` is restored


def run_queued_tasks(workers: int = 1) -> None:
    """What `manage.py db_worker --batch` does, with `workers` workers side by side."""

    def work(number: int) -> None:
        Worker(
            queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False,
            max_tasks=None, worker_id=f"test-{number}", excluded_queue_names=[],
        ).run()  # fmt: skip

    _, errors = race(work, range(workers))
    assert not errors, errors
