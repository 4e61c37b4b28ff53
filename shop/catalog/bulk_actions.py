"""Bulk actions on the product list: activate, deactivate, restore; and delete made soft."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_list_or_404
from wagtail import hooks
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction

from . import services
from .models import Product


class ProductBulkAction(SnippetBulkAction):
    models = [Product]
    template_name = "catalog/admin/confirm_bulk_action.html"
    permission = "change"
    question = ""
    done = ""

    @classmethod
    def get_queryset(cls, model, object_ids):
        return get_list_or_404(Product.all_objects, pk__in=object_ids)

    def check_perm(self, obj):
        return self.permission_policy.user_has_permission(self.request.user, self.permission)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "question": self.question, "title": self.display_name}

    def get_success_message(self, num_parent_objects, num_child_objects):
        return f"{num_parent_objects} product(s) {self.done}."


@hooks.register("register_bulk_action")
class ActivateBulkAction(ProductBulkAction):
    display_name = "Activate"
    action_type = "activate"
    aria_label = "Activate the selected products"
    action_priority = 10
    question = "Show these products in the shop?"
    done = "activated"

    @classmethod
    def execute_action(cls, objects, **kwargs):
        return services.set_products_active([p.pk for p in objects], True), 0


@hooks.register("register_bulk_action")
class DeactivateBulkAction(ProductBulkAction):
    display_name = "Deactivate"
    action_type = "deactivate"
    aria_label = "Deactivate the selected products"
    action_priority = 11
    question = "Hide these products from the shop? They stay in the admin and can be activated again."
    done = "deactivated"

    @classmethod
    def execute_action(cls, objects, **kwargs):
        return services.set_products_active([p.pk for p in objects], False), 0


@hooks.register("register_bulk_action")
class RestoreBulkAction(ProductBulkAction):
    display_name = "Restore"
    action_type = "restore"
    aria_label = "Restore the selected deleted products"
    action_priority = 12
    permission = "delete"
    question = "Restore these deleted products?"
    done = "restored"

    @classmethod
    def execute_action(cls, objects, **kwargs):
        return services.restore_products(objects), 0


@hooks.register("before_bulk_action")
def soft_delete_in_bulk(request, action_type, objects, action):
    """Wagtail's bulk delete removes rows; a product is only ever soft-deleted."""
    if action_type != "delete" or getattr(action, "model", None) is not Product:
        return None
    count = services.soft_delete_products(objects)
    messages.success(request, f"{count} product(s) deleted. Restore them from the Deleted filter.")
    return HttpResponseRedirect(action.next_url)  # a URL, never a view name (redirect('0') is a 500)
