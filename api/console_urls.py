"""Under ``s/<site_slug>/``: the API keys page."""

from django.urls import path

from . import pages

urlpatterns = [
    path("api-keys/", pages.ApiKeysView.as_view(), name="api-keys"),
    path("api-keys/<int:pk>/revoke/", pages.RevokeApiKeyView.as_view(), name="api-key-revoke"),
]
