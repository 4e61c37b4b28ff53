import pytest
from django.db import OperationalError

import home.views


@pytest.mark.django_db
def test_a_lost_database_is_a_friendly_503_with_retry_after(client, site_root, monkeypatch):
    def lost(*args):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(home.views.site_search, "search", lost)
    response = client.get("/search/", {"q": "tee"})
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "back in a moment" in response.content.decode()


@pytest.mark.django_db
def test_other_errors_stay_500(client, site_root, monkeypatch):
    def broken(*args):
        raise RuntimeError("a bug")

    monkeypatch.setattr(home.views.site_search, "search", broken)
    client.raise_request_exception = False
    assert client.get("/search/", {"q": "tee"}).status_code == 500


@pytest.mark.django_db
def test_a_database_lost_outside_the_view_is_the_503_page_too(client, site_root, monkeypatch):
    """Wagtail's redirects middleware looks a 404's path up on the way out, after the view:
    Django's 500 handler (shop/core/errors.py) answers, not DatabaseUnavailableMiddleware."""
    from wagtail.contrib.redirects.models import Redirect

    def lost(*args, **kwargs):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(Redirect, "get_for_site", lost)
    client.raise_request_exception = False
    response = client.get("/no-such-page/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "back in a moment" in response.content.decode()
