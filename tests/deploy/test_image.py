"""The image, built from the Dockerfile as it is, and run as production runs it.

Order matters at the end of the module: the last test stops the container.
"""

import json
import re
import socket
import time

from tests.deploy import tools
from tests.deploy.tools import podman_run_args

APP_UID = 10001
HTTPS = {"X-Forwarded-Proto": "https"}  # what the TLS-terminating proxy in front sends


def _podman(podman_env, *args, **kwargs):
    return tools.run(["podman", *args], env=podman_env, **kwargs)


def test_image_metadata(image, podman_env):
    inspected = tools.image_inspect(podman_env, image)
    config = inspected["Config"]
    assert config["User"] == f"{APP_UID}:{APP_UID}"
    assert "8000/tcp" in config["ExposedPorts"]
    assert config["Entrypoint"] == ["/app/scripts/docker-entrypoint.sh"]
    assert config["Cmd"][:3] == ["gunicorn", "--config", "config/gunicorn.py"]
    assert config["StopSignal"] in ("SIGTERM", "15")
    assert inspected["Healthcheck"]["Test"] == ["CMD", "/app/scripts/docker-entrypoint.sh", "healthcheck"]
    assert "DJANGO_SETTINGS_MODULE=config.settings.prod" in config["Env"]
    labels = config["Labels"]
    assert labels["org.opencontainers.image.version"]
    assert re.fullmatch(r"[0-9a-f]{40}|unknown", labels["org.opencontainers.image.revision"])
    assert "org.opencontainers.image.source" in labels


LEAN_CHECK = r"""
import glob, json, os, shutil
found = {}
found["compilers"] = [c for c in ("gcc", "cc", "g++", "c++", "make", "ld") if shutil.which(c)]
found["not the application"] = [
    p for p in ("/app/tests", "/app/.git", "/app/.venv", "/app/.data", "/app/.env", "/app/node_modules",
                "/app/Dockerfile", "/app/compose.yml", "/app/requirements-dev.txt")
    if os.path.exists(p)
]
found["caches"] = [
    p for p in ["/root/.cache", "/app/.cache", "/tmp/requirements.lock", *glob.glob("/tmp/pip-*")]
    + glob.glob("/var/lib/apt/lists/*_Packages*") + glob.glob("/var/cache/apt/archives/*.deb")
    if os.path.exists(p)
]
found["pip in the app's virtualenv"] = glob.glob("/opt/venv/lib/python3.12/site-packages/pip")
found["headers"] = [p for p in ("/usr/include/libpq-fe.h", "/usr/include/jpeglib.h") if os.path.exists(p)]
manifest = json.load(open("/app/staticfiles/staticfiles.json"))
found["bootstrap"] = manifest["paths"].get("vendor/bootstrap/bootstrap.min.css")
found["media owner"] = os.stat("/app/media").st_uid
found["sleep"] = shutil.which("sleep")  # the chart's preStop hook runs it
print(json.dumps(found))
"""


def test_runtime_image_is_lean(image, podman_env):
    out = _podman(
        podman_env,
        "run",
        "--rm",
        "--network",
        "none",
        "--user",
        "0",
        "--entrypoint",
        "python",
        image,
        "-c",
        LEAN_CHECK,
    ).stdout
    found = json.loads(out.strip().splitlines()[-1])
    assert found["compilers"] == [], found
    assert found["not the application"] == [], found
    assert found["caches"] == [], found
    assert found["pip in the app's virtualenv"] == [], found
    assert found["headers"] == [], found
    assert re.fullmatch(r"vendor/bootstrap/bootstrap\.min\.[0-9a-f]{12}\.css", found["bootstrap"] or "")
    assert found["media owner"] == APP_UID
    assert found["sleep"], "the Helm chart's preStop hook needs sleep in the image"


def test_app_files_are_read_only_for_the_app_user(image, podman_env):
    result = _podman(
        podman_env,
        "run",
        "--rm",
        "--network",
        "none",
        "--entrypoint",
        "sh",
        image,
        "-c",
        "id -u; touch /app/config/x 2>/dev/null && echo writable || echo read-only; "
        "touch /app/media/x && echo media-writable",
    ).stdout.split()
    assert result == [str(APP_UID), "read-only", "media-writable"]


