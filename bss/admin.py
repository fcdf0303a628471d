from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from bss.actors import Actor, Channel
from bss.admin_mixins import ReadOnlyAdmin, ServiceSavedAdmin
from bss.auth import AdminLoginForm

from .events.models import DeliveryAttempt, Event, EventDelivery, HubSubscription
from .models import HistoryEntry, NumberSequence, User

admin.site.login_form = AdminLoginForm  # over-long usernames are a form error, not a lockout crash


@admin.register(User)
class BssUserAdmin(UserAdmin):
    saves_through = "bss.users.user_save"  # Django's user forms (password hashing), our service and history
    fieldsets = UserAdmin.fieldsets + (("Approvals", {"fields": ("approval_limit", "approval_currency",
                                                                 "preferred_language")}),)
    list_display = ("username", "email", "first_name", "last_name", "is_staff", "approval_limit", "roles")
    list_filter = UserAdmin.list_filter + ("groups",)

    @admin.display(description="Roles")
    def roles(self, obj):
        return ", ".join(obj.role_names)

    def save_model(self, request, obj, form, change):
        from .users import user_save

        user_save(user=obj, actor=Actor.from_request(request, Channel.ADMIN))

    def save_related(self, request, form, formsets, change):
        from .users import user_roles_set

        groups = form.cleaned_data.get("groups") if "groups" in form.cleaned_data else None
        permissions = form.cleaned_data.get("user_permissions")
        if permissions is not None:
            form.instance.user_permissions.set(permissions)
        if groups is not None:
            user_roles_set(user=form.instance, group_ids=[g.pk for g in groups],
                           actor=Actor.from_request(request, Channel.ADMIN))
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


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
class HubSubscriptionAdmin(ServiceSavedAdmin):
    """Listeners saved through the hub services: the callback policy (public https outside
    development) and the query checks hold here as on /hub; the secret is never shown in a form."""

    list_display = ("api", "callback", "query", "active", "created_at", "created_by")
    list_filter = ("api", "active")
    search_fields = ("callback", "query")
    fields = ("api", "callback", "query", "active", "created_by")
    readonly_fields = ("created_by",)
    service_fields = ("api", "callback", "query", "active")

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "api") if obj else self.readonly_fields

    def create(self, request, data):
        from .events.services import hub_subscribe, hub_subscription_update

        sub = hub_subscribe(api=data["api"], callback=data["callback"], query=data.get("query") or "",
                            actor=self.actor(request))
        if data.get("active") is False:
            hub_subscription_update(subscription=sub, actor=self.actor(request), active=False)
        return sub

    def update(self, request, obj, data):
        from .events.services import hub_subscription_update

        return hub_subscription_update(subscription=obj, actor=self.actor(request), **data)


@admin.register(NumberSequence)
class NumberSequenceAdmin(ReadOnlyAdmin):
    list_display = ("series", "prefix", "width", "last_value")


# --- third-party admins, held to the same rule (save through a service or read-only) --------------
from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin  # noqa: E402
from axes.models import AccessAttempt, AccessFailureLog, AccessLog  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from rest_framework.authtoken.admin import TokenAdmin  # noqa: E402
from rest_framework.authtoken.models import TokenProxy  # noqa: E402


def _read_only(base):
    """django-axes' lockout records: readable, and deletable (that is how a lockout is lifted)."""

    class ReadOnly(base):
        def has_add_permission(self, request, obj=None):
            return False

        def has_change_permission(self, request, obj=None):
            return False

    ReadOnly.__name__ = base.__name__
    return ReadOnly


for _model, _admin in ((AccessAttempt, AccessAttemptAdmin), (AccessFailureLog, AccessFailureLogAdmin),
                       (AccessLog, AccessLogAdmin)):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, _read_only(_admin))

if admin.site.is_registered(Group):
    admin.site.unregister(Group)


@admin.register(Group)
class RoleAdmin(ReadOnlyAdmin):
    """Roles are defined in code (each app's AppConfig.role_permissions, synced after migrate):
    shown here, changed by a release, never by hand."""

    list_display = ("name",)
    filter_horizontal = ("permissions",)


if admin.site.is_registered(TokenProxy):
    admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class ApiTokenAdmin(ServiceSavedAdmin, TokenAdmin):
    """Integrators' API tokens, issued through bss.users.api_token_issue (the key is shown once
    here and never recorded in the history)."""

    list_display = TokenAdmin.list_display
    fields = ("user",)
    ordering = ("-created",)
    raw_id_fields = ("user",)
    service_fields = ("user",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return True  # revoking a token

    def create(self, request, data):
        from .users import api_token_issue

        return api_token_issue(user=data["user"], actor=self.actor(request))
