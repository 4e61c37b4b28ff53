"""Page chrome fixes from the accessibility audit: favicon, skip link, named search landmarks,
form errors tied to their fields."""

import pytest

pytestmark = pytest.mark.django_db


def test_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"].endswith("favicon.ico")
    assert "max-age=86400" in response["Cache-Control"]


def test_skip_link_header_container_and_named_search(client, site_root):
    html = " ".join(client.get("/search/?q=tee").content.decode().split())  # layout whitespace aside
    assert 'href="#main">Skip to main content</a>' in html and 'id="main"' in html
    assert '<nav class="navbar navbar-expand-lg" aria-label="Main"> <div class="container">' in html
    assert 'role="search" aria-label="Site search"' in html
    assert 'role="search" aria-label="Search results"' in html


def test_checkout_errors_are_tied_to_their_fields(client):
    from tests.factories import make_variant

    variant = make_variant()
    client.post("/cart/add/", {"variant": variant.pk, "quantity": 1})
    html = client.post("/checkout/", {"email": "not-an-email"}).content.decode()
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_email-error"' in html and 'id="id_email-error"' in html
