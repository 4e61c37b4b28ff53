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


def test_memo_many_computes_only_what_is_missing_and_keeps_no_none():
    """attach_main_pictures' store: kept per process for the scopes it depends on."""
    asked = []

    def compute(keys: list[tuple]) -> dict:
        asked.append(sorted(keys))
        return {key: None if key[1] == "gone" else f"{key[1]}@{len(asked)}" for key in keys}

    def request(images: int, catalog: int = 1):
        request = RequestFactory().get("/")
        request.page_cache_scopes = dict.fromkeys(pagecache.SCOPES, 1) | {
            pagecache.IMAGES: images,
            pagecache.CATALOG: catalog,
        }
        return request

    a, b, gone = ("t", "a", 900001), ("t", "b", 900002), ("t", "gone", 900003)
    assert pagecache.memo_many(request(1), {a, gone}, compute, [pagecache.IMAGES]) == {a: "a@1", gone: None}
    found = pagecache.memo_many(request(1, catalog=2), {a, b, gone}, compute, [pagecache.IMAGES])
    assert found == {a: "a@1", b: "b@2", gone: None}  # another scope's change keeps it
    assert asked[1] == sorted([b, gone])  # a None is asked again
    assert pagecache.memo_many(request(2), {a}, compute, [pagecache.IMAGES]) == {a: "a@3"}
    assert pagecache.memo_many(RequestFactory().get("/"), {a}, compute) == {a: "a@4"}  # no generations
