"""The order life as data: which status may follow which (DESIGN.md, "Order life")."""

from .models import OrderStatus as S

TRANSITIONS: dict[str, frozenset[str]] = {
    S.PENDING_PAYMENT: frozenset({S.PAID, S.CANCELLED}),
    S.PAID: frozenset({S.SHIPPED, S.CANCELLED, S.REFUNDED}),
    S.SHIPPED: frozenset({S.DELIVERED, S.REFUNDED}),
    S.DELIVERED: frozenset({S.REFUNDED}),
    S.CANCELLED: frozenset(),
    S.REFUNDED: frozenset(),
}

# Allowed by the map only under a condition the caller must vouch for.
NEEDS_REFUND: frozenset[tuple[str, str]] = frozenset({(S.PAID, S.CANCELLED)})

# These put the ordered units back on the shelf (the goods never left). A refund without
# cancelling (paid|shipped|delivered -> refunded) does not: staff choose "cancel" in the
# refund form when the goods are still there, and restock returns by hand.
RESTOCKS: frozenset[tuple[str, str]] = frozenset({(S.PENDING_PAYMENT, S.CANCELLED), (S.PAID, S.CANCELLED)})


def is_allowed(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, frozenset())


def next_statuses(status: str) -> frozenset[str]:
    return TRANSITIONS.get(status, frozenset())
