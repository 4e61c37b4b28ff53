"""Return emails, one per step, rendered from templates/returns/email/."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from .models import ReturnRequest

SUBJECTS = {
    "requested": "We have your return request for order {number}",
    "approved": "Your return for order {number} is approved: please send the items back",
    "rejected": "Your return request for order {number}",
    "received": "Your return for order {number} arrived",
}


def send(ret: ReturnRequest, step: str) -> None:
    order = ret.order
    context = {
        "ret": ret,
        "step": step,
        "order": order,
        "lines": list(ret.lines.select_related("item", "wanted_variant")),
        "order_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/") + order.get_absolute_url(),
        "shop_name": settings.WAGTAIL_SITE_NAME,
    }
    message = EmailMultiAlternatives(
        subject=SUBJECTS[step].format(number=order.number),
        body=render_to_string("returns/email/update.txt", context),
        to=[order.email],
    )
    message.attach_alternative(render_to_string("returns/email/update.html", context), "text/html")
    message.send()
