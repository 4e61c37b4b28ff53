"""Shared pieces for the shop's Wagtail admin viewsets."""

from wagtail.admin.viewsets.model import ModelViewSet

_WRITE_URL_NAMES = ("add_url_name", "edit_url_name", "delete_url_name", "history_url_name", "usage_url_name")


class ReadOnlyModelViewSet(ModelViewSet):
    """A viewset that lists (and may inspect) but never offers add, edit, delete or history links.

    Subclasses register only the read views in get_urlpatterns; without this, Wagtail's
    generic views would try to reverse the URL names of the views that do not exist.
    """

    def get_common_view_kwargs(self, **kwargs):
        view_kwargs = super().get_common_view_kwargs(**kwargs)
        view_kwargs.update(dict.fromkeys(_WRITE_URL_NAMES))
        return view_kwargs
