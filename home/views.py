from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from wagtail.contrib.sitemaps import views as sitemap_views
from wagtail.models import Site

from shop.catalog.filters import ProductFilter, list_query
from shop.core.pagecache import shared_page

from . import search as site_search
from . import seo
from .site_settings import SiteSettings
from .sitemaps import SITEMAPS


@shared_page
@require_GET
def search(request):
    site = Site.find_for_request(request)
    chosen = ProductFilter.from_query(request.GET)
    results = site_search.search(request.GET.get("q"), request.GET.get("page"), site, chosen, request)
    return render(
        request,
        "search/search.html",
        {
            "results": results,
            "search_query": request.GET.get("q", "")[:200],
            "filter": chosen,
            "facets": results.facets,
            "keep": [("q", results.query)],
            "clear_url": f"/search/?{urlencode({'q': results.query})}",
            "list_query": list_query(chosen, q=results.query),
            "meta_title": f"Search: {results.query}" if results.query else "Search",
            "meta_robots": "noindex, follow",
        },
    )


@require_GET
def sitemap(request):
    return sitemap_views.sitemap(request, sitemaps=SITEMAPS)


@require_GET
@cache_control(max_age=3600, public=True)
def robots_txt(request):
    site = Site.find_for_request(request)
    rules = SiteSettings.for_site(site) if site is not None else None
    body = seo.robots_txt(
        sitemap_url=request.build_absolute_uri("/sitemap.xml"),
        hide_all=bool(rules and rules.hide_from_search_engines),
        extra=rules.robots_txt_extra if rules else "",
    )
    return HttpResponse(body, content_type="text/plain; charset=utf-8")
