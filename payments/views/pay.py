"""The public payment page of a priced session, and where PayPal sends the attendee back.

The browser that starts a payment keeps its attempt in its session (``SESSION_ATTEMPTS``):
only that browser may cancel the payment, and only by a POST (the page PayPal's cancel link
lands on shows the button). A GET never changes a payment: link checkers, prefetchers and
replays of the URL cannot cancel anyone's payment.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import View

from promocodes.redemption import PromoCodeRefused

from .. import checkout, page_cache, page_fragments, selectors, throttle
from ..attendee_messages import attendee_message
from ..forms.pay import APPLY, PAY_CARD, PAY_PAYPAL, PaymentForm
from ..models import Payment, PaymentMethod, PaymentStatus

SESSION_ATTEMPTS = "payment_attempts"
# The attempt this browser cancelled on PayPal: the payment page is filled in again from it.
SESSION_CANCELLED = "payment_cancelled_attempt"
KEPT_ATTEMPTS = 20
# The attendee is sent to the confirmation page (paid, or PayPal's answer still to come).
CONFIRMATION_STATUSES = (
    PaymentStatus.PAID,
    PaymentStatus.PENDING,
    PaymentStatus.COLLECTING,
    PaymentStatus.AWAITING_PAYPAL,
)


def remember_attempt(request, payment: Payment) -> None:
    """Bind the attempt to this browser's session (the last ``KEPT_ATTEMPTS`` are kept)."""
    key = str(payment.idempotency_key)
    kept = [k for k in request.session.get(SESSION_ATTEMPTS, []) if k != key]
    request.session[SESSION_ATTEMPTS] = (kept + [key])[-KEPT_ATTEMPTS:]
    request.session.pop(SESSION_CANCELLED, None)


def owns_attempt(request, payment: Payment) -> bool:
    return str(payment.idempotency_key) in request.session.get(SESSION_ATTEMPTS, [])


class PaymentPageView(View):
    """GET shows the page; POST applies a promo code, pays by card, or starts PayPal."""

    template_name = "payments/pay/page.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.page = page_cache.page_for(kwargs["site_slug"], kwargs["session_id"])
        self.site, self.session, self.offer = self.page.site, self.page.session, self.page.offer

    def get(self, request, *args, **kwargs):
        """The empty form (its shared parts rendered once per process: ``page_fragments``), or
        what this browser typed before cancelling on PayPal."""
        cancelled = request.session.get(SESSION_CANCELLED)
        typed = selectors.typed_before_cancel(cancelled, self.session) if cancelled else {}
        form = PaymentForm(card_types=self.offer.cards, initial=typed)
        if not typed:
            language = translation.get_language()
            fragments = page_fragments.fragments_for(self.page, language)
            return self.render_page(form, fragments=fragments)
        if not typed.get("promo_code"):
            return self.render_page(form)
        return self.render_page(form, selectors.quote(self.site, self.session, typed["promo_code"]))

    def post(self, request, *args, **kwargs):
        if self.offer.unavailable:
            return self.render_page(None)
        action = request.POST.get("action", APPLY)
        if action not in (APPLY, PAY_CARD, PAY_PAYPAL):
            action = APPLY
        if action == PAY_CARD and not self.offer.cards:
            action = APPLY
        if action == PAY_PAYPAL and not self.offer.paypal_button:
            action = APPLY
        form = PaymentForm(request.POST, card_types=self.offer.cards, action=action)
        if not form.is_valid():
            return self.render_page(form)
        data = form.cleaned_data
        # The typed code is looked up once, here: the page shows this price, and the payment
        # is created at it.
        price = selectors.quote(self.site, self.session, data["promo_code"])
        if action == APPLY:
            return self.render_page(form, price)
        if not throttle.take_attempt(
            self.site, request.META.get("REMOTE_ADDR", ""), data["promo_code"]
        ):
            message = _(
                "Too many payment attempts from here or with this promo code. "
                "Please wait a few minutes and try again."
            )
            return self.render_page(form, price, refused=message, status=429)
        attendee = checkout.Attendee(
            data["attendee_name"], data["attendee_email"], translation.get_language()
        )
        method = PaymentMethod.CARD if action == PAY_CARD else PaymentMethod.PAYPAL
        try:
            payment = checkout.begin(
                self.site,
                self.session,
                self.offer,
                attendee,
                price,
                method,
                data["attempt"],
                card_brand=data.get("brand", ""),
                card_last4=data.get("number", "")[-4:],
            )
        except PromoCodeRefused as refused:
            form.add_error("promo_code", refused.message)
            # The code changed since the quote (e.g. its last use went): show today's price.
            return self.render_page(form)
        if method == PaymentMethod.CARD:
            payment = checkout.pay_by_card(payment, form.card_details())
            return self.after_attempt(payment, form, price)
        remember_attempt(request, payment)
        approval_url = checkout.start_paypal(
            payment,
            request.build_absolute_uri(
                reverse("payment-paypal-return", args=[payment.public_token])
            ),
            request.build_absolute_uri(
                reverse("payment-paypal-cancel", args=[payment.public_token])
            ),
        )
        if approval_url:
            return redirect(approval_url)
        payment.refresh_from_db()
        return self.after_attempt(payment, form, price)

    def after_attempt(self, payment: Payment, form: PaymentForm, price: selectors.Quote):
        """Paid or pending → the confirmation page; refused → this page with PayPal's reason."""
        if payment.status in CONFIRMATION_STATUSES:
            return redirect("payment-done", payment.public_token)
        return self.render_page(form, price, refused=attendee_message(payment), retry=True)

    def render_page(
        self,
        form,
        price: selectors.Quote | None = None,
        *,
        refused: str = "",
        retry: bool = False,
        status: int = 200,
        fragments: page_fragments.Fragments | None = None,
    ):
        """The page; ``price`` is the request's quote when it has one (else it is made here).
        ``fragments``: the shared parts of the empty form's page, already rendered."""
        context = {
            "site": self.site,
            "pay_session": self.session,
            "offer": self.offer,
            "commerce": self.offer.commerce,
            "form": form,
            "refused": refused,
            "fragments": fragments,
        }
        if form is not None and fragments is None:
            if form.is_bound:
                # Never send a card number or security code back to the browser.
                data = form.data.copy()
                for name in ("card_number", "security_code"):
                    data[name] = ""
                if retry or "attempt" in form.errors:
                    data["attempt"] = str(PaymentForm().initial["attempt"])
                form.data = data
            if price is None:
                code_text = (
                    form.cleaned_data.get("promo_code", "")
                    if form.is_bound and hasattr(form, "cleaned_data")
                    else ""
                )
                price = selectors.quote(self.site, self.session, code_text)
            context["quote"] = price
            if context["quote"].refusal and "promo_code" not in form.errors:
                form.add_error("promo_code", context["quote"].refusal)
            if form.is_bound:
                form.mark_invalid_fields()
        response = render(
            self.request,
            self.template_name,
            context,
            status=status,
        )
        if self.offer.commerce and self.offer.paypal_button:
            response._csp_update = {"form-action": self.offer.paypal_form_origins}
        return response


