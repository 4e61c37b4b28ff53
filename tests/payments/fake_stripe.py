"""A small stand-in for Stripe's API on 127.0.0.1: real HTTP, real form encoding, recorded requests.

It answers the few endpoints the shop uses, remembers what it was sent (so tests assert amounts,
currency, references and idempotency keys), honours Idempotency-Key like Stripe does, and can be
told to time out or fail with a 5xx. `/pay/<session>` stands in for Stripe's hosted page: its
Pay button completes the session, delivers a signed checkout.session.completed to `webhook_url`
and sends the browser to the session's success_url, like Stripe.
"""

import hashlib
import hmac
import itertools
import json
import re
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

WEBHOOK_SECRET = "whsec_test_payments_secret"


def decode_form(body: str) -> dict[str, Any]:
    """Undo Stripe's nested form encoding: line_items[0][price_data][currency]=eur -> nested dicts/lists."""
    root: dict[str, Any] = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        parts = re.findall(r"[^\[\]]+", key)
        node: Any = root
        for part, following in zip(parts, [*parts[1:], None], strict=True):
            if following is None:
                node[part] = value
            else:
                node = node.setdefault(part, {})
    return _lists(root)


def _lists(node: Any) -> Any:
    if isinstance(node, dict):
        node = {k: _lists(v) for k, v in node.items()}
        if node and all(k.isdigit() for k in node):
            return [node[k] for k in sorted(node, key=int)]
    return node


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    params: dict[str, Any]


@dataclass
class FakeStripe:
    """State of the fake: sessions, refunds, recorded requests and injected failures."""

    url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    refunds: dict[str, dict[str, Any]] = field(default_factory=dict)
    webhook_url: str = ""  # where the hosted page's Pay button sends checkout.session.completed
    webhook_secret: str = ""
    refund_status: str = "succeeded"  # what a new refund says (Stripe may answer "pending")
    fail_with: int | None = None  # answer every request with this HTTP status
    delay: float = 0.0  # sleep this long before answering (a timeout for a short client timeout)
    id_tag: str = "fake"  # in every id; the soak makes it unique per run, as Stripe's ids are
    _idempotent: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def calls(self, method: str, path_prefix: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and r.path.startswith(path_prefix)]

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_{self.id_tag}_{next(self._ids):06d}"

    def complete(self, session_id: str) -> dict[str, Any]:
        """What happens when the shopper pays on Stripe's page: the session is complete, with an intent."""
        session = self.sessions[session_id]
        session.update(status="complete", payment_status="paid", payment_intent=self.new_id("pi"))
        return dict(session)

    def send_event(self, event_type: str, obj: dict[str, Any]) -> int:
        """Deliver a signed event to the shop's webhook, as Stripe does; returns the HTTP status."""
        body = json.dumps(stripe_event(event_type, obj, self.new_id("evt")))
        request = urllib.request.Request(
            self.webhook_url,
            data=body.encode(),
            headers={"Content-Type": "application/json", "Stripe-Signature": sign(body, self.webhook_secret)},
        )
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy
        with opener.open(request, timeout=10) as response:
            return response.status

    def hosted_page(self, method: str, session_id: str) -> tuple[int, str, dict[str, str]]:
        """Stripe's payment page, reduced to a Pay button: pays, tells the shop, goes back to it."""
        session = self.sessions.get(session_id)
        if session is None or session["status"] != "open":
            return 404, "<h1>This checkout is no longer available</h1>", {}
        if method == "GET":
            total = f"{session['amount_total'] / 100:.2f} {session['currency'].upper()}"
            html = (
                f"<!doctype html><title>Fake Stripe Checkout</title><h1>Pay {total}</h1>"
                f'<form method="post"><button type="submit">Pay {total}</button></form>'
                f'<a href="{session["cancel_url"]}">Back</a>'
            )
            return 200, html, {}
        self.send_event("checkout.session.completed", self.complete(session_id))
        return 303, "", {"Location": session["success_url"]}

    # --- request handling -------------------------------------------------------------------

    def handle(self, method: str, path: str, headers: dict[str, str], params: dict[str, Any]):
        with self._lock:
            self.requests.append(Recorded(method, path, headers, params))
            key = headers.get("idempotency-key")
            if method == "POST" and key and key in self._idempotent:
                return self._idempotent[key]
        if self.delay:
            time.sleep(self.delay)
        if self.fail_with:
            return self.fail_with, {"error": {"type": "api_error", "message": "Fake Stripe is down."}}
        with self._lock:
            status, body = self._route(method, path, params)
            if method == "POST" and key and status < 500:
                self._idempotent[key] = (status, body)
        return status, body

    def _route(self, method: str, path: str, params: dict[str, Any]):
        if method == "POST" and path == "/v1/checkout/sessions":
            return self._create_session(params)
        match = re.fullmatch(r"/v1/checkout/sessions/([\w]+)(/expire)?", path)
        if match and match[1] in self.sessions:
            session = self.sessions[match[1]]
            if method == "GET" and not match[2]:
                return 200, session
            if method == "POST" and match[2]:
                if session["status"] != "open":
                    return 400, _error("Only Checkout Sessions with a status of open can be expired.")
                session["status"] = "expired"
                return 200, session
        if method == "POST" and path == "/v1/refunds":
            return self._create_refund(params)
        return 404, _error(f"Unrecognized request URL ({method}: {path}).")

    def _create_session(self, params: dict[str, Any]):
        total = sum(
            int(line["quantity"]) * int(line["price_data"]["unit_amount"])
            for line in params.get("line_items", [])
        )
        session_id = self.new_id("cs_test")
        session = {
            "id": session_id,
            "object": "checkout.session",
            "url": f"{self.url}/pay/{session_id}",
            "mode": params.get("mode"),
            "amount_total": total,
            "currency": params.get("line_items", [{}])[0].get("price_data", {}).get("currency"),
            "client_reference_id": params.get("client_reference_id"),
            "customer_email": params.get("customer_email"),
            "metadata": params.get("metadata", {}),
            "success_url": params.get("success_url"),
            "cancel_url": params.get("cancel_url"),
            "expires_at": int(params["expires_at"]) if params.get("expires_at") else None,
            "status": "open",
            "payment_status": "unpaid",
            "payment_intent": None,
        }
        self.sessions[session_id] = session
        return 200, session

    def _create_refund(self, params: dict[str, Any]):
        intent = params.get("payment_intent")
        session = next((s for s in self.sessions.values() if s.get("payment_intent") == intent), None)
        if session is None:
            return 400, _error(f"No such payment_intent: '{intent}'")
        amount = int(params.get("amount", session["amount_total"]))
        already = sum(r["amount"] for r in self.refunds.values() if r["payment_intent"] == intent)
        if amount + already > session["amount_total"]:
            return 400, _error("Refund amount is greater than the amount left on the charge.")
        refund = {
            "id": self.new_id("re"),
            "object": "refund",
            "amount": amount,
            "currency": session["currency"],
            "payment_intent": intent,
            "status": self.refund_status,
            "metadata": params.get("metadata", {}),
        }
        self.refunds[refund["id"]] = refund
        return 200, refund


