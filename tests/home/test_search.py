import pytest
from django.db import connection

from shop.catalog.services import soft_delete_product
from tests.factories import landing, make_category, make_product, product_edit_data, stream

pytestmark = pytest.mark.django_db

# At 3 and at 30 hits, each with a photo: 10 when run alone, 9 in the whole suite (one query's
# answer already kept in the process by earlier tests); 11 alone while the photos' renditions
# were a query of their own (10 without photos, which read no renditions); the bound was 14 then.
SEARCH_MAX_QUERIES = 10


@pytest.fixture
def hoodie(hoodies):
    return make_product("Heavy hoodie", category=hoodies, description="<p>Brushed fleece inside.</p>")


def test_search_finds_products_by_name_description_category_and_sku(client, hoodie):
    sku = hoodie.variants.first().sku
    for query in ["hoodie", "fleece", "Hoodies", sku]:
        body = client.get("/search/", {"q": query}).content.decode()
        assert "Heavy hoodie" in body, query


def test_products_come_before_pages(client, home, hoodie):
    landing(home, "Hoodie guide", [("rich_text", "<p>How to wash a hoodie.</p>")])
    body = client.get("/search/", {"q": "hoodie"}).content.decode()
    assert "Heavy hoodie" in body and "Hoodie guide" in body
    assert body.index("Heavy hoodie") < body.index("Hoodie guide")


def test_deleted_and_inactive_products_are_not_found(client, hoodie, hoodies):
    make_product("Hidden hoodie", category=hoodies, is_active=False)
    soft_delete_product(hoodie)
    body = client.get("/search/", {"q": "hoodie"}).content.decode()
    assert "Heavy hoodie" not in body and "Hidden hoodie" not in body
    assert "No results" in body


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "%",
        "%%",
        "'",
        '"',
        "\"'",
        "&|!",
        "x" * 5000,
        "(((",
        "a:b",
        "hoodie'",
        "-",
        "hoodie & | ! <> :* ()",
        "ünïcödé",
    ],
)
def test_silly_queries_give_a_page_not_an_error(client, hoodie, query):
    response = client.get("/search/", {"q": query, "page": "abc"})
    assert response.status_code == 200


@pytest.mark.parametrize("query", ["\x00", "hoo\x00die"])
def test_a_nul_byte_in_the_query_is_a_bad_request(client, hoodie, query):
    """The hostile-input middleware refuses NUL anywhere in the request, search included."""
    response = client.get("/search/", {"q": query})
    assert response.status_code == 400


def test_results_are_paged_and_a_bad_page_number_is_harmless(client, hoodies):
    for i in range(30):
        make_product(f"Zip hoodie {i}", category=hoodies, sizes=("M",))
    first = client.get("/search/", {"q": "zip"}).content.decode()
    assert "30 results" in first and "Page 1 of 2" in first
    last = client.get("/search/", {"q": "zip", "page": "999"}).content.decode()
    assert "Page 2 of 2" in last


def test_search_page_is_not_indexed(client, home):
    assert '<meta name="robots" content="noindex, follow">' in client.get("/search/?q=x").content.decode()


def test_page_text_is_searchable(client, home):
    landing(home, "Care tips", [("rich_text", "<p>Cold wash keeps merino soft.</p>")])
    assert "Care tips" in client.get("/search/", {"q": "merino"}).content.decode()


def test_stream_helper_is_used():
    assert stream(("rich_text", "x")) == [{"type": "rich_text", "value": "x"}]


def test_products_of_an_inactive_category_are_not_found_even_by_sku(client, hoodie, hoodies):
    sku = hoodie.variants.first().sku
    hoodies.is_active = False
    hoodies.save()
    for query in ["hoodie", sku]:
        body = client.get("/search/", {"q": query}).content.decode()
        assert "Heavy hoodie" not in body, query


@pytest.mark.parametrize("count", [3, 30])
def test_search_queries_do_not_grow_with_hits(client, hoodies, count, django_assert_max_num_queries):
    """Visibility is decided on the loaded hits (category joined), not with a query per product."""
    for i in range(count):
        make_product(f"Zip hoodie {i}", category=hoodies, sizes=("M",), images=1)
    client.get("/search/", {"q": "zip"})
    with django_assert_max_num_queries(SEARCH_MAX_QUERIES) as queries:
        body = client.get("/search/", {"q": "zip"}).content.decode()
    print(f"search, {count} hits: {len(queries)} queries")
    assert body.count("Zip hoodie") >= min(count, 24)


class FakeTask:
    """Stands in for Wagtail's index task; notes whether it ran inside a transaction."""

    def __init__(self):
        self.calls = []

    def enqueue(self, *args):
        self.calls.append((*args, connection.in_atomic_block))


def test_a_variant_colour_is_found_once_its_save_is_committed(
    client, hoodies, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        make_product("Field jacket", category=hoodies, colours=("Ochre",))
    body = client.get("/search/", {"q": "ochre"}).content.decode()
    assert "Field jacket" in body


@pytest.mark.django_db(transaction=True)
def test_an_admin_save_reindexes_the_product_once_after_commit(client, staff_user, monkeypatch):
    """Six variants written by one save (real commits): one re-index, after the commit."""
    from home import signals

    hoodies = make_category("Hoodies", slug="hoodies")
    product = make_product("Six-way hoodie", category=hoodies, sizes=("S", "M", "L"), colours=("Red", "Blue"))
    task = FakeTask()
    monkeypatch.setattr(signals, "insert_or_update_object_task", task)
    client.force_login(staff_user)
    data = product_edit_data(product)
    data["variants-0-colour"] = "Crimson"
    response = client.post(f"/admin/shop/products/edit/{product.pk}/", data)
    assert response.status_code == 302
    assert task.calls == [("catalog", "product", str(product.pk), False)]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_variant_save_does_not_swallow_the_next_reindex(monkeypatch):
    """The pending re-index vanishes with a rollback, so the next commit re-indexes the product."""
    from django.db import transaction

    from home import signals

    product = make_product("Rollback tee", sizes=("M",))
    variant = product.variants.get()
    task = FakeTask()
    monkeypatch.setattr(signals, "insert_or_update_object_task", task)

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        variant.save()
        raise Abort
    assert task.calls == []
    with transaction.atomic():
        variant.save()
        variant.save()
    assert task.calls == [("catalog", "product", str(product.pk), False)]
