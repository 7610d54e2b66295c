from django.urls import path

from . import views

urlpatterns = [
    path("", views.SiteHomeView.as_view(), name="site-home"),
    path("history/", views.HistoryView.as_view(), name="site-history"),
]
