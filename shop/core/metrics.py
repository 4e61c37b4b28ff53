"""Prometheus metrics: request count and latency by view, served at /metrics.

Hand-written rather than django-prometheus (docs/observability.md says why): two HTTP
series with bounded labels here, the checkout counter in shop/orders/metrics.py.
"""

import os
import time

from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

REQUESTS = Counter("threadline_http_requests_total", "HTTP requests", ["method", "view", "status"])
LATENCY = Histogram(
    "threadline_http_request_duration_seconds",
    "HTTP request latency",
    ["method", "view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


_KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class PrometheusMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match and match.view_name else "unmatched"
        # Clients choose the method; an unbounded label would grow the series without end.
        method = request.method if request.method in _KNOWN_METHODS else "other"
        LATENCY.labels(method, view).observe(time.perf_counter() - started)
        REQUESTS.labels(method, view, str(response.status_code)).inc()
        return response


# Headers every reverse proxy in front of the shop adds (the ingress controller, a load
# balancer): a request carrying one came from outside, not from Prometheus' direct scrape.
_PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP", "HTTP_FORWARDED")


@never_cache
def metrics(request):
    """Only for direct scrapes of the pod: through a proxy the path does not exist, whatever
    the ingress controller in front does with paths. With several gunicorn workers,
    PROMETHEUS_MULTIPROC_DIR aggregates them."""
    if any(header in request.META for header in _PROXY_HEADERS):
        raise Http404
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        data = generate_latest(registry)
    else:
        data = generate_latest()
    return HttpResponse(data, content_type=CONTENT_TYPE_LATEST)
