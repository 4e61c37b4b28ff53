"""A throwaway Redis from Debian's redis-server on a free 127.0.0.1 port (tests, make bench).

    with running_redis() as url:   # redis://127.0.0.1:PORT/0, stopped and removed afterwards
        ...

scripts/system-deps.sh installs redis-server. Nothing is written to disk (no RDB, no AOF).
The server dies with the process that started it, even when that one is killed (a test run
ended from outside never leaves a Redis behind): the kernel sends it SIGTERM when its parent
goes (PR_SET_PDEATHSIG), and its working directory is removed as soon as it is listening.
`die_with` is that parent-death hook, for any child (scripts/bench.py's gunicorns use it too).
"""

import contextlib
import ctypes
import functools
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


PR_SET_PDEATHSIG = 1


def die_with(parent: int) -> None:  # runs in the child between fork and exec
    """SIGTERM when the parent exits, however it exits (Linux; the starting thread counts)."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # the parent was already gone before prctl took effect
        os._exit(1)


@contextlib.contextmanager
def running_redis(maxmemory: str = "256mb") -> Iterator[str]:
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not shutil.which(binary):
        raise RuntimeError("redis-server is missing: scripts/system-deps.sh redis installs it (apt).")
    workdir = tempfile.mkdtemp(prefix="threadline-redis-")
    port = free_port()
    # fmt: off
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--daemonize", "no", "--dir", workdir, "--maxmemory", maxmemory,
         "--maxmemory-policy", "allkeys-lru"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        preexec_fn=functools.partial(die_with, os.getpid()) if sys.platform == "linux" else None,
    )
    # fmt: on
    try:
        deadline = time.monotonic() + 10
        while not ping(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start on 127.0.0.1:{port}")
            time.sleep(0.05)
        shutil.rmtree(workdir, ignore_errors=True)  # it has chdir'ed in and writes nothing there
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)
