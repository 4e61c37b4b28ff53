"""The Dockerfile and compose.yml checked without building anything."""

import json
import os
import re

import psycopg

from tests.deploy import tools


def test_dockerfile_passes_hadolint_without_warnings():
    hadolint = tools.python_tool("hadolint")
    result = tools.run([hadolint, "--failure-threshold", "warning", tools.ROOT / "Dockerfile"], check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_base_image_is_python_slim_on_the_debian_release_of_the_stand_in():
    text = (tools.ROOT / "Dockerfile").read_text()
    [base] = re.findall(r"^ARG BASE_IMAGE=(\S+)$", text, re.M)
    match = re.fullmatch(r"python:3\.12-slim-([a-z]+)(@sha256:[0-9a-f]{64})?", base)
    assert match, f"{base}: pin the Debian release (python:3.12-slim-<release>)"
    standin = (tools.HERE / "build-standin.sh").read_text()
    assert re.search(rf"^suite={match.group(1)}$", standin, re.M), "the stand-in is another release"
    assert text.count("FROM ${BASE_IMAGE}") >= 2  # builder and runtime


def test_compose_file_follows_the_compose_spec():
    check = tools.python_tool("check-jsonschema")
    result = tools.run(
        [check, "--builtin-schema", "vendor.compose-spec", tools.ROOT / "compose.yml"], check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


LOCAL_SECRET = "s" * 60


def _compose_config(*args) -> dict:
    compose = tools.docker_compose()
    # Run outside the checkout's .env, with nothing but the one required secret:
    # every other setting must have a working default.
    env = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "SECRET_KEY": LOCAL_SECRET}
    tools.run(
        [compose, "--env-file", "/dev/null", "-f", tools.ROOT / "compose.yml", *args, "config", "-q"], env=env
    )
    out = tools.run(
        [
            compose,
            "--env-file",
            "/dev/null",
            "-f",
            tools.ROOT / "compose.yml",
            *args,
            "config",
            "--format",
            "json",
        ],
        env=env,
    ).stdout
    return json.loads(out)


def test_docker_compose_accepts_the_file_with_and_without_profiles():
    plain = _compose_config()
    assert set(plain["services"]) == {"db", "migrate", "web", "scheduler"}
    everything = _compose_config("--profile", "redis", "--profile", "mailpit")
    assert set(everything["services"]) == {"db", "migrate", "web", "scheduler", "redis", "mailpit"}


def test_compose_wires_database_migrations_and_web():
    services = _compose_config()["services"]
    db, migrate, web = services["db"], services["migrate"], services["web"]

    assert db["image"] == "postgres:15"
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert any(v["target"] == "/var/lib/postgresql/data" and v["type"] == "volume" for v in db["volumes"])

    assert migrate["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"
    assert migrate["restart"] == "no"

    assert web["depends_on"]["db"]["condition"] == "service_healthy"
    assert web["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert any(v["target"] == "/app/media" and v["type"] == "volume" for v in web["volumes"])
    assert any(p["target"] == 8000 for p in web["ports"])
    assert "healthcheck" in " ".join(web["healthcheck"]["test"])
    # `config` folds env_file into environment; the file itself says .env is optional.
    tools.python_tool("check-jsonschema")  # brings ruamel.yaml
    from ruamel.yaml import YAML

    raw = YAML(typ="safe").load((tools.ROOT / "compose.yml").read_text())
    for name in ("migrate", "web", "scheduler"):
        assert raw["services"][name]["env_file"] == [{"path": ".env", "required": False}]
    environment = web["environment"]
    assert environment["DJANGO_SETTINGS_MODULE"] == "config.settings.prod"
    assert environment["SECRET_KEY"] == LOCAL_SECRET
    assert "@db:5432/" in environment["DATABASE_URL"]


def test_compose_refuses_to_start_without_a_secret_key():
    compose = tools.docker_compose()
    env = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent"}
    result = tools.run(
        [compose, "--env-file", "/dev/null", "-f", tools.ROOT / "compose.yml", "config", "-q"],
        env=env,
        check=False,
    )
    assert result.returncode != 0
    assert "Set SECRET_KEY in .env" in result.stderr


def test_one_postgresql_major_everywhere():
    """compose, the docs, the infrastructure and the machines the tests run on agree."""
    decisions = (tools.ROOT / "docs" / "decisions.md").read_text()
    [major] = re.findall(r"\*\*PostgreSQL (\d+), one major everywhere\*\*", decisions)
    compose = (tools.ROOT / "compose.yml").read_text()
    assert re.findall(r"image: \$\{POSTGRES_IMAGE:-postgres:(\d+)\}", compose) == [major]
    assert f"PostgreSQL {major} (RDS" in (tools.ROOT / "docs" / "kubernetes.md").read_text()
    for tf in (tools.ROOT / "deploy").glob("terraform/**/*.tf"):
        for version in re.findall(r'engine_version\s*=\s*"([^"]+)"', tf.read_text()):
            assert version.split(".")[0] == major, f"{tf.name}: engine_version {version}"
    with psycopg.connect(os.environ["DATABASE_URL"]) as connection:
        server = connection.info.server_version // 10000
    assert str(server) == major, f"the tests run on PostgreSQL {server}"


def test_compose_runs_the_periodic_work_like_the_charts_cron_jobs():
    services = _compose_config()["services"]
    scheduler = services["scheduler"]
    assert scheduler["command"] == ["python", "manage.py", "run_schedule"]
    assert scheduler["image"] == services["web"]["image"]
    assert scheduler["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert scheduler["environment"]["DATABASE_URL"] == services["web"]["environment"]["DATABASE_URL"]
    assert scheduler["restart"] == "unless-stopped"
