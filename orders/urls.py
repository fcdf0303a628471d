"""Portal URLs of order handling: staff /csr/orders/ ("orders"), /csr/feasibility/ ("feasibility"),
self-service /my/offers/ ("my_orders")."""

from django.urls import include, path

from .views import csr, my, my_orders, order_modify, ordering

csr_patterns = [
    path("credit/", csr.credit_queue, name="credit_queue"),
    path("credit/new/", csr.credit_check_new, name="credit_check_new"),
    path("credit/<int:pk>/", csr.credit_check_detail, name="credit_check_detail"),
    path("credit/<int:pk>/review/", csr.credit_review, name="credit_review"),
    # customer orders (orders/views/ordering.py)
    path("", ordering.order_list, name="order_list"),
    path("new/", ordering.order_new, name="order_new"),
    path("new/options/", ordering.order_new_options, name="order_new_options"),
    path("change/", ordering.order_change_new, name="order_change_new"),
    path("investigation/", ordering.investigation_queue, name="investigation_queue"),
    path("reports/", ordering.order_reports, name="order_reports"),
    path("tasks/", ordering.task_worklist, name="task_worklist"),
    path("tasks/mine/", ordering.my_tasks, name="my_tasks"),
    path("tasks/<int:pk>/complete/", ordering.task_complete, name="task_complete"),
    path("tasks/<int:pk>/take/", ordering.task_take, name="task_take"),
    path("<int:pk>/", ordering.order_detail, name="order"),
    path("<int:pk>/cancel/", ordering.order_cancel, name="order_cancel"),
    path("<int:pk>/modify/", order_modify.order_modify, name="order_modify"),
    path("<int:pk>/items/<str:item_id>/cancel/", ordering.order_item_cancel, name="order_item_cancel"),
    path("<int:pk>/hold/", ordering.order_hold, name="order_hold"),
    path("<int:pk>/release/", ordering.order_release, name="order_release"),
    path("<int:pk>/assign/", ordering.order_assign, name="order_assign"),
    path("<int:pk>/notes/", ordering.order_note, name="order_note"),
    path("<int:pk>/investigate/", ordering.order_investigate, name="order_investigate"),
]

feasibility_patterns = [
    path("qualify/", csr.qualify, name="qualify"),
    path("qualify/addresses/", csr.qualify_addresses, name="qualify_addresses"),
    path("qualify/characteristics/", csr.qualify_characteristics, name="qualify_characteristics"),
    path("qualifications/<int:pk>/", csr.qualification_detail, name="qualification"),
    path("rules/test/", csr.rule_test, name="rule_test"),
]

my_patterns = [path("", my.my_offers, name="offers")]

# Self-service customer orders (orders/views/my_orders.py): /my/orders/, in the same "my_orders" namespace as the
# offers (bss/urls.py mounts self_service_patterns under /my/).
my_order_patterns = [
    path("", my_orders.my_order_list, name="orders"),
    path("new/", my_orders.my_order_new, name="order_new"),
    path("new/options/", my_orders.my_order_new_options, name="order_new_options"),
    path("<int:pk>/", my_orders.my_order_detail, name="order"),
    path("<int:pk>/cancel/", my_orders.my_order_cancel, name="order_cancel"),
]

self_service_patterns = [
    path("offers/", include(my_patterns)),
    path("orders/", include(my_order_patterns)),
]
