from wagtail.models import Page


class HomePage(Page):
    """The site root: marketers compose it from blocks."""

    max_count = 1
    parent_page_types = ["wagtailcore.Page"]
    template = "home/home_page.html"
