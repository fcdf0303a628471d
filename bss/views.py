from django.contrib.auth import views as auth_views
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect

from bss.auth import LoginForm
from bss.roles import is_staff_user


def home(request):
    if not request.user.is_authenticated:
        return redirect("login")
    return redirect("csr:dashboard" if is_staff_user(request.user) else "my:profile")


def healthz(request):
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True
    authentication_form = LoginForm
