"""scripts/devdb.sh: the PostgreSQL that `make run` and `make test` stand on."""

import os
import subprocess
from pathlib import Path

import psycopg

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "devdb.sh"


def run(*args, **env):
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "PG_BINDIR", "DEVDB_NAME"}}
    return subprocess.run(
        [str(SCRIPT), *args], env={**base, **env}, capture_output=True, text=True, timeout=120
    )


def test_a_given_database_url_is_used_as_it_is():
    result = run(DATABASE_URL="postgres://u@db.example:5432/shop")
    assert result.returncode == 0
    assert result.stdout.strip() == "postgres://u@db.example:5432/shop"


def test_without_server_binaries_it_says_how_to_get_them():
    result = run(PG_BINDIR="/nonexistent/bin")
    assert result.returncode == 1
    assert "No PostgreSQL server binaries found" in result.stderr
    assert "apt-get install postgresql" in result.stderr
    assert "docker compose up -d db" in result.stderr


def test_the_local_cluster_answers_and_a_second_call_gives_the_same_url():
    first = run(DEVDB_NAME="threadline_devdb_check")
    second = run(DEVDB_NAME="threadline_devdb_check")
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    url = first.stdout.strip()
    assert url.startswith("postgres://postgres@127.0.0.1:") and url.endswith("/threadline_devdb_check")
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT current_database()").fetchone()[0] == "threadline_devdb_check"
