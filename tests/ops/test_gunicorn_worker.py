"""The image's gunicorn worker takes a new connection only while it has a free thread, so
kept-alive connections spread over the workers (config/gunicorn_worker.py)."""

import os
import socket
import subprocess
import sys
from pathlib import Path

from scripts.redis_server import free_port
from tests.ops.processes import children_of, wait_until

ROOT = Path(__file__).resolve().parents[2]
WORKERS, THREADS, CLIENTS = 2, 2, 6


def _established_by_worker(port: int, workers: list[int]) -> dict[int, int]:
    """How many of the connections to `port` each worker holds (accepted ones only)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01":  # ESTABLISHED
                inodes.add(fields[9])
    held = {}
    for pid in workers:
        links = (os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir())
        held[pid] = sum(1 for link in links if link.startswith("socket:[") and link[8:-1] in inodes)
    return held


def test_a_busy_worker_leaves_new_connections_to_one_with_a_free_thread(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "GATE_DIR": str(tmp_path),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(WORKERS),
        "GUNICORN_THREADS": str(THREADS),
        "GUNICORN_ACCESS_LOG": "off",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prometheus"),
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [gunicorn, "--config", "config/gunicorn.py", "tests.ops.gate_app:app"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    clients = []
    try:
        wait_until(lambda: len(children_of(server.pid)) == WORKERS, "gunicorn started its workers", 30)
        workers = children_of(server.pid)
        wait_until(lambda: _listening(port), "gunicorn listens", 30)
        for _ in range(CLIENTS):
            client = socket.create_connection(("127.0.0.1", port))
            client.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            clients.append(client)
        capacity = WORKERS * THREADS
        arrived = lambda: len(list(tmp_path.glob("in-*")))  # noqa: E731
        wait_until(lambda: arrived() == capacity, f"{capacity} requests reached the app", 30)

        held = _established_by_worker(port, workers)
        assert sorted(held.values()) == [THREADS] * WORKERS, f"each busy worker holds only its own: {held}"

        (tmp_path / "open").touch()
        served_by = [_response_body(client) for client in clients]
        assert set(served_by) == {str(pid) for pid in workers}
        for client in clients:  # still kept alive, and answered again
            client.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            assert _response_body(client) in served_by
    finally:
        for client in clients:
            client.close()
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def _response_body(client: socket.socket) -> str:
    client.settimeout(30)
    data = b""
    while b"\r\n\r\n" not in data:
        data += client.recv(4096)
    head, body = data.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 200")
    headers = dict(line.lower().split(b": ", 1) for line in head.split(b"\r\n")[1:])
    length = int(headers[b"content-length"])
    while len(body) < length:
        body += client.recv(4096)
    return body.decode()
