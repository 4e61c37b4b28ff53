from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views


@hooks.register("register_admin_urls")
def reports_admin_urls():
    return [
        path("reports/sales-by-day/", admin_views.sales_report, name="reports_sales_by_day"),
        path("shop/exports/<str:kind>.csv", admin_views.export, name="reports_export"),
    ]


class StaffMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(admin_views.VIEW_ORDERS)


@hooks.register("register_reports_menu_item")
def sales_report_menu_item():
    return StaffMenuItem(
        "Sales by day", reverse("reports_sales_by_day"), name="sales-by-day", icon_name="table", order=100
    )
