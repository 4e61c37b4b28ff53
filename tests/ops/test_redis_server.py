"""The throwaway Redis of the tests and `make bench` never outlives the process that started it."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.redis_server import ping, running_redis
from tests.ops.processes import children_of, gone, wait_until

ROOT = Path(__file__).resolve().parents[2]
STARTER = """
import os, sys, time
sys.path.insert(0, {root!r})
from scripts.redis_server import running_redis
with running_redis() as url:
    print(url, flush=True)
    time.sleep(600)
"""


@pytest.mark.skipif(sys.platform != "linux", reason="the parent-death signal is Linux's")
def test_a_killed_starter_takes_its_redis_with_it():
    starter = subprocess.Popen(
        [sys.executable, "-c", STARTER.format(root=str(ROOT))], stdout=subprocess.PIPE, text=True
    )
    try:
        url = starter.stdout.readline().strip()
        port = int(url.rsplit(":", 1)[1].split("/")[0])
        assert ping(port)
        (redis_pid,) = children_of(starter.pid)
        workdir = Path(os.readlink(f"/proc/{redis_pid}/cwd").removesuffix(" (deleted)"))
        assert not workdir.exists()  # removed once it listens: nothing is left on disk
        os.kill(starter.pid, signal.SIGKILL)  # no teardown runs, as when a test run is killed
        starter.wait(timeout=10)
        wait_until(lambda: gone(redis_pid), f"redis-server {redis_pid} outlived its killed parent")
        assert not ping(port)
    finally:
        if starter.poll() is None:
            starter.kill()
            starter.wait()


def test_a_finished_block_stops_its_redis():
    with running_redis() as url:
        port = int(url.rsplit(":", 1)[1].split("/")[0])
        assert ping(port)
    assert not ping(port)
