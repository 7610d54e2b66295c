"""``/api/v1/``: the OpenAPI document, its readers, and every site resource."""

from django.urls import path

from .views import commerce, docs, promocodes, sessions, transactions

site = "sites/<slug:site_slug>/"

urlpatterns = [
    path("schema/", docs.SchemaView.as_view(), name="api-schema"),
    path("docs/", docs.SwaggerView.as_view(), name="api-docs"),
    path("redoc/", docs.RedocView.as_view(), name="api-redoc"),
    path(
        site + "promo-codes/",
        promocodes.PromoCodeListView.as_view(),
        name="api-promocode-list",
    ),
    path(
        site + "promo-codes/export.csv",
        promocodes.PromoCodeCsvView.as_view(),
        name="api-promocode-csv",
    ),
    path(
        site + "promo-codes/extend/", promocodes.ExtendView.as_view(), name="api-promocode-extend"
    ),
    path(
        site + "promo-codes/delete/", promocodes.DeleteView.as_view(), name="api-promocode-delete"
    ),
    path(
        site + "promo-codes/<int:pk>/",
        promocodes.PromoCodeDetailView.as_view(),
        name="api-promocode-detail",
    ),
    path(site + "promo-code-batches/", promocodes.BatchListView.as_view(), name="api-batch-list"),
    path(
        site + "promo-code-batches/<int:pk>/",
        promocodes.BatchDetailView.as_view(),
        name="api-batch-detail",
    ),
    path(site + "sessions/", sessions.SessionListView.as_view(), name="api-session-list"),
    path(
        site + "sessions/<int:pk>/", sessions.SessionDetailView.as_view(), name="api-session-detail"
    ),
    path(
        site + "transactions/",
        transactions.TransactionListView.as_view(),
        name="api-transaction-list",
    ),
    path(
        site + "transactions/export.csv",
        transactions.TransactionCsvView.as_view(),
        name="api-transaction-csv",
    ),
    path(
        site + "transactions/<int:pk>/",
        transactions.TransactionDetailView.as_view(),
        name="api-transaction-detail",
    ),
    path(
        site + "transactions/<int:pk>/refund/",
        transactions.RefundView.as_view(),
        name="api-transaction-refund",
    ),
    path(site + "commerce/", commerce.CommerceView.as_view(), name="api-commerce"),
]
