"""gunicorn's threaded worker, taking a new connection only while one of its threads is free.

The stock gthread worker accepts every connection it sees, busy or not, and a kept-alive
connection then stays with the worker that accepted it. A proxy (the ingress controller) or a
load generator opening its connections in one burst can leave them all with one worker: that
worker's threads share one core (the GIL) while the other worker idles. `make bench` caught it
as a page at half its usual rate with the machine 40% idle, 16 of 16 connections in one worker
(docs/performance.md, "Connections spread over the workers"; gunicorn issue #3433).

This worker stops accepting while every thread has a request (running or queued), so the next
connection waits in the listen backlog for the first worker with a free thread, as with sync
workers, and kept-alive connections end up spread over the workers.
"""

from gunicorn.workers.gthread import ThreadWorker  # type: ignore[import-untyped]


class BalancedThreadWorker(ThreadWorker):
    def __init__(self, *args, **kwargs) -> None:
        self.in_flight = 0  # connections handed to the thread pool and not finished yet
        super().__init__(*args, **kwargs)

    @property
    def worker_connections(self) -> int:
        """ThreadWorker.run() accepts while nr_conns < worker_connections, checked after every
        event: with every thread taken, report no room at all."""
        return 0 if self.in_flight >= self.cfg.threads else self._connection_limit

    @worker_connections.setter
    def worker_connections(self, value: int) -> None:
        self._connection_limit = value

    def enqueue_req(self, conn) -> None:
        self.in_flight += 1
        super().enqueue_req(conn)

    def finish_request(self, conn, fs) -> None:
        self.in_flight -= 1
        super().finish_request(conn, fs)
