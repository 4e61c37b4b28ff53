"""Where the machine's CPU went while one bench row ran: per request, by process kind.

A row's requests/s is a share of two cores that gunicorn, PostgreSQL, Redis and wrk split
between them (and the hypervisor, as steal). When a row comes out slower than it should, these
figures say which of them took the time, instead of a guess after the run.
"""

import os
import resource
from pathlib import Path

TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")
KINDS = {"postgres": "postgres", "redis-server": "redis"}


def snapshot(server_groups: set[int]) -> dict:
    """CPU ticks so far: the machine's (/proc/stat) and each process's, by kind."""
    machine = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    processes = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # gone meanwhile
        comm = text[text.index("(") + 1 : text.rindex(")")]
        fields = text.rsplit(")", 1)[1].split()
        kind = "gunicorn" if int(fields[2]) in server_groups else KINDS.get(comm)
        if kind is not None:
            processes[int(stat.parent.name)] = (kind, int(fields[11]) + int(fields[12]))  # utime + stime
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"machine": machine, "processes": processes, "wrk_s": children.ru_utime + children.ru_stime}


def split(before: dict, after: dict, requests: int) -> dict:
    """CPU ms per request by kind, and the machine's busy and steal shares (%) over the row."""
    delta = [b - a for a, b in zip(before["machine"], after["machine"], strict=True)]
    total = sum(delta) or 1
    idle = delta[3] + delta[4]  # idle + iowait
    per = max(requests, 1)
    ticks = dict.fromkeys(("gunicorn", "postgres", "redis"), 0)
    for pid, (kind, now) in after["processes"].items():  # one that ended meanwhile is not counted
        earlier = before["processes"].get(pid)
        ticks[kind] += now - (earlier[1] if earlier and earlier[0] == kind else 0)
    kinds = {kind: round(n * TICK_MS / per, 2) for kind, n in ticks.items()}
    kinds["wrk"] = round((after["wrk_s"] - before["wrk_s"]) * 1000 / per, 2)
    return {
        "cpu_ms_per_request": kinds,
        "machine_busy_pct": round(100 * (total - idle) / total, 1),
        "steal_pct": round(100 * delta[7] / total, 1),
    }
