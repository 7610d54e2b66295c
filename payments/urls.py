"""Console URLs of the payments app, mounted under ``/s/<site_slug>/`` (signed-in site members).

The public payment page has its own file, ``pay_urls.py``, mounted under ``/pay/``: it needs no
login and no site membership, and its URLs carry the site slug themselves. Two mount points
with two audiences, so two URL files; every view still lives in ``views/``.
"""

from django.urls import path

from .views import providers as provider_views
from .views import sessions as session_views
from .views import settings as settings_views
from .views import transactions as transaction_views

# A service's E-Commerce pages; the converter lets only events and training through.
ecommerce = "<service:service>/ecommerce/"

urlpatterns = [
    path(ecommerce, settings_views.EnableView.as_view(), name="ecommerce-enable"),
    path(ecommerce + "mode/", settings_views.ModeView.as_view(), name="ecommerce-mode"),
    path(
        ecommerce + "business/",
        settings_views.BusinessInfoView.as_view(),
        name="ecommerce-business",
    ),
    path(
        ecommerce + "payment-page/",
        settings_views.PaymentPageView.as_view(),
        name="ecommerce-payment-page",
    ),
    path(
        ecommerce + "provider/",
        provider_views.ProviderListView.as_view(),
        name="provider-list",
    ),
    path(
        ecommerce + "provider/<str:kind>/",
        provider_views.ProviderFormView.as_view(),
        name="provider-form",
    ),
    path(
        ecommerce + "provider/<str:kind>/use/",
        provider_views.UseProviderView.as_view(),
        name="provider-use",
    ),
    path(
        ecommerce + "provider/<str:kind>/test-connection/",
        provider_views.TestConnectionView.as_view(),
        name="provider-test-connection",
    ),
    path(
        ecommerce + "provider/<str:kind>/grant/",
        provider_views.GrantPermissionView.as_view(),
        name="provider-grant",
    ),
    path(
        ecommerce + "provider/<str:kind>/grant/return/",
        provider_views.GrantPermissionReturnView.as_view(),
        name="provider-grant-return",
    ),
    # Priced sessions and the transactions report (site level, not per service).
    path("sessions/", session_views.SessionListView.as_view(), name="session-list"),
    path("sessions/new/", session_views.SessionCreateView.as_view(), name="session-create"),
    path("sessions/<int:pk>/edit/", session_views.SessionEditView.as_view(), name="session-edit"),
    path("transactions/", transaction_views.TransactionReportView.as_view(), name="transactions"),
    path(
        "transactions/export.csv",
        transaction_views.TransactionCsvView.as_view(),
        name="transactions-csv",
    ),
    path(
        "transactions/<int:pk>/refund/",
        transaction_views.RefundView.as_view(),
        name="transaction-refund",
    ),
    path(
        "transactions/delete-test/",
        transaction_views.DeleteTestPaymentsView.as_view(),
        name="transactions-delete-test",
    ),
]
