"""{% page_hole "visitor" %}: a part of the page that differs per visitor (see pagecache.HOLES)."""

from django import template
from django.utils.safestring import mark_safe

from shop.core.pagecache import HOLES

register = template.Library()


@register.simple_tag(takes_context=True)
def page_hole(context, name: str) -> str:
    """Render the hole's template; in shared mode wrap it so the cache can fill it per visitor.

    The template sees the request-level context only (user, cart_count, messages,
    csrf_token), because that is all it gets when the cache fills it later.
    """
    html = context.template.engine.get_template(HOLES[name]).render(context)
    if context.get("shared_page"):
        html = f"<!--hole:{name}-->{html}<!--/hole:{name}-->"
    return mark_safe(html)
