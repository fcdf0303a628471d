from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from bss import views as bss_views
from bss.api.auth import obtain_token
from customers import urls as customers_urls
from customers.tmf.urls import tmf629, tmf632, tmf637
from orders import urls as orders_urls
from orders.tmf.urls import tmf620, tmf622, tmf679
from service_activation import urls as service_activation_urls
from service_activation.tmf.urls import tmf638, tmf641, tmf641v3

api_v1 = [
    # Integrators exchange username + password for their token; failures count towards the lockout.
    path("auth/token/", obtain_token, name="auth-token"),
    path("", include("customers.api.urls")),
    path("", include("bss.api.urls")),
    path("", include("orders.api.urls")),
    path("", include("service_activation.api.urls")),
]

urlpatterns = [
    path("", bss_views.home, name="home"),
    path("healthz", bss_views.healthz, name="healthz"),
    path("accounts/login/", bss_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Every portal user (staff and self-service) changes their own password; the old one is asked for.
    path("accounts/password/", bss_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", bss_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("admin/", admin.site.urls),
    path("csr/", include((customers_urls.csr_patterns, "csr"))),
    path("csr/orders/", include((orders_urls.csr_patterns, "orders"))),
    path("csr/feasibility/", include((orders_urls.feasibility_patterns, "feasibility"))),
    path("csr/provisioning/", include((service_activation_urls.csr_patterns, "provisioning"))),
    path("my/", include((orders_urls.self_service_patterns, "my_orders"))),  # /my/offers/, /my/orders/
    path("my/", include((customers_urls.my_patterns, "my"))),
    path("api/v1/", include((api_v1, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its init script from the same URL (?script): no inline script (CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("tmf-api/customerManagement/v4/", include((tmf629.urls, "tmf629"))),
    path("tmf-api/party/v4/", include((tmf632.urls, "tmf632"))),
    path("tmf-api/productInventory/v4/", include((tmf637.urls, "tmf637"))),
    path("tmf-api/productCatalogManagement/v4/", include((tmf620.urls, "tmf620"))),
    path("tmf-api/productOfferingQualification/v4/", include((tmf679.urls, "tmf679"))),
    path("tmf-api/productOrderingManagement/v4/", include((tmf622.urls, "tmf622"))),
    path("tmf-api/serviceOrdering/v4/", include((tmf641.urls, "tmf641"))),
    path("tmf-api/serviceOrdering/v3/", include((tmf641v3.urls, "tmf641v3"))),
    path("tmf-api/serviceInventory/v4/", include((tmf638.urls, "tmf638"))),
]

# Styled pages in the portal layout; JSON under /api/, the TMF Error body under /tmf-api/ (bss.views).
handler403 = "bss.views.permission_denied"
handler404 = "bss.views.page_not_found"
handler500 = "bss.views.server_error"
