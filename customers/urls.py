"""Portal URLs of the customer inventory: staff (/csr/, namespace "csr") and self-service (/my/, "my")."""

from django.urls import path

from .views import csr, customer_list, customer_page, lifecycle, my

csr_patterns = [
    path("", csr.dashboard, name="dashboard"),
    path("customers/", customer_list.customer_list, name="customer_list"),
    path("customers/new/", csr.customer_new, name="customer_new"),
    path("customers/<int:pk>/", customer_page.customer_detail, name="customer"),
    path("customers/<int:pk>/status/", lifecycle.customer_status, name="customer_status"),
    path("customers/<int:pk>/notes/", customer_page.customer_note, name="customer_note"),
    path("customers/<int:pk>/contacts/new/", csr.contact_new, name="contact_new"),
    path("customers/<int:pk>/accounts/new/", csr.billing_account_new, name="account_new"),
    path("customers/<int:pk>/addresses/new/", csr.address_new, name="address_new"),
    path("contacts/<int:pk>/edit/", csr.contact_edit, name="contact_edit"),
]

my_patterns = [
    path("", my.profile, name="profile"),
    path("contacts/new/", my.contact_new, name="contact_new"),
    path("contacts/<int:pk>/edit/", my.contact_edit, name="contact_edit"),
]
