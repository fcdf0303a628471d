"""Portal URLs of order handling: staff /csr/orders/ ("orders"), /csr/feasibility/ ("feasibility"),
self-service /my/offers/ ("my_orders")."""

from django.urls import path

from .views import csr, my

csr_patterns = [
    path("credit/", csr.credit_queue, name="credit_queue"),
    path("credit/new/", csr.credit_check_new, name="credit_check_new"),
    path("credit/<int:pk>/", csr.credit_check_detail, name="credit_check_detail"),
    path("credit/<int:pk>/review/", csr.credit_review, name="credit_review"),
]

feasibility_patterns = [
    path("qualify/", csr.qualify, name="qualify"),
    path("qualify/addresses/", csr.qualify_addresses, name="qualify_addresses"),
    path("qualify/characteristics/", csr.qualify_characteristics, name="qualify_characteristics"),
    path("qualifications/<int:pk>/", csr.qualification_detail, name="qualification"),
    path("rules/test/", csr.rule_test, name="rule_test"),
]

my_patterns = [path("", my.my_offers, name="offers")]
