"""Liveness and readiness probes for Kubernetes and compose."""

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

_migrations_known_applied = False


@never_cache
@require_safe
def healthz(request):
    """The process answers; no database involved, so a DB outage never restarts pods."""
    return JsonResponse({"status": "ok"})


def _database_check() -> str | None:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # any driver error means "not ready"
        return f"database unreachable: {exc.__class__.__name__}"
    return None


def _migrations_check() -> str | None:
    global _migrations_known_applied
    if _migrations_known_applied:
        return None  # a running process' code does not change; once applied, stays applied
    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:
        return f"migration state unknown: {exc.__class__.__name__}"
    if plan:
        return f"{len(plan)} unapplied migration(s)"
    _migrations_known_applied = True
    return None


@never_cache
@require_safe
def readyz(request):
    checks = {"database": _database_check()}
    checks["migrations"] = _migrations_check() if checks["database"] is None else "skipped"
    failed = {name: problem for name, problem in checks.items() if problem is not None}
    body = {
        "status": "ok" if not failed else "unavailable",
        "checks": {name: (problem or "ok") for name, problem in checks.items()},
    }
    return JsonResponse(body, status=200 if not failed else 503)
