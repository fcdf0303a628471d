from django.urls import path

from . import views_feasibility as v

urlpatterns = [
    path("qualify/", v.qualify, name="qualify"),
    path("rules/test/", v.rule_test, name="rule_test"),
]
