"""Login lockouts (django-axes): how an attempt is named, and the admin screen that unlocks.

A lockout names the address and the typed username, whether an account exists or not, so a
lockout tells an attacker nothing about which emails have accounts. Staff with the
`axes.delete_accessattempt` permission (shop staff, superusers) unlock an account or an
address by deleting its row under Settings > Login lockouts."""

from axes.models import AccessAttempt
from django.http import HttpRequest
from django.urls import path
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.viewsets.model import ModelViewSet


def attempted_username(request: HttpRequest, credentials: dict | None) -> str:
    """The typed email, normalised as accounts store it, so `Ada@X` and `ada@x` count together."""
    raw = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(raw).strip().lower()[:255]


class AccessAttemptViewSet(ModelViewSet):
    model = AccessAttempt
    icon = "lock"
    name = "login_lockouts"
    url_prefix = "login-lockouts"
    menu_label = "Login lockouts"
    menu_hook = "register_settings_menu_item"
    add_to_admin_menu = True
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = False
    exclude_form_fields: list[str] = []
    search_fields = ["username", "ip_address"]
    list_display = [
        Column("username", label="Username"),
        Column("ip_address", label="Address"),
        Column("failures_since_start", label="Failures"),
        DateColumn("attempt_time", label="Last attempt"),
    ]

    def get_common_view_kwargs(self, **kwargs):
        view_kwargs = super().get_common_view_kwargs(**kwargs)
        view_kwargs.update(add_url_name=None, edit_url_name=None, history_url_name=None, usage_url_name=None)
        return view_kwargs

    def get_urlpatterns(self):
        """A list and an unlock (delete); attempts are recorded by axes, never typed in."""
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("unlock/<int:pk>/", self.delete_view, name="delete"),
        ]
