"""What the browser tests share: signing in, a user per role, the CSP violation recorder."""

from tests.factories import UserFactory

PASSWORD = "pass-word-123"  # tests.factories.UserFactory's

# page.add_init_script(CSP_RECORDER); later page.evaluate("window.__csp") lists every violation
CSP_RECORDER = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", e => window.__csp.push(e.violatedDirective + " " + e.blockedURI));
"""


def role_user(role, **kw):
    """A user with ``role`` (the role groups are synced first: browser tests run with transactional_db)."""
    from django.contrib.auth.models import Group

    from bss.roles import sync_roles

    if not Group.objects.filter(name=role).exists():
        sync_roles()
    return UserFactory(roles=[role], **kw)


def sign_in(page, base_url: str, user, password: str = PASSWORD) -> None:
    """Fill and submit the login form (waiting for where it leads is the caller's)."""
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
