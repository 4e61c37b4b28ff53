"""A page of a listing's ids and the listing's total, read with one query instead of two.

Django's `Paginator` runs a `COUNT` over the whole listing before it reads the page. Here the
page is read with the total alongside (`COUNT(*) OVER ()`, taken after any `GROUP BY`, so it
counts the listing's rows), and the `Page` comes from a paginator told that count.
"""

import sys

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window


class CountedPaginator(Paginator):
    """A `Paginator` whose count was read with the page, so it never runs a `COUNT` itself."""

    def __init__(self, object_list, per_page: int, count: int) -> None:
        super().__init__(object_list, per_page)
        self.count = count  # Django's documented way to set a cached_property


PageNumber = int | float | str | None


def page_number(number: PageNumber) -> int:
    """The page asked for, read as `Paginator.validate_number` reads it: not an integer is page 1."""
    if number is None or (isinstance(number, float) and not number.is_integer()):
        return 1
    try:
        return int(number)
    except (ValueError, OverflowError):
        return 1


def page_of_ids(queryset: QuerySet, number: PageNumber, per_page: int) -> Page:
    """`Paginator(queryset.values_list("pk", flat=True), per_page).get_page(number)` in one query.

    The same page in every case: page 1 for anything but an integer, the last page for one
    past the end or below 1, and an empty page 1 for an empty listing. The last page is read
    backwards, so the queryset's order must end on a unique column (as any paginated order
    should): then reversed it is the same order backwards. That read is a second query after a
    page past the end came back empty (rare: an old link); below 1 it is the only one.
    """
    queryset = queryset.prefetch_related(None)
    ids = queryset.values_list("pk", flat=True)
    counted = queryset.annotate(total=Window(Count("*"))).values_list("pk", "total")
    wanted = page_number(number)
    offset = (wanted - 1) * per_page
    if wanted >= 1 and offset + per_page <= sys.maxsize:  # beyond, PostgreSQL's OFFSET overflows
        rows = list(counted[offset : offset + per_page])
        if rows or wanted == 1:
            count = rows[0][1] if rows else 0
            return Page([pk for pk, _ in rows], wanted, CountedPaginator(ids, per_page, count))
    rows = list(counted.reverse()[:per_page])
    paginator = CountedPaginator(ids, per_page, rows[0][1] if rows else 0)
    on_last = paginator.count - (paginator.num_pages - 1) * per_page
    return Page([pk for pk, _ in reversed(rows[:on_last])], paginator.num_pages, paginator)
