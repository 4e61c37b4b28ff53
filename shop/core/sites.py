"""The request's Wagtail site read together with its per-site settings, in one query.

Wagtail finds the site (`Site.find_for_request`) and each setting (`for_request`) with a query
each. A storefront page wants both, so the page cache's site lookup joins every registered
`BaseSiteSetting` (each one-to-one with its site) to the site's row, and `settings_read_with`
tells a reader it may take them from the site. The choice among sites is Wagtail's own
(`wagtail.models.sites.get_site_for_hostname`), rule for rule: tests compare the two.
"""

from collections.abc import Iterable
from functools import cache

from django.db.models import Case, IntegerField, Q, When
from django.http import HttpRequest
from django.http.request import split_domain_port
from wagtail.contrib.settings.models import BaseSiteSetting
from wagtail.contrib.settings.registry import registry
from wagtail.models import Site
from wagtail.models.sites import MATCH_DEFAULT, MATCH_HOSTNAME, MATCH_HOSTNAME_DEFAULT, MATCH_HOSTNAME_PORT


@cache
def _setting_relations() -> tuple[str, ...]:
    """The select_related names of the per-site settings (each setting's reverse one-to-one)."""
    site_settings = (model for model in registry if issubclass(model, BaseSiteSetting))
    return tuple(model._meta.get_field("site").related_query_name() for model in site_settings)


def find_for_request(request: HttpRequest) -> Site | None:
    """The site Wagtail would choose for this request, its root page and its settings joined."""
    hostname = split_domain_port(request._get_raw_host())[0]  # type: ignore[attr-defined]  # as Wagtail does
    port = request.get_port()
    match = Case(
        When(hostname=hostname, port=port, then=MATCH_HOSTNAME_PORT),
        When(hostname=hostname, is_default_site=True, then=MATCH_HOSTNAME_DEFAULT),
        When(is_default_site=True, then=MATCH_DEFAULT),
        default=MATCH_HOSTNAME,
        output_field=IntegerField(),
    )
    sites = list(
        Site.objects.annotate(match=match)
        .filter(Q(hostname=hostname) | Q(is_default_site=True))
        .order_by("match")
        .select_related("root_page", *_setting_relations())
    )
    if not sites:
        return None
    if len(sites) == 1 or sites[0].match in (MATCH_HOSTNAME_PORT, MATCH_HOSTNAME_DEFAULT):
        return sites[0]
    if sites[0].match == MATCH_DEFAULT:
        return sites[len(sites) == 2]  # the one other site matching the hostname, else the default
    return None


def settings_read_with(site: Site, models: Iterable[type[BaseSiteSetting]]) -> bool:
    """Whether find_for_request read these settings with the site (a missing one counts: it was
    looked for), so that reading them from the site asks the database nothing."""
    return all(getattr(type(site), _accessor(model)).is_cached(site) for model in models)


def _accessor(model: type[BaseSiteSetting]) -> str:
    return model._meta.get_field("site").remote_field.get_accessor_name()
