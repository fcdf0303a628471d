"""Admin screens to build and maintain the product catalog.

Every save goes through orders.services.catalog (the same rules, history and events as the
TMF620 API); the services' rules show as form errors. Offerings change lifecycle through the
launch / retire actions; retired offerings (and their prices) stay visible, read-only.
Nothing is deleted here: retire instead.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin

from bss.admin_mixins import FsmSafeFormMixin, ServiceSavedAdmin
from bss.errors import DomainValidationError
from bss.portal import add_service_errors
from customers.selectors import customer_segments
from orders.models import (
    Catalog,
    Category,
    PriceAlteration,
    ProductOffering,
    ProductOfferingPrice,
    ProductSpecification,
    SpecCharacteristic,
)
from orders.models.catalog import LifecycleStatus, SalesChannel
from orders.services import catalog as services

__all__ = ["CatalogAdmin", "CategoryAdmin", "ProductOfferingAdmin", "ProductOfferingPriceAdmin",
           "ProductSpecificationAdmin"]


def _keeping_references(obj, data: dict, *relations: str) -> dict:
    """The form's rows for each relation it changed, plus the references the catalog keeps for it
    (TMF620 references to things we do not hold; the form cannot show them, so they stay)."""
    return {**data, **{r: [*data[r], *services.kept_references(obj, r)] for r in relations if r in data}}


def _service_clean(form, fn):
    """Run a service validator in a form's clean(); its field errors land on the form."""
    if form.errors:
        return
    try:
        fn()
    except DomainValidationError as e:
        add_service_errors(form, e)


# --- specifications -------------------------------------------------------------------------

class CharacteristicForm(forms.ModelForm):
    class Meta:
        model = SpecCharacteristic
        fields = services.CHAR_FIELDS

    def clean(self):
        data = super().clean()
        _service_clean(self, lambda: services.validate_characteristic(
            {f: data.get(f) for f in services.CHAR_FIELDS}))
        return data


class CharacteristicInline(admin.TabularInline):
    model = SpecCharacteristic
    form = CharacteristicForm
    extra = 1
    fields = services.CHAR_FIELDS


@admin.register(ProductSpecification)
class ProductSpecificationAdmin(ServiceSavedAdmin):
    list_display = ("code", "name", "lifecycle_status", "brand", "version", "realized_by", "updated_at")
    list_filter = ("lifecycle_status", "brand", "service_specifications")
    search_fields = ("code", "name", "description", "brand", "characteristics__name",
                     "service_specifications__code", "service_specifications__name")
    filter_horizontal = ("service_specifications",)
    readonly_fields = ("created_at", "updated_at")
    inlines = [CharacteristicInline]
    service_fields = ("name", "description", "brand", "version", "lifecycle_status", "service_specifications")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("service_specifications")

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "code") if obj else self.readonly_fields

    @admin.display(description="Realized by (service specifications)")
    def realized_by(self, obj):
        return ", ".join(s.code for s in obj.service_specifications.all()) or "-"

    def service_check(self, request, obj, data, change):
        services.validate_specification(
            specification=obj if change else None,
            data={f: data[f] for f in ("name", "lifecycle_status") if f in data},
            service_specifications=data.get("service_specifications"))

    def create(self, request, data):
        return services.specification_create(actor=self.actor(request), code=data.pop("code", None) or None,
                                             **data)

    def form_data(self, form, change):
        data = super().form_data(form, change)
        if not change:
            data["code"] = form.cleaned_data.get("code")
        return data

    def update(self, request, obj, data):
        return services.specification_update(specification=obj, actor=self.actor(request),
                                             **_keeping_references(obj, data, "service_specifications"))

    def save_formset(self, request, form, formset, change):
        if formset.model is SpecCharacteristic and formset.has_changed():
            chars = [{f: f_form.cleaned_data.get(f) for f in services.CHAR_FIELDS} for f_form in formset.forms
                     if f_form.cleaned_data and not formset._should_delete_form(f_form)]
            services.specification_update(specification=form.instance, actor=self.actor(request),
                                          characteristics=chars)
        self._no_change_message(formset)


# --- offerings and prices -------------------------------------------------------------------

