"""The same hostile requests over real HTTP, as raw bytes on a socket: no client library
between the attacker and the server to clean anything up."""

import socket
from urllib.parse import urlsplit

import pytest

from .conftest import count_request

RAW_TARGETS = [
    ("/orders/%00/", {400}),
    ("/payments/test/%00/", {400}),
    ("/payments/return/%00/?key=%00", {400}),
    ("/orders/%ff%fe/", {404}),
    ("/search/?q=%00", {400}),
    ("/search/?q=%ff%fe&page=99999999999999999999", {200}),
    ("/products/%c0%af/", {404}),
    ("/shop/%zz/", {404}),
    ("/" + "a" * 4000 + "/", {404}),
]


def raw_get(base_url: str, target: str) -> int:
    parts = urlsplit(base_url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: {parts.hostname}\r\nConnection: close\r\n\r\n".encode())
        status_line = sock.makefile("rb").readline().decode("latin-1")
    return int(status_line.split()[1])


@pytest.mark.django_db(transaction=True)
def test_hostile_urls_over_real_http(live_server, site_root):
    for target, expected in RAW_TARGETS:
        count_request()
        assert raw_get(live_server.url, target) in expected, target
