import pytest


@pytest.mark.django_db
def test_home_page_is_the_site_root_and_renders_the_shop_layout(client, site_root):
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "bootstrap.min.css" in body
    assert "cdn" not in body.lower()
    assert ">Cart <" in body


@pytest.mark.django_db
def test_unknown_url_gives_the_shop_404(client, site_root):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "find that page" in response.content.decode()
