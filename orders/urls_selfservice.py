from django.urls import path

from . import views_feasibility as v

urlpatterns = [path("", v.my_offers, name="offers")]
