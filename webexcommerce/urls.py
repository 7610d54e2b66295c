"""URL map: the console under /s/<site>/, the ops admin under /ops/, public pages under /pay/,
the REST API under /api/v1/, PayPal's webhook notifications at /paypal/webhooks/."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from payments.views.webhooks import PayPalWebhookView
from sites import views as site_views

# A lost database connection answers 503 "database unavailable"; any other error, 500.
handler500 = "sites.error_pages.server_error"

urlpatterns = [
    path("ops/", admin.site.urls),
    path("", include("monitoring.urls")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("pay/", include("payments.pay_urls")),
    path("paypal/webhooks/", PayPalWebhookView.as_view(), name="paypal-webhooks"),
    path("", site_views.SitePickerView.as_view(), name="site-picker"),
    path("s/<slug:site_slug>/", include("sites.urls")),
    path("s/<slug:site_slug>/", include("payments.urls")),
    path("s/<slug:site_slug>/", include("promocodes.urls")),
    path("s/<slug:site_slug>/", include("api.console_urls")),
    path("api/v1/", include("api.urls")),
]
