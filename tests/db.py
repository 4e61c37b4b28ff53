"""The URL of this run's test database, for tools that connect on their own (psql, make, gunicorn)."""

from django.db import connection


def database_url(name: str | None = None) -> str:
    """postgres:// URL of the migrated test database (or of `name` on the same server)."""
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name or db['NAME']}"
