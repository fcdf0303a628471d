"""Product catalog (TMF620): specifications, offerings, prices, bundles, categories."""

from django.db import models
from django.utils import timezone
from django_fsm import FSMModelMixin, transition

from bss.lifecycle import LifecycleMixin, LifecycleStatus, lifecycle_field
from bss.money import Money, MoneyPair, currency_field

__all__ = ["LifecycleStatus"]  # the shared lifecycle (bss.lifecycle), re-exported for the catalog's callers


class SalesChannel(models.TextChoices):
    PORTAL = "portal", "CSR portal"
    SELF_SERVICE = "self_service", "Self-service"
    API = "api", "API / partner"
    RETAIL = "retail", "Retail shop"
    TELESALES = "telesales", "Telesales"


class Category(LifecycleMixin, models.Model):
    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    is_root = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    tmf_extra = models.JSONField(default=dict, blank=True, help_text="TMF attributes kept as sent")

    class Meta:
        verbose_name_plural = "categories"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Catalog(LifecycleMixin, models.Model):
    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    catalog_type = models.CharField(max_length=50, default="productCatalog")
    categories = models.ManyToManyField(Category, blank=True, related_name="catalogs")
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_to = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    tmf_extra = models.JSONField(default=dict, blank=True, help_text="TMF attributes kept as sent")

    def __str__(self):
        return self.name


class ProductSpecification(LifecycleMixin, models.Model):
    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    brand = models.CharField(max_length=100, blank=True)
    version = models.CharField(max_length=20, default="1.0")
    # Order decomposition: the service specifications that realize this product.
    service_specifications = models.ManyToManyField("service_activation.ServiceSpecification", blank=True,
                                                    related_name="product_specifications")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    tmf_extra = models.JSONField(default=dict, blank=True, help_text="TMF attributes kept as sent")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class SpecCharacteristic(models.Model):
    class ValueType(models.TextChoices):
        STRING = "string", "Text"
        INTEGER = "integer", "Whole number"
        DECIMAL = "decimal", "Decimal number"
        BOOLEAN = "boolean", "Yes / no"

    specification = models.ForeignKey(ProductSpecification, on_delete=models.CASCADE,
                                      related_name="characteristics")
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=255, blank=True)
    value_type = models.CharField(max_length=10, choices=ValueType.choices, default=ValueType.STRING)
    mandatory = models.BooleanField(default=False)
    allowed_values = models.JSONField(default=list, blank=True, help_text="empty: any value of the type")
    default_value = models.CharField(max_length=100, blank=True)
    min_value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    max_value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)

    class Meta:
        ordering = ["specification", "name"]
        constraints = [models.UniqueConstraint(fields=["specification", "name"], name="spec_char_name_uniq")]

    def __str__(self):
        return f"{self.specification.code}.{self.name}"


class ProductOffering(FSMModelMixin, models.Model):
    LifecycleStatus = LifecycleStatus

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    version = models.CharField(max_length=20, default="1.0")
    specification = models.ForeignKey(ProductSpecification, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="offerings")
    categories = models.ManyToManyField(Category, blank=True, related_name="offerings")
    lifecycle_status = lifecycle_field(default=LifecycleStatus.DRAFT)  # offerings start as drafts
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_to = models.DateTimeField(null=True, blank=True)
    is_bundle = models.BooleanField(default=False)
    bundled_offerings = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="in_bundles")
    is_sellable = models.BooleanField(default=True, help_text="false: only sold inside a bundle")
    sales_channels = models.JSONField(default=list, blank=True, help_text="empty: every channel")
    customer_segments = models.JSONField(default=list, blank=True, help_text="empty: every segment")
    delivered_by_partner = models.BooleanField(default=False)
    partner_name = models.CharField(max_length=100, blank=True)
    technology = models.CharField(max_length=30, blank=True, help_text="e.g. fiber, mobile, iptv (serviceability)")
    bandwidth_mbps = models.PositiveIntegerField(null=True, blank=True)
    requires_install_address = models.BooleanField(default=False)
    requires_special_design = models.BooleanField(default=False, help_text="orders go to special handling")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    tmf_extra = models.JSONField(default=dict, blank=True, help_text="TMF attributes kept as sent")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def is_orderable(self, at=None) -> bool:
        at = at or timezone.now()
        return (self.lifecycle_status == LifecycleStatus.ACTIVE
                and (self.valid_from is None or self.valid_from <= at)
                and (self.valid_to is None or at < self.valid_to))

    @transition(field=lifecycle_status, source=LifecycleStatus.DRAFT, target=LifecycleStatus.ACTIVE)
    def launch(self):
        pass

    @transition(field=lifecycle_status, source=LifecycleStatus.ACTIVE, target=LifecycleStatus.RETIRED)
    def retire(self):
        pass


class ProductOfferingPrice(LifecycleMixin, models.Model):
    class PriceType(models.TextChoices):
        RECURRING = "recurring", "Recurring"
        ONE_TIME = "one_time", "One-time"
        USAGE = "usage", "Usage"

    class TaxCategory(models.TextChoices):
        STANDARD = "standard", "Standard rate"
        REDUCED = "reduced", "Reduced rate"
        ZERO = "zero", "Zero rate"
        EXEMPT = "exempt", "Exempt"

    # NULL: the price was created (TMF620) naming an offering we do not hold; that reference is
    # kept as sent in tmf_extra["productOffering"]. Forms still require an offering (blank=False).
    offering = models.ForeignKey(ProductOffering, null=True, on_delete=models.CASCADE, related_name="prices")
    name = models.CharField(max_length=200)
    price_type = models.CharField(max_length=10, choices=PriceType.choices)
    # Rated/unit prices keep sub-cent precision; invoices round once.
    amount = models.DecimalField(max_digits=14, decimal_places=4)
    currency = currency_field()
    recurring_period = models.CharField(max_length=10, blank=True, default="month")
    unit_of_measure = models.CharField(max_length=20, blank=True, help_text="usage prices: GB, minute, SMS…")
    tax_category = models.CharField(max_length=10, choices=TaxCategory.choices, default=TaxCategory.STANDARD)
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_to = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    tmf_extra = models.JSONField(default=dict, blank=True, help_text="TMF attributes kept as sent")
    # The amount as a Money (bss.money): what services validate, round and compare, and what the
    # TMF representation renders. Setting it sets both columns.
    money = MoneyPair("amount", "currency")

    class Meta:
        ordering = ["offering", "price_type", "name"]

    def __str__(self):
        return f"{self.name}: {self.amount} {self.currency}"


class PriceAlteration(models.Model):
    """An alteration of a price, e.g. an introductory discount for the first N periods."""

    price = models.ForeignKey(ProductOfferingPrice, on_delete=models.CASCADE, related_name="alterations")
    name = models.CharField(max_length=200)
    percentage = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True,
                                 help_text="fixed reduction per period")
    duration_periods = models.PositiveSmallIntegerField(null=True, blank=True, help_text="empty: for ever")

    def __str__(self):
        return self.name

    @property
    def money(self) -> Money | None:
        """A fixed reduction as a Money in its price's currency (None for a percentage)."""
        return Money(self.amount, self.price.currency) if self.amount is not None else None
