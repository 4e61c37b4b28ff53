"""gunicorn settings for the image: `gunicorn -c config/gunicorn.py config.wsgi`.

Every knob comes from the environment so one image serves compose, staging and
production. Defaults suit a container with 1-2 CPUs behind a reverse proxy;
scale out with replicas rather than with workers. docs/deployment.md explains each.
"""

import gc
import os
import shutil
import tempfile


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


# Where to listen. PORT is the usual convention of platforms; GUNICORN_BIND wins.
bind = [os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{_int('PORT', 8000)}"]

# Processes x threads. Workers ~ CPUs; threads cover time spent waiting on PostgreSQL, Redis,
# Stripe and S3. Two, not four: four threads of one process contending for the GIL cost a cart
# page or an add to cart 25-30% more CPU (docs/performance.md, gunicorn defaults).
workers = _int("GUNICORN_WORKERS", 2)
threads = _int("GUNICORN_THREADS", 2)
# gunicorn's own gthread. It can leave most kept-alive connections with one worker; a worker
# that waits for a free thread instead was measured and not taken (docs/performance.md,
# "Connections and workers").
worker_class = "gthread" if threads > 1 else "sync"

# Load the application once in the master and fork the workers from it (GUNICORN_PRELOAD=on):
# faster worker starts and shared memory pages, at the price of no per-worker code reload.
preload_app = os.environ.get("GUNICORN_PRELOAD", "off").lower() in ("on", "1", "true")

# A request taking longer than this is killed (the worker is replaced).
timeout = _int("GUNICORN_TIMEOUT", 30)
# On SIGTERM: stop accepting, let in-flight requests finish for up to this long.
# Below Kubernetes' default terminationGracePeriodSeconds (30) and compose's
# stop_grace_period, so the drain completes before a SIGKILL.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 20)
# Seconds an idle keep-alive connection from the proxy stays open. It must be LONGER
# than the proxy's own idle timeout for upstream connections (nginx: the upstream
# block's keepalive_timeout, 60 s by default in the F5 NGINX Ingress Controller and in
# ingress-nginx), so the proxy always closes an idle connection first. Shorter,
# gunicorn may close one just as the proxy sends a request on it, and the proxy answers
# 502 (it does not retry a POST). gthread workers park idle connections in their
# poller, so this holds no thread.
keepalive = _int("GUNICORN_KEEPALIVE", 75)

# Worker recycling is off by default: at cached-page rates a 1,000-request limit restarted a
# worker every second or so, and each restart (Django + Wagtail import, ~1-2 s of CPU) cut
# /healthz from 1,292 to 377 requests/s in one bench (docs/performance.md). Memory stays flat
# (worker RSS after `make bench` in docs/benchmarks.md); the pod's memory limit is the guard.
# Set GUNICORN_MAX_REQUESTS (e.g. 50000, jitter 5000) if a leak ever shows.
max_requests = _int("GUNICORN_MAX_REQUESTS", 0)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 0)

# The proxy in front (ingress controller, load balancer) sets X-Forwarded-*. Its
# address is not known in advance in a cluster, so trust any peer by default; the
# container is only reachable through that proxy. Narrow it where that is not so.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "*")

# Logs on stdout/stderr for the container runtime; the access log as one line a request
# (GUNICORN_ACCESS_LOG=off leaves it to the ingress controller's log).
accesslog = None if os.environ.get("GUNICORN_ACCESS_LOG", "on").lower() in ("off", "0", "false") else "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s" fwd="%({x-forwarded-for}i)s"'

# What a worker holds once the app is loaded (Django, Wagtail, the URLconf: about 190,000 objects)
# lives as long as the worker. Frozen, the garbage collector's full passes skip it: such a pass
# took 170-290 ms here, a stall for every request in flight in that worker (the bench's p99
# spikes), and 40-65 ms after the freeze (docs/performance.md). GUNICORN_GC_FREEZE=off keeps
# Python's default.
gc_freeze = os.environ.get("GUNICORN_GC_FREEZE", "on").lower() not in ("off", "0", "false")


def post_worker_init(worker):
    if gc_freeze:
        gc.freeze()


# Heartbeat files in memory, not on the (possibly slow or read-only) image filesystem.
if os.path.isdir("/dev/shm"):  # noqa: S108 (gunicorn only writes heartbeat files there)
    worker_tmp_dir = "/dev/shm"  # noqa: S108
# No runtime control socket: nothing in a container uses gunicornc, and $HOME is read-only.
control_socket_disable = True

# Prometheus: with several worker processes, each writes its samples to files in
# PROMETHEUS_MULTIPROC_DIR and /metrics adds them up (shop/core/metrics.py). The
# directory must be set before any worker imports prometheus_client, and emptied
# when the server starts so counters from a previous run are not counted again.
if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = os.path.join(tempfile.gettempdir(), "threadline-prometheus")


def on_starting(server):
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not directory:
        return
    os.makedirs(directory, exist_ok=True)
    for name in os.listdir(directory):  # the directory itself may be a mounted volume
        path = os.path.join(directory, name)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.unlink(path)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
