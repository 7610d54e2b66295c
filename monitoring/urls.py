from django.urls import path

from . import views

urlpatterns = [
    path("healthz/", views.LivenessView.as_view(), name="healthz"),
    path("readyz/", views.ReadinessView.as_view(), name="readyz"),
    path("metrics", views.MetricsView.as_view(), name="metrics"),
]