def test_check_deploy_passes_with_production_settings(migrated, app_env, podman_env):
    result = _podman(
        podman_env,
        "run",
        "--rm",
        *podman_run_args(app_env),
        migrated,
        "python",
        "manage.py",
        "check",
        "--deploy",
        "--database",
        "default",
        "--fail-level",
        "WARNING",
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_prod_settings_refuse_a_missing_secret(image, app_env, podman_env):
    env = {**app_env, "SECRET_KEY": ""}
    result = _podman(
        podman_env, "run", "--rm", *podman_run_args(env), image, "python", "manage.py", "check", check=False
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_migrate_on_start_is_off_by_default_and_a_documented_switch(migrated, app_env, podman_env):
    plain = _podman(podman_env, "run", "--rm", *podman_run_args(app_env), migrated, "echo", "started")
    assert plain.stdout.strip() == "started"  # nothing ran before the command
    env = {**app_env, "MIGRATE_ON_START": "true"}
    switched = _podman(podman_env, "run", "--rm", *podman_run_args(env), migrated, "echo", "started")
    assert "No migrations to apply" in switched.stdout
    assert switched.stdout.strip().endswith("started")


def test_liveness_and_readiness(app):
    status, _, body = tools.get(f"{app.url}/healthz")
    assert (status, json.loads(body)) == (200, {"status": "ok"})
    status, _, body = tools.get(f"{app.url}/readyz")
    assert status == 200, body
    assert json.loads(body)["checks"] == {"database": "ok", "migrations": "ok"}


def test_image_healthcheck_command_passes(app):
    result = app.podman(
        "exec", app.container, "/app/scripts/docker-entrypoint.sh", "healthcheck", check=False
    )
    assert result.returncode == 0, result.stderr


def test_home_page_is_served_over_the_proxy(app):
    status, headers, body = tools.get(f"{app.url}/", headers={**HTTPS, "Host": "shop.example.com"})
    assert status == 200, (status, headers, body[:500], app.logs()[-3000:])
    assert b"<html" in body.lower()
    assert "max-age=" in headers["Strict-Transport-Security"]


def test_plain_http_is_redirected_to_https(app):
    status, headers, _ = tools.get(f"{app.url}/", headers={"Host": "shop.example.com"})
    assert status == 301
    assert headers["Location"] == "https://shop.example.com/"


def test_hashed_static_file_is_served_compressed_with_a_far_future_cache_header(app):
    manifest = json.loads(
        app.podman("exec", app.container, "cat", "/app/staticfiles/staticfiles.json").stdout
    )
    hashed = manifest["paths"]["vendor/bootstrap/bootstrap.min.css"]
    status, headers, body = tools.get(
        f"{app.url}/static/{hashed}", headers={**HTTPS, "Accept-Encoding": "gzip"}
    )
    assert status == 200
    assert headers["Content-Type"].startswith("text/css")
    assert headers["Content-Encoding"] == "gzip"
    max_age = int(re.search(r"max-age=(\d+)", headers["Cache-Control"]).group(1))
    assert max_age >= 365 * 24 * 3600, headers["Cache-Control"]
    assert "immutable" in headers["Cache-Control"]
    tools.REPORT["static file"] = f"/static/{hashed}: {headers['Cache-Control']}, {len(body)} bytes gzip"


def test_metrics_add_up_all_workers(app):
    for _ in range(6):
        tools.get(f"{app.url}/healthz")
    status, _, body = tools.get(f"{app.url}/metrics")
    assert status == 200
    counts = re.findall(rb'threadline_http_requests_total\{[^}]*view="healthz"[^}]*\} (\d+(?:\.\d+)?)', body)
    assert counts and sum(float(c) for c in counts) >= 6, body[:2000]


def test_processes_run_as_the_fixed_non_root_uid(app):
    pid = app.podman("inspect", "--format", "{{.State.Pid}}", app.container).stdout.strip()
    children = tools.run(["bash", "-c", f"cat /proc/{pid}/task/*/children"]).stdout.split()
    assert len(children) >= 2, "gunicorn should run two workers"
    for process in [pid, *children]:
        status = tools.run(["cat", f"/proc/{process}/status"]).stdout
        uids = re.search(r"^Uid:\s+(.*)$", status, re.M).group(1).split()
        assert set(uids) == {str(APP_UID)}, (process, uids)
    command = tools.run(["cat", f"/proc/{pid}/cmdline"]).stdout.replace("\0", " ")
    assert "gunicorn" in command and "config/gunicorn.py" in command


def test_sigterm_drains_the_request_in_flight_and_stops_within_the_graceful_timeout(app):
    """Last: stops the container as `docker stop` does (SIGTERM, then wait).

    A request that has started (its headers are still arriving) when SIGTERM comes is
    answered before gunicorn exits; new connections are refused meanwhile."""
    port = int(app.url.rsplit(":", 1)[1])
    slow = socket.create_connection(("127.0.0.1", port), timeout=30)
    slow.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    tools.wait_until(lambda: tools.accept_queue(port) == 0, timeout=30, what="a worker to accept the request")

    started = time.monotonic()
    app.podman("kill", "--signal", "TERM", app.container)
    tools.wait_until(
        lambda: "Handling signal: term" in app.logs(), timeout=30, what="gunicorn to take SIGTERM"
    )
    slow.sendall(b"Connection: close\r\n\r\n")
    answer = slow.recv(65536)
    slow.close()
    exit_code = app.podman("wait", app.container, timeout=app.graceful_timeout + 30).stdout.strip()
    elapsed = time.monotonic() - started
    logs = app.logs()
    tools.REPORT["stop after SIGTERM"] = f"{elapsed:.1f} s, exit {exit_code} (one request drained)"

    assert answer.startswith(b"HTTP/1.1 200"), (answer[:300], logs[-3000:])
    assert exit_code == "0", logs[-3000:]
    assert elapsed < app.graceful_timeout, logs[-3000:]
    assert "Handling signal: term" in logs
    assert "Shutting down: Master" in logs
