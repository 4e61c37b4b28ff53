"""The Content-Security-Policy: strict for the storefront, one documented loosening for Wagtail's admin.

The storefront serves no inline script or style (every script is a file under /static/, and
style attributes became classes in site/css/shop.css), so its policy is `'self'` only, plus
Stripe's hosted checkout as a form target (the checkout POST answers with a redirect there).

Wagtail 8's admin still writes inline <script> blocks (inline panels, date widgets, the
multiple chooser panel) and style attributes, so under /admin/ `'unsafe-inline'` is added to
script-src and style-src; everything else (no foreign origin, no eval, no plugins, frames
only from this site) stays as strict as the storefront's.
"""

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase


class ShopCSPMiddleware(CSPMiddleware):
    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if request.path.startswith(settings.SHOP_ADMIN_PATH) and parts.update is None:
            parts.update = settings.SHOP_ADMIN_CSP_UPDATE
        return parts
