"""`make bench` says which processes a row's CPU went to (scripts/bench_cpu.py)."""

import subprocess
import sys
from pathlib import Path

from scripts import bench_cpu
from tests.ops.processes import wait_until

BUSY = "while True: pass"


def _ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def test_a_busy_server_process_is_counted_as_gunicorn_per_request():
    server = subprocess.Popen([sys.executable, "-c", BUSY], start_new_session=True)
    try:
        before = bench_cpu.snapshot({server.pid})
        start = _ticks(server.pid)
        wait_until(lambda: _ticks(server.pid) - start >= 30, "the busy process used 30 ticks of CPU")
        after = bench_cpu.snapshot({server.pid})
    finally:
        server.kill()
        server.wait()
    used_ms = 30 * bench_cpu.TICK_MS
    row = bench_cpu.split(before, after, requests=10)
    assert row["cpu_ms_per_request"]["gunicorn"] >= used_ms / 10
    assert row["machine_busy_pct"] > 0
    assert 0 <= row["steal_pct"] <= 100


def test_a_process_outside_the_server_group_is_not_gunicorns():
    """A busy process in this test's own group, beside an idle server in a group of its own."""
    server = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"], start_new_session=True)
    other = subprocess.Popen([sys.executable, "-c", BUSY])
    try:
        before = bench_cpu.snapshot({server.pid})
        start = _ticks(other.pid)
        wait_until(lambda: _ticks(other.pid) - start >= 20, "the busy process used 20 ticks of CPU")
        after = bench_cpu.snapshot({server.pid})
    finally:
        for process in (other, server):
            process.kill()
            process.wait()
    assert bench_cpu.split(before, after, requests=1)["cpu_ms_per_request"]["gunicorn"] == 0


def test_wrk_is_counted_from_finished_children():
    before = bench_cpu.snapshot(set())
    subprocess.run([sys.executable, "-c", "sum(i * i for i in range(3_000_000))"], check=True)
    after = bench_cpu.snapshot(set())
    assert bench_cpu.split(before, after, requests=1)["cpu_ms_per_request"]["wrk"] > 0


def test_a_process_that_ends_during_the_row_does_not_count_against_the_others():
    """PostgreSQL backends come and go: one that ended takes its CPU with it, never below zero."""
    ending = subprocess.Popen([sys.executable, "-c", BUSY], start_new_session=True)
    start = _ticks(ending.pid)
    wait_until(lambda: _ticks(ending.pid) - start >= 20, "the busy process used 20 ticks of CPU")
    before = bench_cpu.snapshot({ending.pid})
    ending.kill()
    ending.wait()
    after = bench_cpu.snapshot({ending.pid})
    assert bench_cpu.split(before, after, requests=1)["cpu_ms_per_request"]["gunicorn"] == 0
