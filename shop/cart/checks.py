from django.conf import settings
from django.core.checks import Error, register

from .models import LINE_QUANTITY_CEILING


@register()
def max_line_quantity_fits_the_database(app_configs=None, **kwargs):
    """A setting above the database's ceiling would turn large quantities into IntegrityErrors."""
    limit = settings.SHOP_MAX_LINE_QUANTITY
    if 1 <= limit <= LINE_QUANTITY_CEILING:
        return []
    return [
        Error(
            f"SHOP_MAX_LINE_QUANTITY is {limit}; it must be between 1 and {LINE_QUANTITY_CEILING}.",
            id="cart.E001",
        )
    ]
