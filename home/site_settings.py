"""Site-wide settings marketers edit in Wagtail (Settings menu).

The model names give the permission codenames roles.py grants to Marketers:
change_navigationsettings, change_footersettings, change_seosettings,
change_announcementsettings, change_sitesettings.
"""

from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import StreamField

from .blocks import LinkBlock


@register_setting(icon="list-ul")
class NavigationSettings(BaseSiteSetting):
    links = StreamField(
        [("link", LinkBlock())],
        blank=True,
        help_text="The main menu in the header. Empty: a single link to the shop.",
    )

    panels = [FieldPanel("links")]

    class Meta:
        verbose_name = "navigation"


@register_setting(icon="list-ul")
class FooterSettings(BaseSiteSetting):
    links = StreamField([("link", LinkBlock())], blank=True)
    text = models.CharField(max_length=300, blank=True, help_text="A short line beside the links.")

    panels = [FieldPanel("links"), FieldPanel("text")]

    class Meta:
        verbose_name = "footer"


@register_setting(icon="search")
class SeoSettings(BaseSiteSetting):
    default_description = models.CharField(
        max_length=300, blank=True, help_text="Used when a page has no search description of its own."
    )
    default_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Shown when a page is shared and has no image of its own (1200 x 630 works best).",
    )
    twitter_site = models.CharField(
        "X/Twitter account", max_length=40, blank=True, help_text="For example @threadline."
    )

    panels = [FieldPanel("default_description"), FieldPanel("default_image"), FieldPanel("twitter_site")]

    class Meta:
        verbose_name = "SEO defaults"


@register_setting(icon="warning")
class AnnouncementSettings(BaseSiteSetting):
    is_active = models.BooleanField("show the announcement bar", default=False)
    text = models.CharField(max_length=200, blank=True)
    link_url = models.CharField(max_length=300, blank=True, help_text="Optional: /shop/ or https://...")

    panels = [FieldPanel("is_active"), FieldPanel("text"), FieldPanel("link_url")]

    class Meta:
        verbose_name = "announcement bar"

    @property
    def visible(self) -> bool:
        return self.is_active and bool(self.text.strip())


@register_setting(icon="cog")
class SiteSettings(BaseSiteSetting):
    """Crawling rules; the fixed rules that keep private pages out of search engines live in code."""

    hide_from_search_engines = models.BooleanField(
        default=False, help_text="Disallow everything in robots.txt (for a staging site)."
    )
    robots_txt_extra = models.TextField(
        "extra robots.txt lines", blank=True, help_text="Appended to the standard rules."
    )

    panels = [FieldPanel("hide_from_search_engines"), FieldPanel("robots_txt_extra")]

    class Meta:
        verbose_name = "site and crawling"
