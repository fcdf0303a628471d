from django.urls import path

from . import views_selfservice as v

urlpatterns = [
    path("", v.profile, name="profile"),
    path("contacts/new/", v.contact_new, name="contact_new"),
    path("contacts/<int:pk>/edit/", v.contact_edit, name="contact_edit"),
]
