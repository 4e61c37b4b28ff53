"""A POST from a cached page without JavaScript: confirm it once instead of refusing it.

Pages from the shared cache cannot carry a visitor's CSRF token; shop.js fetches
one on submit. Without JavaScript the form arrives without a token, and for the
few harmless forms named in CSRF_CONFIRM_VIEWS (adding to the cart) the visitor
gets the same form back with a real token and one button to press. Any other
failure, or a request that failed for another reason (a bad Origin), gets
Django's usual refusal.
"""

from django.conf import settings
from django.middleware.csrf import REASON_CSRF_TOKEN_MISSING, REASON_NO_CSRF_COOKIE
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.views.csrf import csrf_failure as django_csrf_failure

CONFIRMABLE_REASONS = {REASON_NO_CSRF_COOKIE, REASON_CSRF_TOKEN_MISSING}


def csrf_failure(request, reason: str = ""):
    try:
        view_name = resolve(request.path_info).view_name
    except Resolver404:
        view_name = ""
    label = settings.CSRF_CONFIRM_VIEWS.get(view_name)
    if request.method != "POST" or label is None or reason not in CONFIRMABLE_REASONS:
        return django_csrf_failure(request, reason)
    fields = [
        (name, value)
        for name, values in request.POST.lists()
        if name != "csrfmiddlewaretoken"
        for value in values
    ]
    context = {"action": request.path, "fields": fields, "label": label}
    return render(request, "core/csrf_confirm.html", context, status=403)
