"""Signals other apps listen to; orders never imports them back."""

from django.dispatch import Signal

# Sent after the transaction commits, with order, from_status, to_status.
order_status_changed = Signal()
