"""Every URL with a parameter, and any path at all, answers below 500 and changes nothing.

The sweep walks Django's URL resolver, so a URL added tomorrow is attacked tomorrow
without editing this file; Wagtail's admin is swept as a superuser (the deepest access)."""

import os
import re

import pytest
from django.urls import URLResolver, get_resolver
from hypothesis import given
from hypothesis import strategies as st

from . import strategies
from .conftest import count_request, fingerprint

PLACEHOLDER = re.compile(r"<(?:\w+:)?\w+>")
# Values for every placeholder of every route: not an id anyone holds, not a number a column holds,
# not text a database can compare, not UTF-8.
SWEEP_VALUES = ["0", "99999999999999999999", "not-a-number", "%00", "%ff%fe", "x" * 300]
# make test tries one value per route (rotating through the list); make fuzz tries them all.
FULL_SWEEP = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"


def parameterised_routes() -> list[str]:
    routes: list[str] = []

    def walk(resolver, prefix: str) -> None:
        for entry in resolver.url_patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry, route)
            elif PLACEHOLDER.search(route) and "(?P" not in route and "^" not in route:
                routes.append(route)

    walk(get_resolver(), "")
    return sorted(set(routes))


def fill(route: str, value: str) -> str:
    return "/" + PLACEHOLDER.sub(value, route)


def assert_refused_without_change(response, before: dict) -> None:
    assert response.status_code < 500, response.status_code
    assert fingerprint() == before


def test_the_sweep_covers_the_shop_and_the_admin():
    routes = parameterised_routes()
    assert "orders/<str:number>/" in routes
    assert "payments/test/<str:token>/" in routes
    assert sum(route.startswith("admin/") for route in routes) > 50


@pytest.mark.django_db
def test_every_parameterised_url_refuses_hostile_ids(world, client, superuser):
    """GET and POST on every route with a placeholder: the storefront's anonymously, every
    route (admin included) as a superuser, who gets furthest into each view."""
    before = fingerprint()
    routes = parameterised_routes()
    for who, batch in (
        ("anonymous", [r for r in routes if not r.startswith("admin/")]),
        ("superuser", routes),
    ):
        if who == "superuser":
            client.force_login(superuser)
        for index, route in enumerate(batch):
            values = SWEEP_VALUES if FULL_SWEEP else [SWEEP_VALUES[index % len(SWEEP_VALUES)]]
            for value in values:
                url = fill(route, value)
                for method in (client.get, client.post):
                    count_request()
                    response = method(url)
                    assert response.status_code < 500, f"{method.__name__.upper()} {url} as {who}"
    assert fingerprint() == before


@pytest.mark.django_db
@given(segments=st.lists(strategies.path_segment, min_size=1, max_size=4), trailing=st.booleans())
def test_any_path_answers_below_500(world, client, segments, trailing):
    before = fingerprint()
    count_request()
    response = client.get("/" + "/".join(segments) + ("/" if trailing else ""))
    assert_refused_without_change(response, before)


@pytest.mark.django_db
@given(
    route=st.sampled_from(
        [
            "orders/{}/",
            "orders/{}/pay/",
            "payments/test/{}/",
            "payments/return/{}/",
            "products/{}/",
            "shop/{}/",
        ]
    ),
    segment=strategies.path_segment,
    key=st.one_of(st.none(), strategies.text),
)
def test_storefront_urls_with_hostile_segments(world, client, route, segment, key):
    before = fingerprint()
    url = "/" + route.format(segment)
    count_request()
    response = client.get(url, {"key": key} if key is not None else {})
    assert_refused_without_change(response, before)
    count_request()
    response = client.post(url, {"key": key or "", "action": "pay"})
    assert_refused_without_change(response, before)


@pytest.mark.django_db
@given(
    path=st.sampled_from(["/", "/search/", "/shop/", "/shop/t-shirts/", "/cart/", "/accounts/login/"]),
    params=st.dictionaries(
        st.sampled_from(
            ["q", "page", "sort", "size", "colour", "min_price", "max_price", "in_stock", "next", "key"]
        ),
        st.lists(strategies.text, min_size=1, max_size=3),
        max_size=5,
    ),
)
def test_query_parameters_answer_below_500(world, client, path, params):
    before = fingerprint()
    count_request()
    response = client.get(path, params)
    assert_refused_without_change(response, before)


@pytest.mark.django_db
def test_nul_and_control_characters_are_a_clear_400(world, client):
    """The bugs this suite was written for: each used to be a PostgreSQL DataError (500)."""
    for url in ("/orders/%00/", "/payments/test/%00/", "/payments/return/%00/", "/%00/", "/shop/%01/"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert "characters the shop does not accept" in response.content.decode()
    assert client.get("/search/", {"q": "tee\x00"}).status_code == 400
    assert client.post("/cart/add/", {"variant": "1\x00", "quantity": "1"}).status_code == 400
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"
    assert client.get("/cart/").status_code == 400


@pytest.mark.django_db
def test_ids_beyond_bigint_are_404_not_500(world, client, superuser):
    client.force_login(superuser)
    huge = 2**63
    assert client.get(f"/admin/pages/{huge}/edit/").status_code == 404
    assert client.get(f"/admin/pages/{huge - 1}/edit/").status_code == 404
