"""A WSGI app for gunicorn tests: each request says it has arrived (a file in GATE_DIR) and
holds its thread until the test opens the gate, so the test sees which worker holds what."""

import os
import threading
import time
from pathlib import Path


def app(environ, start_response):
    gate = Path(os.environ["GATE_DIR"])
    (gate / f"in-{os.getpid()}-{threading.get_ident()}-{time.monotonic_ns()}").touch()
    while not (gate / "open").exists():
        time.sleep(0.01)
    body = str(os.getpid()).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
