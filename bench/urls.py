"""The product's URLs plus the bench-only twins (see bench/settings.py)."""

from django.urls import path

from bss.urls import urlpatterns as product_urlpatterns

from .twins import TwinCustomerDetail, TwinCustomerList

urlpatterns = [
    path("bench/twin/customer", TwinCustomerList.as_view(), name="twin-customer-list"),
    path("bench/twin/customer/<int:pk>", TwinCustomerDetail.as_view(), name="twin-customer-detail"),
    *product_urlpatterns,
]
