from django.urls import path

from . import views_csr as v

urlpatterns = [
    path("", v.dashboard, name="dashboard"),
    path("customers/new/", v.customer_new, name="customer_new"),
    path("customers/<int:pk>/", v.customer_detail, name="customer"),
    path("customers/<int:pk>/status/", v.customer_status, name="customer_status"),
    path("customers/<int:pk>/notes/", v.customer_note, name="customer_note"),
    path("customers/<int:pk>/contacts/new/", v.contact_new, name="contact_new"),
    path("customers/<int:pk>/accounts/new/", v.billing_account_new, name="account_new"),
    path("customers/<int:pk>/addresses/new/", v.address_new, name="address_new"),
    path("contacts/<int:pk>/edit/", v.contact_edit, name="contact_edit"),
]
