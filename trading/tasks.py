from django.tasks import task

from trading.paper import paper_session_run


@task
def paper_session_task(session_id: str) -> None:
    """Replays a paper-trading session in a worker (manage.py db_worker), never in a request."""
    paper_session_run(session_id)
