from django.db import migrations


def offering_pks_to_codes(apps, schema_editor):
    """Products that named their offering by primary key now name it by its code."""
    Product = apps.get_model("customers", "Product")
    ProductOffering = apps.get_model("orders", "ProductOffering")
    codes = dict(ProductOffering.objects.values_list("pk", "code"))
    for product in Product.objects.filter(offering_code__regex=r"^[0-9]+$").only("pk", "offering_code"):
        code = codes.get(int(product.offering_code))
        if code:
            Product.objects.filter(pk=product.pk).update(offering_code=code)


class Migration(migrations.Migration):
    dependencies = [("orders", "0002_tmf_extra"), ("customers", "0004_product_offering_code")]

    operations = [migrations.RunPython(offering_pks_to_codes, migrations.RunPython.noop)]
