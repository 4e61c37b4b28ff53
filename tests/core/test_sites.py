"""shop.core.sites: the site Wagtail would choose, found with its per-site settings in one query."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site
from wagtail.models.sites import SITE_ROOT_PATHS_CACHE_KEY, SITE_ROOT_PATHS_CACHE_VERSION

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


@pytest.mark.parametrize("layout", LAYOUTS)
def test_it_remembers_the_site_root_paths_wagtail_would_build(site_root, layout):
    for hostname, port in LAYOUTS[layout]:
        root = site_root.add_child(
            instance=type(site_root)(title=hostname, slug=f"{hostname.replace('.', '-')}-{port}")
        )
        add_site(root, hostname, port)
    Site.clear_site_root_paths_cache()
    wagtails = Site.get_site_root_paths()
    Site.clear_site_root_paths_cache()
    sites.find_for_request(request_for("127.0.0.1"), remember_root_paths=True)
    with CaptureQueriesContext(connection) as queries:
        remembered = Site.get_site_root_paths()
    assert remembered == wagtails
    assert len(queries) == 0


def test_root_paths_wagtail_stored_are_left_as_they_are(site_root):
    Site.clear_site_root_paths_cache()
    Site.get_site_root_paths()
    Site.objects.update(hostname="renamed.example")  # no signal: Wagtail's stored paths stay
    sites.find_for_request(request_for("127.0.0.1"), remember_root_paths=True)
    assert Site.get_site_root_paths()[0].root_url == "http://localhost"


def test_a_lookup_outside_the_page_cache_writes_nothing_to_the_cache(site_root):
    """site_tags reads the site this way on every uncached page (an editor, the cache off)."""
    Site.clear_site_root_paths_cache()
    sites.find_for_request(request_for("127.0.0.1"))
    assert cache.get(SITE_ROOT_PATHS_CACHE_KEY, version=SITE_ROOT_PATHS_CACHE_VERSION) is None


def test_with_translations_on_wagtail_builds_the_root_paths_itself(site_root, settings):
    settings.WAGTAIL_I18N_ENABLED = True
    Site.clear_site_root_paths_cache()
    sites.find_for_request(request_for("127.0.0.1"), remember_root_paths=True)
    with CaptureQueriesContext(connection) as queries:
        Site.get_site_root_paths()
    assert len(queries) >= 1
