"""The request's Wagtail site read together with its per-site settings (and Wagtail's site root
paths), in one query.

Wagtail finds the site (`Site.find_for_request`) and each setting (`for_request`) with a query
each. A storefront page wants both, so the page cache's site lookup joins every registered
`BaseSiteSetting` (each one-to-one with its site) to the site's row, and `settings_read_with`
tells a reader it may take them from the site. The choice among sites is Wagtail's own
(`wagtail.models.sites.get_site_for_hostname`), rule for rule: tests compare the two.
"""

from collections.abc import Iterable
from functools import cache
from operator import attrgetter

from django.conf import settings
from django.core.cache import cache as default_cache
from django.db.models import Case, IntegerField, When
from django.http import HttpRequest
from django.http.request import split_domain_port
from wagtail.contrib.settings.models import BaseSiteSetting
from wagtail.contrib.settings.registry import registry
from wagtail.models import Site
from wagtail.models.sites import (
    MATCH_DEFAULT,
    MATCH_HOSTNAME,
    MATCH_HOSTNAME_DEFAULT,
    MATCH_HOSTNAME_PORT,
    SITE_ROOT_PATHS_CACHE_KEY,
    SITE_ROOT_PATHS_CACHE_VERSION,
    SiteRootPath,
)

# As Wagtail's Site.get_site_root_paths: most specific root path first, and its lifetime.
ROOT_PATHS_ORDER = ("-root_page__url_path", "-is_default_site", "hostname")
ROOT_PATHS_SECONDS = 3600


@cache
def _setting_relations() -> tuple[str, ...]:
    """The select_related names of the per-site settings (each setting's reverse one-to-one)."""
    site_settings = (model for model in registry if issubclass(model, BaseSiteSetting))
    return tuple(model._meta.get_field("site").related_query_name() for model in site_settings)


def find_for_request(request: HttpRequest, *, remember_root_paths: bool = False) -> Site | None:
    """The site Wagtail would choose for this request, its root page and its settings joined.

    Every site is read (a shop has one or a few), in the order of Wagtail's site root paths. With
    `remember_root_paths` (the page cache's lookup, once per process and generation) these are
    stored from the same rows when Wagtail's cache of them is empty (after a Site edit, or
    hourly): the first page URL built then asks no second query for them. Without it (a page
    rendered uncached, every request) nothing is written: a round trip to the cache each time
    would cost more than Wagtail's own query once an hour."""
    hostname = split_domain_port(request._get_raw_host())[0]  # type: ignore[attr-defined]  # as Wagtail does
    port = request.get_port()
    match = Case(
        When(hostname=hostname, port=port, then=MATCH_HOSTNAME_PORT),
        When(hostname=hostname, is_default_site=True, then=MATCH_HOSTNAME_DEFAULT),
        When(is_default_site=True, then=MATCH_DEFAULT),
        When(hostname=hostname, then=MATCH_HOSTNAME),
        default=None,
        output_field=IntegerField(),
    )
    every_site = list(
        Site.objects.annotate(match=match)
        .select_related("root_page__locale", *_setting_relations())
        .order_by(*ROOT_PATHS_ORDER)
    )
    if remember_root_paths:
        _remember_root_paths(every_site)
    sites = sorted((site for site in every_site if site.match is not None), key=attrgetter("match"))
    if not sites:
        return None
    if len(sites) == 1 or sites[0].match in (MATCH_HOSTNAME_PORT, MATCH_HOSTNAME_DEFAULT):
        return sites[0]
    if sites[0].match == MATCH_DEFAULT:
        return sites[len(sites) == 2]  # the one other site matching the hostname, else the default
    return None


def _remember_root_paths(every_site: list[Site]) -> None:
    """Wagtail's site root paths (Site.get_site_root_paths) built from these rows as Wagtail
    builds them, stored where and as long as Wagtail stores them, unless they are there already.
    Not with WAGTAIL_I18N_ENABLED, whose paths include each root page's translations."""
    if getattr(settings, "WAGTAIL_I18N_ENABLED", False):
        return
    paths = [
        SiteRootPath(site.pk, site.root_page.url_path, site.root_url, site.root_page.locale.language_code)
        for site in every_site
    ]
    default_cache.add(
        SITE_ROOT_PATHS_CACHE_KEY, paths, ROOT_PATHS_SECONDS, version=SITE_ROOT_PATHS_CACHE_VERSION
    )


def settings_read_with(site: Site, models: Iterable[type[BaseSiteSetting]]) -> bool:
    """Whether find_for_request read these settings with the site (a missing one counts: it was
    looked for), so that reading them from the site asks the database nothing."""
    return all(getattr(type(site), _accessor(model)).is_cached(site) for model in models)


def _accessor(model: type[BaseSiteSetting]) -> str:
    return model._meta.get_field("site").remote_field.get_accessor_name()
