"""Orders in the admin: the viewset in the catalog's "Shop" menu and the dashboard panel."""

from wagtail import hooks

from .admin_views import OrderViewSet, dashboard_panel_for


@hooks.register("register_admin_viewset")
def register_orders_viewset():
    return OrderViewSet()


@hooks.register("construct_homepage_panels")
def add_shop_dashboard(request, panels):
    panel = dashboard_panel_for(request.user)
    if panel is not None:
        panels.insert(0, panel)
