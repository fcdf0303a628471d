"""Order handling screens in the staff portal (/csr/orders/), namespace "orders"."""

from django.urls import path

from . import views_credit as credit

urlpatterns = [
    path("credit/", credit.credit_queue, name="credit_queue"),
    path("credit/new/", credit.credit_check_new, name="credit_check_new"),
    path("credit/<int:pk>/", credit.credit_check_detail, name="credit_check_detail"),
    path("credit/<int:pk>/review/", credit.credit_review, name="credit_review"),
]
