"""Fixtures of the container tests: the image built for real with podman, a throwaway
PostgreSQL, and the image running against it. `make test-container` runs only these."""

import os
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass

import pytest

from tests.deploy import tools
from tests.deploy.tools import podman_run_args

IMAGE = "localhost/threadline:test"
# Modules that build or run the image, or install and run the slow lint tools.
CONTAINER_MODULES = {
    "test_image.py",
    "test_lint.py",
    "test_registry.py",
    "test_compose.py",
    "test_pipeline.py",
}


def pytest_collection_modifyitems(items):
    for item in items:
        if item.path.name in CONTAINER_MODULES and item.path.parent == tools.HERE:
            item.add_marker(pytest.mark.container)


def pytest_terminal_summary(terminalreporter):
    if tools.REPORT:
        terminalreporter.section("container image")
        for name, value in tools.REPORT.items():
            terminalreporter.write_line(f"{name:<28} {value}")


@pytest.fixture(scope="session")
def podman_env(tmp_path_factory):
    tools.require_root_and_podman()
    directory = tmp_path_factory.mktemp("podman")
    return {**os.environ, "CONTAINERS_CONF": str(tools.containers_conf(directory))}


@pytest.fixture(scope="session")
def base_image(podman_env):
    """python:3.12-slim-bookworm when THREADLINE_BASE_IMAGE names it (a machine with a registry);
    otherwise a local stand-in, built once per machine and cached by podman."""
    if os.environ.get("THREADLINE_BASE_IMAGE"):
        return os.environ["THREADLINE_BASE_IMAGE"]
    started = time.monotonic()
    result = tools.run(
        ["bash", tools.HERE / "build-standin.sh", sys.base_prefix], env=podman_env, timeout=1200
    )
    tools.REPORT["base image"] = (
        f"{result.stdout.strip().splitlines()[-1]} ({time.monotonic() - started:.0f} s)"
    )
    return result.stdout.strip().splitlines()[-1]


def _git(*args) -> str:
    result = subprocess.run(["git", *args], cwd=tools.ROOT, capture_output=True, text=True, check=False)
    return result.stdout.strip() if result.returncode == 0 else ""


@pytest.fixture(scope="session")
def image(podman_env, base_image, tmp_path_factory):
    """The Dockerfile as it is, built with podman (chroot isolation: this kernel's cgroup
    layout defeats the default one), the base image swapped through its build arg."""
    secrets_dir = tmp_path_factory.mktemp("build-secrets")
    previous = subprocess.run(
        ["podman", "image", "inspect", "--format", "{{.Id}}", IMAGE],
        capture_output=True,
        text=True,
        env=podman_env,
        check=False,
    ).stdout.strip()
    started = time.monotonic()
    # The release's own build step (release.yml runs it with ENGINE=docker), with what
    # this machine needs: chroot isolation (this kernel's cgroup layout defeats the
    # default), no pulls, pip's index settings as build secrets.
    tools.run(
        [
            tools.ROOT / "scripts" / "release" / "build.sh",
            IMAGE,
            "--",
            "--isolation",
            "chroot",
            "--pull=never",
            *tools.pip_build_secrets(secrets_dir),
        ],
        env={
            **podman_env,
            "ENGINE": "podman",
            "BASE_IMAGE": base_image,
            "SOURCE_URL": _git("remote", "get-url", "origin"),
        },
        timeout=1800,
    )
    tools.REPORT["image build"] = f"{time.monotonic() - started:.0f} s"
    size = int(tools.image_inspect(podman_env, IMAGE)["Size"])
    tools.REPORT["image size"] = f"{size / 1e6:.0f} MB ({IMAGE})"
    current = tools.image_inspect(podman_env, IMAGE)["Id"]
    if previous and previous != current:  # the last run's image, now untagged
        subprocess.run(["podman", "rmi", previous], capture_output=True, env=podman_env, check=False)
    return IMAGE


@pytest.fixture(scope="session")
def database_url():
    postgres = tools.Postgres()
    try:
        yield postgres.start()
    finally:
        postgres.stop()


@pytest.fixture(scope="session")
def app_env(database_url):
    """What an operator sets: a real secret, the database, the host names."""
    return {
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "shop.example.com,127.0.0.1,localhost",
    }


@pytest.fixture(scope="session")
def migrated(image, app_env, podman_env):
    """Migrations as their own step, the way compose's `migrate` service runs them."""
    started = time.monotonic()
    tools.run(
        [
            "podman",
            "run",
            "--rm",
            *podman_run_args(app_env),
            image,
            "python",
            "manage.py",
            "migrate",
            "--noinput",
        ],
        env=podman_env,
        timeout=600,
    )
    tools.REPORT["migrate in the container"] = f"{time.monotonic() - started:.0f} s"
    return image


@dataclass
class App:
    container: str
    url: str
    graceful_timeout: int
    podman_env: dict

    def podman(self, *args, check=True, timeout=120):
        return tools.run(["podman", *args], env=self.podman_env, check=check, timeout=timeout)

    def running(self) -> bool:
        result = self.podman("inspect", "--format", "{{.State.Running}}", self.container, check=False)
        return result.stdout.strip() == "true"

    def logs(self) -> str:
        result = self.podman("logs", self.container, check=False)
        return result.stdout + result.stderr


@pytest.fixture(scope="module")
def app(migrated, app_env, podman_env):
    """The image's own entrypoint and CMD (gunicorn), two workers, on a free port."""
    port = tools.free_port()
    graceful_timeout = 20
    env = {
        **app_env,
        "PORT": str(port),
        "GUNICORN_WORKERS": "2",
        "GUNICORN_GRACEFUL_TIMEOUT": str(graceful_timeout),
    }
    name = f"threadline-test-{port}"
    # Locked down the way the Helm chart runs it: read-only root filesystem (podman
    # mounts a tmpfs on /tmp), no capabilities, no privilege escalation.
    locked_down = ["--read-only", "--cap-drop", "ALL", "--security-opt", "no-new-privileges"]
    tools.run(
        ["podman", "run", "--detach", "--name", name, *locked_down, *podman_run_args(env), migrated],
        env=podman_env,
    )
    running = App(name, f"http://127.0.0.1:{port}", graceful_timeout, podman_env)
    try:
        started = time.monotonic()
        tools.wait_for_http(f"{running.url}/healthz", timeout=90, is_alive=running.running)
        tools.REPORT["gunicorn ready after"] = f"{time.monotonic() - started:.1f} s"
        yield running
    except BaseException:
        print(running.logs()[-6000:])
        raise
    finally:
        subprocess.run(
            ["podman", "rm", "--force", "--time", "0", name], capture_output=True, env=podman_env, check=False
        )


@pytest.fixture(scope="session")
def registry():
    """A real OCI registry (Debian's docker-registry) on 127.0.0.1."""
    server = tools.Registry()
    try:
        server.start()
        yield server
    finally:
        server.stop()
