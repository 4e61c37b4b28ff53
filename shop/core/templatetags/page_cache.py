"""{% page_hole "visitor" %}: a part of the page that differs per visitor (see pagecache.HOLES);
{% personal_part "cart/includes/cart_body.html" %}: a personal page's own part, cut out of the
chrome kept for it (shop/core/shell.py);
{% editor_userbar %}: Wagtail's user bar, for editors only."""

from django import template
from django.utils.safestring import mark_safe
from wagtail.admin.templatetags.wagtailuserbar import wagtailuserbar

from shop.core.editors import is_editor
from shop.core.pagecache import HOLES
from shop.core.shell import mark_part

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


@register.simple_tag(takes_context=True)
def personal_part(context, template_name: str) -> str:
    """The template, included with the page's context; in a shell being kept, an empty hole
    that each request fills (render_personal)."""
    if context.get("shell"):
        return mark_safe(mark_part(context, template_name))
    return mark_safe(context.template.engine.get_template(template_name).render(context))


@register.simple_tag(takes_context=True)
def editor_userbar(context) -> str:
    """Wagtail's user bar where an editor sees a page rendered for them alone; nothing in a
    page rendered for the cache. Asked through is_editor, kept for the request, so a shopper's
    cart or account page does not pay the user bar's own permission check (two queries)."""
    request = context.get("request")
    if context.get("shared_page") or request is None or not is_editor(request):
        return ""
    return wagtailuserbar(context)
