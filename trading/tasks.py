from django.tasks import task

from trading.paper import paper_session_run
from trading.services import backtest_run


@task
def paper_session_task(session_id: str) -> None:
    """Replays a paper-trading session in a worker (manage.py db_worker), never in a request."""
    paper_session_run(session_id)


@task
def backtest_run_task(backtest_id: str) -> None:
    """Runs a queued backtest (a student strategy goes through the sandbox) in a worker, never in a
    request."""
    backtest_run(backtest_id=backtest_id)
