"""The product's URLs plus the bench-only twins (see bench/settings.py)."""

from django.urls import path

from bss.urls import urlpatterns as product_urlpatterns

from .twins import TwinCustomerDetail, TwinCustomerList, TwinOrderList

urlpatterns = [
    path("bench/twin/customer", TwinCustomerList.as_view(), name="twin-customer-list"),
    path("bench/twin/customer/<int:pk>", TwinCustomerDetail.as_view(), name="twin-customer-detail"),
    path("bench/twin/order", TwinOrderList.as_view(), name="twin-order-list"),
    *product_urlpatterns,
]
