"""PostgreSQL backend that starts the embedded server on the first connection.

Commands that never touch the database (e.g. `backtest --csv`) then start no server at all.
"""

from django.conf import settings
from django.db.backends.postgresql import base, client

from curriculum_site.embedded_db import embedded_database_settings


def _ensure_started(settings_dict: dict) -> None:
    if not settings_dict.get("HOST"):
        settings_dict["HOST"] = embedded_database_settings(settings.EMBEDDED_POSTGRES_DIR)["HOST"]


class DatabaseClient(client.DatabaseClient):
    def runshell(self, parameters):
        _ensure_started(self.connection.settings_dict)
        return super().runshell(parameters)


class DatabaseWrapper(base.DatabaseWrapper):
    client_class = DatabaseClient

    def get_connection_params(self):
        _ensure_started(self.settings_dict)
        return super().get_connection_params()
