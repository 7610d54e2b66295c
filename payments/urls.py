from django.urls import path

from .views import settings as settings_views

urlpatterns = [
    path("<str:service>/ecommerce/", settings_views.EnableView.as_view(), name="ecommerce-enable"),
    path("<str:service>/ecommerce/mode/", settings_views.ModeView.as_view(), name="ecommerce-mode"),
    path(
        "<str:service>/ecommerce/business/",
        settings_views.BusinessInfoView.as_view(),
        name="ecommerce-business",
    ),
    path(
        "<str:service>/ecommerce/payment-page/",
        settings_views.PaymentPageView.as_view(),
        name="ecommerce-payment-page",
    ),
]
