from django.db import migrations


class Migration(migrations.Migration):
    """A product names its offering by the catalog's offering code (one reference form)."""

    dependencies = [("customers", "0003_party_status_fsm")]

    operations = [migrations.RenameField("product", "offering_id", "offering_code")]
