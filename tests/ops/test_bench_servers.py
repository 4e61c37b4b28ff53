"""`make bench`'s gunicorns never outlive the bench, even when it is SIGKILLed (no teardown runs)."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ops.processes import children_of, gone, wait_until

ROOT = Path(__file__).resolve().parents[2]
STARTER = """
import os, sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
from scripts import bench
env = {{**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}}
server, base = bench.start(["config.wsgi:application", "--workers", "1"], env, Path({log!r}))
bench.wait_for(base + "/healthz", server)
print(server.pid, flush=True)
time.sleep(600)
"""


@pytest.mark.skipif(sys.platform != "linux", reason="the parent-death signal is Linux's")
def test_a_killed_bench_takes_its_gunicorn_with_it(tmp_path):
    script = STARTER.format(root=str(ROOT), log=str(tmp_path / "gunicorn.log"))
    starter = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        master = int(starter.stdout.readline())
        workers = children_of(master)
        assert workers, "gunicorn's worker is up (it answered /healthz)"
        os.kill(starter.pid, signal.SIGKILL)
        starter.wait(timeout=10)
        for pid in (master, *workers):
            wait_until(lambda pid=pid: gone(pid), f"gunicorn process {pid} outlived the killed bench", 40)
    finally:
        if starter.poll() is None:
            starter.kill()
            starter.wait()