class OfferingForm(forms.ModelForm):
    sales_channels = forms.MultipleChoiceField(
        choices=SalesChannel.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: sold on every channel.")
    customer_segments = forms.MultipleChoiceField(
        choices=customer_segments(), required=False, widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: sold to every segment.")

    class Meta:
        model = ProductOffering
        fields = ("code", *services.OFFERING_FIELDS, *services.OFFERING_M2M)


PRICE_FORM_FIELDS = ("name", "price_type", "amount", "currency", "recurring_period", "unit_of_measure",
                     "tax_category", "lifecycle_status", "valid_from", "valid_to")


class PriceForm(FsmSafeFormMixin, forms.ModelForm):
    class Meta:
        model = ProductOfferingPrice
        fields = ("offering", *PRICE_FORM_FIELDS)

    def clean(self):
        data = super().clean()
        _service_clean(self, lambda: services.validate_price({f: data.get(f) for f in PRICE_FORM_FIELDS}))
        offering = data.get("offering") or getattr(self.instance, "offering", None)
        if not self.errors and offering is not None and offering.lifecycle_status == LifecycleStatus.RETIRED \
                and self.instance.pk is None:
            self.add_error(None, f"Offering '{offering.code}' is retired; it takes no new prices.")
        return data


class PriceInline(admin.TabularInline):
    model = ProductOfferingPrice
    form = PriceForm
    fields = PRICE_FORM_FIELDS
    extra = 0
    can_delete = False
    show_change_link = True  # alterations are kept on the price's own page

    def _editable(self, obj) -> bool:
        return obj is None or obj.lifecycle_status != LifecycleStatus.RETIRED

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)


def _price_fields(f_form) -> dict:
    return {f: f_form.cleaned_data.get(f) for f in PRICE_FORM_FIELDS}


@admin.register(ProductOffering)
class ProductOfferingAdmin(ServiceSavedAdmin):
    form = OfferingForm
    list_display = ("code", "name", "lifecycle_status", "is_bundle", "is_sellable", "technology",
                    "delivered_by_partner", "requires_special_design", "valid_from", "valid_to")
    list_filter = ("lifecycle_status", "is_bundle", "is_sellable", "delivered_by_partner", "requires_special_design",
                   "requires_install_address", "technology", "categories")
    search_fields = ("code", "name", "description", "partner_name", "technology", "specification__code",
                     "specification__name")
    filter_horizontal = ("categories", "bundled_offerings")
    readonly_fields = ("lifecycle_status", "created_at", "updated_at")
    autocomplete_fields = ("specification",)
    inlines = [PriceInline]
    actions = ["launch", "retire"]
    service_fields = (*services.OFFERING_FIELDS, *services.OFFERING_M2M)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("specification")

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "code") if obj else self.readonly_fields

    def has_change_permission(self, request, obj=None):
        # Retired offerings stay visible (view-only): they are read-only everywhere.
        if obj is not None and obj.lifecycle_status == LifecycleStatus.RETIRED:
            return False
        return super().has_change_permission(request, obj)

    def service_check(self, request, obj, data, change):
        fields = {f: data[f] for f in services.OFFERING_FIELDS if f in data}
        kept_members = len(services.kept_references(obj, "bundled_offerings")) if change else 0
        services.validate_offering(offering=obj if change else None, data=fields,
                                   categories=data.get("categories"), bundled_offerings=data.get("bundled_offerings"),
                                   external_members=kept_members if "bundled_offerings" in data else None)

    def create(self, request, data):
        return services.offering_create(actor=self.actor(request), **data)

    def form_data(self, form, change):
        data = super().form_data(form, change)
        if not change:
            data["code"] = form.cleaned_data.get("code")
        return data

    def update(self, request, obj, data):
        return services.offering_update(offering=obj, actor=self.actor(request),
                                        **_keeping_references(obj, data, *services.OFFERING_M2M))

    def save_formset(self, request, form, formset, change):
        self._no_change_message(formset)
        if formset.model is not ProductOfferingPrice:
            return super().save_formset(request, form, formset, change)
        actor = self.actor(request)
        offering = ProductOffering.objects.get(pk=form.instance.pk)
        for f_form in formset.forms:
            if not f_form.has_changed() or not f_form.cleaned_data:
                continue
            if f_form.instance.pk is None:
                price = services.price_create(actor=actor, offering=offering, **_price_fields(f_form))
                formset.new_objects.append(price)
            else:
                changed = {f: f_form.cleaned_data.get(f) for f in f_form.changed_data if f in PRICE_FORM_FIELDS}
                price = services.price_update(price=f_form.instance, actor=actor, **changed)
                formset.changed_objects.append((price, list(changed)))

    @admin.action(description="Launch selected offerings (draft → active)", permissions=["change"])
    def launch(self, request, queryset):
        return self.confirm_with_reason(request, queryset, "launch", lambda o, reason: services.offering_launch(
            offering_id=o.pk, actor=self.actor(request), reason=reason))

    @admin.action(description="Retire selected offerings (active → retired)", permissions=["change"])
    def retire(self, request, queryset):
        return self.confirm_with_reason(request, queryset, "retire", lambda o, reason: services.offering_retire(
            offering_id=o.pk, actor=self.actor(request), reason=reason),
            consequences=lambda qs: ["Retired offerings can no longer be ordered; existing products keep them."])


class AlterationForm(forms.ModelForm):
    class Meta:
        model = PriceAlteration
        fields = services.ALTERATION_FIELDS

    def clean(self):
        data = super().clean()
        _service_clean(self, lambda: services.validate_alteration(
            {f: data.get(f) for f in services.ALTERATION_FIELDS}))
        return data


