from django.db import migrations

from shop.tax.defaults import ensure_default_rates


def add_default_rates(apps, schema_editor):
    ensure_default_rates(apps.get_model("tax", "VatRate"))


class Migration(migrations.Migration):
    dependencies = [("tax", "0001_initial")]

    operations = [migrations.RunPython(add_default_rates, migrations.RunPython.noop)]
