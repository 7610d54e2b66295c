"""Public URLs of the payment page, mounted under ``/pay/`` (no login); the console's are in
``urls.py``."""

from django.urls import path

from .views import pay

urlpatterns = [
    path("<slug:site_slug>/<int:session_id>/", pay.PaymentPageView.as_view(), name="payment-page"),
    path("paypal/return/<str:public_token>/", pay.paypal_return, name="payment-paypal-return"),
    path(
        "paypal/cancel/<str:public_token>/",
        pay.PayPalCancelView.as_view(),
        name="payment-paypal-cancel",
    ),
    path("done/<str:public_token>/", pay.payment_done, name="payment-done"),
]
