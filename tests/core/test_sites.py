"""shop.core.sites: the site Wagtail would choose, found with its per-site settings in one query."""

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from home.site_settings import AnnouncementSettings, FooterSettings, NavigationSettings, SeoSettings
from shop.core import sites

pytestmark = pytest.mark.django_db

CHROME = (NavigationSettings, FooterSettings, AnnouncementSettings, SeoSettings)


def request_for(host: str):
    return RequestFactory().get("/", HTTP_HOST=host)


def add_site(root, hostname: str, port: int = 80, default: bool = False) -> Site:
    return Site.objects.create(hostname=hostname, port=port, root_page=root, is_default_site=default)


LAYOUTS = {
    "the default alone": [],
    "a host beside the default": [("shop.example", 80)],
    "one host on two ports": [("shop.example", 80), ("shop.example", 8080)],
    "two hosts": [("shop.example", 80), ("other.example", 80)],
}
HOSTS = [
    "127.0.0.1",
    "shop.example",
    "shop.example:8080",
    "shop.example:9000",
    "other.example",
    "elsewhere.example",
]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("without_default", [False, True])
def test_it_chooses_the_site_wagtail_chooses(site_root, layout, without_default):
    for hostname, port in LAYOUTS[layout]:
        add_site(site_root, hostname, port)
    if without_default:
        Site.objects.filter(is_default_site=True).update(is_default_site=False)
    for host in HOSTS:
        wagtail_choice = Site._find_for_request(request_for(host))
        ours = sites.find_for_request(request_for(host))
        assert (ours and ours.pk) == (wagtail_choice and wagtail_choice.pk), host


def test_the_site_its_root_page_and_its_settings_are_one_query(site_root):
    bar = AnnouncementSettings.for_site(site_root.get_site())
    bar.text = "Free returns"
    bar.save()
    with CaptureQueriesContext(connection) as queries:
        site = sites.find_for_request(request_for("127.0.0.1"))
        assert sites.settings_read_with(site, CHROME)
        assert site.announcementsettings.text == "Free returns"
        assert site.root_page.pk == site_root.pk
    assert len(queries) == 1


def test_a_setting_the_site_has_no_row_for_counts_as_read(site_root):
    NavigationSettings.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        site = sites.find_for_request(request_for("127.0.0.1"))
        assert sites.settings_read_with(site, CHROME)
        with pytest.raises(NavigationSettings.DoesNotExist):
            site.navigationsettings  # noqa: B018
    assert len(queries) == 1


def test_a_site_found_by_wagtail_has_not_read_its_settings(site_root):
    site = Site.find_for_request(request_for("127.0.0.1"))
    assert not sites.settings_read_with(site, CHROME)