class AlterationFormSet(forms.BaseInlineFormSet):
    def clean(self):
        # The price's type as this submission changes it (the parent form is cleaned first).
        super().clean()
        for form in self.forms:
            if form.cleaned_data and not self._should_delete_form(form):
                _service_clean(form, lambda form=form: services.validate_alteration(
                    {f: form.cleaned_data.get(f) for f in services.ALTERATION_FIELDS},
                    price_type=self.instance.price_type))


class AlterationInline(admin.TabularInline):
    model = PriceAlteration
    form = AlterationForm
    formset = AlterationFormSet
    fields = services.ALTERATION_FIELDS
    extra = 0

    def _editable(self, obj) -> bool:
        # obj: the price (its offering may be one we do not hold: no offering row)
        return obj is None or obj.offering is None or obj.offering.lifecycle_status != LifecycleStatus.RETIRED

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj)  # removing an alteration replaces the list (history keeps it)


@admin.register(ProductOfferingPrice)
class ProductOfferingPriceAdmin(ServiceSavedAdmin):
    form = PriceForm
    history_root_field = "offering"
    list_display = ("name", "offering", "price_type", "amount", "currency", "recurring_period", "unit_of_measure",
                    "tax_category", "lifecycle_status")
    list_filter = ("price_type", "lifecycle_status", "currency", "tax_category", "offering__lifecycle_status")
    search_fields = ("name", "offering__code", "offering__name", "unit_of_measure")
    autocomplete_fields = ("offering",)
    readonly_fields = ("created_at", "updated_at")
    inlines = [AlterationInline]
    service_fields = PRICE_FORM_FIELDS

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("offering")

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "offering") if obj else self.readonly_fields

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.offering is not None and obj.offering.lifecycle_status == LifecycleStatus.RETIRED:
            return False
        return super().has_change_permission(request, obj)

    def create(self, request, data):
        return services.price_create(actor=self.actor(request), **data)

    def form_data(self, form, change):
        data = super().form_data(form, change)
        if not change:
            data = {f: form.cleaned_data.get(f) for f in PRICE_FORM_FIELDS}
            data["offering"] = form.cleaned_data["offering"]
        return data

    def update(self, request, obj, data):
        # The price and its alterations change together, in one service call (save_related).
        request._catalog_price_changes = data

    def save_related(self, request, form, formsets, change):
        data = dict(getattr(request, "_catalog_price_changes", {}))
        for formset in formsets:
            if formset.model is PriceAlteration and formset.has_changed():
                data["alterations"] = [
                    {f: f_form.cleaned_data.get(f) for f in services.ALTERATION_FIELDS} for f_form in formset.forms
                    if f_form.cleaned_data and not formset._should_delete_form(f_form)]
            self._no_change_message(formset)
        if data:
            services.price_update(price=ProductOfferingPrice.objects.get(pk=form.instance.pk),
                                  actor=self.actor(request), **data)


# --- categories and catalogs ----------------------------------------------------------------

@admin.register(Category)
class CategoryAdmin(ServiceSavedAdmin):
    list_display = ("name", "parent", "is_root", "lifecycle_status", "offering_count", "updated_at")
    list_filter = ("lifecycle_status", "is_root", "parent")
    search_fields = ("name", "description", "offerings__code")
    readonly_fields = ("is_root", "created_at", "updated_at")  # a category without a parent is a root
    service_fields = ("name", "description", "parent", "lifecycle_status")

    @admin.display(description="Offerings")
    def offering_count(self, obj):
        return obj.offerings.count()

    def service_check(self, request, obj, data, change):
        services.validate_category(obj if change else None,
                                   {f: data[f] for f in services.CATEGORY_FIELDS if f in data})

    def create(self, request, data):
        return services.category_create(actor=self.actor(request), **data)

    def update(self, request, obj, data):
        return services.category_update(category=obj, actor=self.actor(request), **data)


@admin.register(Catalog)
class CatalogAdmin(ServiceSavedAdmin):
    list_display = ("name", "catalog_type", "lifecycle_status", "valid_from", "valid_to", "updated_at")
    list_filter = ("lifecycle_status", "catalog_type")
    search_fields = ("name", "description", "categories__name")
    filter_horizontal = ("categories",)
    readonly_fields = ("created_at", "updated_at")
    service_fields = (*services.CATALOG_FIELDS, "categories")

    def service_check(self, request, obj, data, change):
        services.validate_catalog(obj if change else None,
                                  {f: data[f] for f in services.CATALOG_FIELDS if f in data})

    def create(self, request, data):
        return services.catalog_create(actor=self.actor(request), **data)

    def update(self, request, obj, data):
        return services.catalog_update(catalog=obj, actor=self.actor(request),
                                       **_keeping_references(obj, data, "categories"))
