"""Under ``s/<site_slug>/``: the promotional codes pages of a service's E-Commerce section."""

from django.urls import path

from . import views

prefix = "<service:service>/ecommerce/promocodes/"

urlpatterns = [
    path(prefix + "create/", views.CreateView.as_view(), name="promocode-create"),
    path(prefix + "batches/<int:pk>/", views.BatchView.as_view(), name="promocode-batch"),
    path(
        prefix + "batches/<int:pk>/progress/",
        views.BatchProgressView.as_view(),
        name="promocode-batch-progress",
    ),
    path(
        prefix + "batches/<int:pk>/retry/",
        views.BatchRetryView.as_view(),
        name="promocode-batch-retry",
    ),
    path(prefix + "report/", views.ReportView.as_view(), name="promocode-report"),
    path(prefix + "report/action/", views.ReportActionView.as_view(), name="promocode-action"),
    path(prefix + "report/export.csv", views.ReportCsvView.as_view(), name="promocode-csv"),
]
