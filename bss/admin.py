from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from bss.admin_mixins import AuditedAdmin, ReadOnlyAdmin
from bss.auth import AdminLoginForm

from .events.models import DeliveryAttempt, Event, EventDelivery, HubSubscription
from .models import HistoryEntry, NumberSequence, User

admin.site.login_form = AdminLoginForm  # over-long usernames are a form error, not a lockout crash


@admin.register(User)
class BssUserAdmin(UserAdmin):
    fieldsets = UserAdmin.fieldsets + (("Approvals", {"fields": ("approval_limit", "approval_currency",
                                                                 "preferred_language")}),)
    list_display = ("username", "email", "first_name", "last_name", "is_staff", "approval_limit", "roles")
    list_filter = UserAdmin.list_filter + ("groups",)

    @admin.display(description="Roles")
    def roles(self, obj):
        return ", ".join(obj.role_names)


@admin.register(HistoryEntry)
class HistoryEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "action", "object_repr", "actor_label", "channel", "from_state", "to_state")
    list_filter = ("channel", "content_type")
    search_fields = ("action", "object_repr", "actor_label", "object_id", "reason")
    date_hierarchy = "created_at"


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ("number", "started_at", "duration_ms", "success", "status_code", "error")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "event_type", "api", "resource_type", "resource_id", "fanned_out_at")
    list_filter = ("api", "event_type")
    search_fields = ("event_id", "resource_id")


@admin.register(EventDelivery)
class EventDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("id", "event", "target", "status", "attempts", "next_attempt_at", "delivered_at")
    list_filter = ("status",)
    search_fields = ("subscriber", "subscription__callback", "event__event_type")
    inlines = [DeliveryAttemptInline]
    actions = ["retry"]

    @admin.action(description="Retry failed deliveries")
    def retry(self, request, queryset):
        from .events.services import event_delivery_retry

        for d in queryset:
            event_delivery_retry(delivery_id=d.pk)
        self.message_user(request, "Queued again.")


@admin.register(HubSubscription)
class HubSubscriptionAdmin(AuditedAdmin):
    list_display = ("api", "callback", "query", "active", "created_at", "created_by")
    list_filter = ("api", "active")
    search_fields = ("callback", "query")
    readonly_fields = ("created_by",)


@admin.register(NumberSequence)
class NumberSequenceAdmin(ReadOnlyAdmin):
    list_display = ("series", "prefix", "width", "last_value")
