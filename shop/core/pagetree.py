"""The site's page tree and view restrictions, read once per generation of the pages' scope.

Wagtail routes /shop/t-shirts/ with two queries per level below the root and checks a
page's view restrictions with two more; `.public()` reads every restriction again. On a
page-cache miss that was most of a content page's SQL. Here the tree's addresses and the
restrictions are read once (pagecache.memo) and a routed page costs one query.

Every change that can alter them bumps the pages' generation (home/signals.py: publish,
unpublish, move, delete, a view restriction, a category's page moved, the site saved), so what
is kept is never older than the last committed change. Without a known generation (page cache off, an
editor, a preview) Wagtail's own routing and checks run unchanged.
"""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef, Q, prefetch_related_objects
from django.http import Http404, HttpRequest
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.query import PageQuerySet

from . import pagecache, sql


@dataclass(frozen=True)
class TreePage:
    pk: int
    title: str
    url_path: str
    path: str
    content_type_id: int
    live: bool
    alias_of_id: int | None

    def as_page(self) -> Page:
        """An unsaved stand-in with what Wagtail's URL methods read: get_url(request) and
        get_full_url(request) answer as the stored page would, without a query."""
        return Page(id=self.pk, title=self.title, url_path=self.url_path, path=self.path, live=self.live)


class PageTree:
    """Addresses of one site's pages and every view restriction; read-only once built."""

    def __init__(
        self, root_url_path: str, pages: dict[str, TreePage], restrictions: list[PageViewRestriction]
    ):
        self.root_url_path = root_url_path
        self.pages = pages
        self.restrictions = restrictions
        self.paths = {page.path for page in pages.values()}
        self.aliases = {page.path for page in pages.values() if page.alias_of_id}
        self.by_pk = {page.pk: page for page in pages.values()}
        self.by_path = {page.path: page for page in pages.values()}

    @classmethod
    def load(cls, site: Site) -> "PageTree":
        """One query: the pages (and the root's ancestors), each with its view restrictions as a
        JSON array (most shops have none; a private section's must not cost a query of its own on
        every first miss). A second only where a restriction is to groups, for its groups."""
        root = site.root_page
        above = [root.path[:end] for end in range(Page.steplen, len(root.path), Page.steplen)]
        rows = (
            Page.objects.filter(Q(path__startswith=root.path) | Q(path__in=above))
            .annotate(restrictions=ArraySubquery(_restriction_rows()))
            .values_list(
                "pk", "title", "url_path", "path", "content_type_id", "live", "alias_of_id", "restrictions"
            )
        )
        pages, restrictions = {}, []
        for *fields, restricted in rows:
            page = TreePage(*fields)
            if page.path.startswith(root.path):
                pages[page.url_path] = page
            restrictions += [_restriction(found, page.as_page(), rows.db) for found in restricted]
        by_groups = [r for r in restrictions if r.restriction_type == PageViewRestriction.GROUPS]
        if by_groups:
            prefetch_related_objects(by_groups, "groups")
        return cls(root.url_path, pages, restrictions)

    def find(self, path: str) -> TreePage | None:
        """The page at this serve path ("", "shop/", "shop/t-shirts/"), if there is one."""
        components = [component for component in path.split("/") if component]
        url_path = self.root_url_path + "".join(f"{c}/" for c in components)
        return self.pages.get(url_path)

    def view_restrictions(self, page_path: str) -> list[PageViewRestriction] | None:
        """The restrictions on the page and its ancestors; None where an alias is involved
        (Wagtail then resolves the alias's source itself)."""
        chain = [page_path[:end] for end in range(Page.steplen, len(page_path) + 1, Page.steplen)]
        if any(path in self.aliases for path in chain):
            return None
        return [r for r in self.restrictions if page_path.startswith(r.page.path)]

    def is_public(self, page: TreePage) -> bool:
        return not any(page.path.startswith(r.page.path) for r in self.restrictions)

    def ancestors(self, page_path: str) -> list[TreePage]:
        """The site's pages from its root down to this one (inclusive), as far as they are in it."""
        chain = [page_path[:end] for end in range(Page.steplen, len(page_path) + 1, Page.steplen)]
        return [self.by_path[path] for path in chain if path in self.by_path]

    def private_q(self) -> Q:
        """Pages in a restricted section, like PageQuerySet.private_q() but without a query."""
        q = Q()
        for restriction in self.restrictions:
            q |= Q(path__startswith=restriction.page.path)
        return q if q else Q(pk__in=[])


def _restriction_rows():
    restrictions = PageViewRestriction.objects.filter(page=OuterRef("pk")).order_by("pk")
    return restrictions.values(json=sql.json_row(PageViewRestriction))


def _restriction(row: dict, page: Page, db: str) -> PageViewRestriction:
    """A restriction as the ORM would build it, its page the tree's stand-in (its path and id)."""
    restriction = sql.from_json(PageViewRestriction, row, db)
    restriction.page = page
    return restriction


def for_request(request: HttpRequest) -> PageTree | None:
    """The request's site's tree while the page cache knows the generation, else None."""
    if getattr(request, "page_cache_generation", None) is None or getattr(
        settings, "WAGTAIL_I18N_ENABLED", False
    ):
        return None
    site = getattr(request, "_wagtail_site", None) or Site.find_for_request(request)
    if site is None:
        return None
    return pagecache.memo(request, ("page-tree", site.pk), lambda: PageTree.load(site), [pagecache.PAGES])


def public(queryset: PageQuerySet, request: HttpRequest | None) -> PageQuerySet:
    """`queryset.public()`, from the kept restrictions when there are."""
    tree = for_request(request) if request is not None else None
    return queryset.public() if tree is None else queryset.exclude(tree.private_q())


def preroute(request: HttpRequest) -> None:
    """Route the request's path with the kept tree, the way Wagtail's serve view would, and
    leave the result where Page.route_for_request looks first. Anything unusual (no such
    page, not live, a routable sub-path) is left to Wagtail."""
    tree = for_request(request)
    if tree is None or hasattr(request, "_wagtail_route_for_request"):
        return
    found = tree.find(request.path_info)
    if found is None or not found.live:
        return
    model = ContentType.objects.get_for_id(found.content_type_id).model_class()
    if model is None:
        return
    try:
        related = getattr(model, "routed_with", ())  # what its serve reads anyway, in the same query
        page: Any = model._default_manager.select_related(*related).get(pk=found.pk)
        result = page.route(request, [])
    except (Page.DoesNotExist, Http404):
        return
    if isinstance(page, KnownViewRestrictions):
        page.known_view_restrictions = tree.view_restrictions(found.path)
    request._wagtail_route_for_request = result  # type: ignore[attr-defined]


class KnownViewRestrictions:
    """A page mixin: view restrictions from the kept tree when preroute() found the page."""

    known_view_restrictions: list[PageViewRestriction] | None = None

    def get_view_restrictions(self):
        if self.known_view_restrictions is None:
            return super().get_view_restrictions()  # type: ignore[misc]
        return self.known_view_restrictions