def _payment(public_token: str) -> Payment:
    payment = (
        Payment.objects.select_related("site", "session", "promo_code")
        .filter(public_token=public_token)
        .first()
    )
    if payment is None:
        raise Http404
    return payment


def paypal_return(request, public_token: str):
    """PayPal's RETURNURL: the buyer approved; collect the money."""
    payment = _payment(public_token)
    token = request.GET.get("token", "")
    payer_id = request.GET.get("PayerID", "")
    payment = checkout.complete_paypal(payment, token, payer_id)
    if payment.status in CONFIRMATION_STATUSES:
        return redirect("payment-done", payment.public_token)
    messages.error(request, attendee_message(payment))
    return redirect("payment-page", payment.site.slug, payment.session_id)


class PayPalCancelView(View):
    """PayPal's CANCELURL. GET shows where the payment stands and, to the browser that started
    it while PayPal still waits for approval, a *Cancel this payment* button; the POST (CSRF
    token and the attempt in this browser's session) cancels. Once collection has started,
    cancelling changes nothing."""

    template_name = "payments/pay/cancel.html"

    def get(self, request, public_token: str):
        return self.render_page(_payment(public_token))

    def post(self, request, public_token: str):
        payment = _payment(public_token)
        if not owns_attempt(request, payment):
            return self.render_page(payment, status=403)
        payment = checkout.cancel_paypal(payment)
        if payment.status == PaymentStatus.CANCELLED:
            request.session[SESSION_CANCELLED] = str(payment.idempotency_key)
            messages.info(request, attendee_message(payment))
            return redirect("payment-page", payment.site.slug, payment.session_id)
        return redirect("payment-done", payment.public_token)

    def render_page(self, payment: Payment, status: int = 200):
        context = {
            "payment": payment,
            "site": payment.site,
            "commerce": getattr(payment.site, "commerce", None),
            "can_cancel": payment.status == PaymentStatus.PENDING
            and owns_attempt(self.request, payment),
            "window_minutes": int(settings.PAYMENT_APPROVAL_WINDOW_MINUTES),
            "refused": status == 403,
            "ending": attendee_message(payment),
        }
        return render(self.request, self.template_name, context, status=status)


def payment_done(request, public_token: str):
    """The confirmation: the reference when paid, a wait notice while pending."""
    payment = _payment(public_token)
    commerce = getattr(payment.site, "commerce", None)
    return render(
        request,
        "payments/pay/done.html",
        {
            "payment": payment,
            "site": payment.site,
            "commerce": commerce,
            "ending": attendee_message(payment),
        },
    )
