"""pagecache.memo without the page cache's generations (an editor, the cache off): kept for the
request, never for the next one, so what the chrome reads several times is read once."""

from django.test import RequestFactory

from shop.core import pagecache


def test_without_generations_a_value_is_kept_for_its_own_request_only():
    computed = []

    def compute() -> int:
        computed.append(1)
        return len(computed)

    first, second = RequestFactory().get("/"), RequestFactory().get("/")
    assert pagecache.memo(first, ("chrome",), compute) == 1
    assert pagecache.memo(first, ("chrome",), compute) == 1
    assert pagecache.memo(first, ("other",), compute) == 2
    assert pagecache.memo(second, ("chrome",), compute) == 3
    assert pagecache.memo(None, ("chrome",), compute) == 4
