from rest_framework.permissions import DjangoModelPermissions


class RolePermission(DjangoModelPermissions):
    """Authenticated, and the user's role (group) grants the model permission for the method.

    Reads need view_*; row-level scoping (a customer sees only their own data) is done by the
    querysets through customers.scoping, never here. A custom action that is not a plain
    add/change of the view's model declares what it needs on the view:

        action_permissions = {"notes": ["customers.add_customernote"]}
    """

    def has_permission(self, request, view):
        needed = getattr(view, "action_permissions", {}).get(getattr(view, "action", None))
        if needed is None:
            return super().has_permission(request, view)
        return bool(request.user and request.user.is_authenticated and request.user.has_perms(needed))

    perms_map = {
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": [],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "POST": ["%(app_label)s.add_%(model_name)s"],
        "PUT": ["%(app_label)s.change_%(model_name)s"],
        "PATCH": ["%(app_label)s.change_%(model_name)s"],
        "DELETE": ["%(app_label)s.delete_%(model_name)s"],
    }
