"""The page cache's tests run against a real Redis with the cache turned on."""

import pytest


@pytest.fixture(autouse=True)
def _page_cache_on(page_cache):
    return page_cache


def _get(client, url: str, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200, (url, response.status_code)
    return response


def _cached(client, url: str, **extra):
    """Fetch a page twice as a first-time visitor; the second answer must come from the cache."""
    client.cookies.clear()
    _get(client, url, **extra)
    client.cookies.clear()
    response = _get(client, url, **extra)
    assert response["X-Page-Cache"] == "hit", url
    return response


@pytest.fixture
def get():
    return _get


@pytest.fixture
def cached():
    return _cached
