"""With CloudFront configured, every invalidation asks the distribution to drop `/*`.

boto3 talks real HTTP to a local stand-in for CloudFront's API (AWS_ENDPOINT_URL_CLOUDFRONT)."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from shop.core.pagecache import invalidate_pages

pytestmark = pytest.mark.django_db

ANSWER = b"""<?xml version="1.0"?>
<Invalidation xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Id>I1</Id>
<Status>InProgress</Status><CreateTime>2026-12-01T00:00:00Z</CreateTime>
<InvalidationBatch><Paths><Quantity>1</Quantity><Items><Path>/*</Path></Items></Paths>
<CallerReference>x</CallerReference></InvalidationBatch></Invalidation>"""


@pytest.fixture
def fake_cloudfront(monkeypatch):
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.path, body.decode()))
            self.send_response(201)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Location", "https://cloudfront.amazonaws.com/invalidation/I1")
            self.end_headers()
            self.wfile.write(ANSWER)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDFRONT", f"http://127.0.0.1:{server.server_port}")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    yield received
    server.shutdown()


def test_an_invalidation_purges_the_whole_distribution(
    fake_cloudfront, settings, page_cache, django_capture_on_commit_callbacks
):
    settings.WAGTAILFRONTENDCACHE = {
        "cloudfront": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudfrontBackend",
            "DISTRIBUTION_ID": "E2EXAMPLE",
        }
    }
    with django_capture_on_commit_callbacks(execute=True):
        invalidate_pages()
    [(path, body)] = fake_cloudfront
    assert path == "/2020-05-31/distribution/E2EXAMPLE/invalidation"
    assert "<Path>/*</Path>" in body


def test_without_a_distribution_nothing_is_sent(
    fake_cloudfront, page_cache, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invalidate_pages()
    assert fake_cloudfront == []
