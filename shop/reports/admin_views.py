"""Staff screens: streamed CSV exports with the orders list's filters, and the sales-by-day report."""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone

from shop.orders.admin_views import OrderFilterSet, search_orders
from shop.orders.models import Order

from .exports import EXPORTS, stream_csv
from .sales import sales_by_day

VIEW_ORDERS = "orders.view_order"
MAX_DAYS = 366


def _require(request: HttpRequest) -> None:
    if not request.user.has_perm(VIEW_ORDERS):
        raise PermissionDenied


def filtered_orders(request: HttpRequest):
    """The orders the list shows for the same query string: status, placing dates, search."""
    filters = OrderFilterSet(request.GET, queryset=Order.objects.all(), request=request)
    orders = filters.qs if filters.is_valid() else Order.objects.none()
    return search_orders(orders, request.GET.get("q", ""))


def export(request: HttpRequest, kind: str) -> StreamingHttpResponse:
    _require(request)
    if kind not in EXPORTS:
        raise Http404("No such export.")
    heading, rows = EXPORTS[kind]
    stamp = timezone.localdate().isoformat()
    return stream_csv(f"{kind}-{stamp}.csv", heading, rows(filtered_orders(request)))


def _date(value: str | None, default: date) -> date | None:
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def sales_report(request: HttpRequest) -> HttpResponseBase:
    _require(request)
    today = timezone.localdate()
    start = _date(request.GET.get("from"), today - timedelta(days=29))
    end = _date(request.GET.get("to"), today)
    error = ""
    if start is None or end is None:
        error, start, end = "Enter dates as YYYY-MM-DD.", today - timedelta(days=29), today
    elif start > end or (end - start).days >= MAX_DAYS:
        error, start, end = f"Choose a range of 1 to {MAX_DAYS} days.", today - timedelta(days=29), today
    days = sales_by_day(start, end)
    if request.GET.get("export") == "csv" and not error:
        heading = ["day", "orders", "units", "net", "vat", "gross", "refunded"]
        rows = ([d.day.isoformat(), d.orders, d.units, d.net, d.vat, d.gross, d.refunded] for d in days)
        return stream_csv(f"sales-{start}-{end}.csv", heading, rows)
    totals = {
        name: sum(getattr(d, name) for d in days)
        for name in ("orders", "units", "net", "vat", "gross", "refunded")
    }
    context = {
        "days": days,
        "totals": totals,
        "start": start,
        "end": end,
        "error": error,
        "page_title": "Sales by day",
        "header_title": "Sales by day",
    }
    return render(request, "reports/sales_by_day.html", context, status=400 if error else 200)