def _error(message: str) -> dict[str, Any]:
    return {"error": {"type": "invalid_request_error", "message": message}}


class _Handler(BaseHTTPRequestHandler):
    fake: FakeStripe

    def _serve(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        parts = urlsplit(self.path)
        if parts.path.startswith("/pay/"):
            status, html, extra = self.server.fake.hosted_page(self.command, parts.path[5:])  # type: ignore[attr-defined]
            self._send(status, html.encode(), "text/html; charset=utf-8", extra)
            return
        params = decode_form(body or parts.query)
        headers = {k.lower(): v for k, v in self.headers.items()}
        status, payload = self.server.fake.handle(self.command, parts.path, headers, params)  # type: ignore[attr-defined]
        self._send(status, json.dumps(payload).encode(), "application/json", {"Request-Id": "req_fake"})

    def _send(self, status: int, data: bytes, content_type: str, extra: dict[str, str]) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a simulated timeout)

    do_GET = _serve
    do_POST = _serve

    def log_message(self, format, *args):
        pass


class FakeStripeServer:
    """Starts the fake on a free port of 127.0.0.1 in a daemon thread."""

    def __init__(self):
        self.fake = FakeStripe()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.fake = self.fake  # type: ignore[attr-defined]
        self.fake.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FakeStripe:
        self.thread.start()
        return self.fake

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


# --- events and signatures, as Stripe sends them ------------------------------------------------


def sign(payload: str, secret: str, timestamp: int | None = None) -> str:
    """Stripe's scheme, computed here: t=<unix time>,v1=HMAC-SHA256(secret, "<t>.<payload>")."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signature = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={signature}"


def stripe_event(event_type: str, obj: dict, event_id: str | None = None) -> dict:
    return {
        "id": event_id or f"evt_{uuid.uuid4().hex[:24]}",
        "object": "event",
        "api_version": "2025-01-27.acacia",
        "created": int(time.time()),
        "livemode": False,
        "type": event_type,
        "data": {"object": obj},
    }


def post_signed(
    client,
    event: dict,
    *,
    secret: str = WEBHOOK_SECRET,
    timestamp: int | None = None,
    signature: str | None = None,
):
    """POST the event to the webhook as Stripe would, signed with `secret`."""
    body = json.dumps(event)
    header = sign(body, secret, timestamp) if signature is None else signature
    return client.post(
        "/payments/stripe/webhook/", data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
    )


def completed_event(fake: "FakeStripe", payment, **overrides) -> dict:
    """checkout.session.completed for the payment's session, as the fake says Stripe would send it."""
    session = fake.complete(payment.provider_reference)
    session.update(overrides)
    return stripe_event("checkout.session.completed", session)


def charge_refunded_event(payment_intent: str, *, amount: int, refunds: list[dict], currency="eur") -> dict:
    charge = {
        "id": f"ch_{payment_intent[3:]}",
        "object": "charge",
        "payment_intent": payment_intent,
        "amount": amount,
        "amount_refunded": sum(r["amount"] for r in refunds),
        "currency": currency,
        "refunded": sum(r["amount"] for r in refunds) == amount,
        "refunds": {"object": "list", "data": refunds},
    }
    return stripe_event("charge.refunded", charge)
