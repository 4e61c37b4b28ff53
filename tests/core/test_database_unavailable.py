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
