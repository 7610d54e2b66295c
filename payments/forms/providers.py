"""Forms of the four PayPal providers (docs/administrators.md), checked on the server whatever
the browser did."""

from __future__ import annotations

import json

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from sites.inputs import TextInputsForm

from ..models import AccountType, Card, ExpressCheckoutAccount, Mode, PayflowAccount, ProviderKind
from ..models.providers import (
    CARDS_BY_ACCOUNT_TYPE,
    DEFAULT_CURRENCY,
    EXPRESS_CHECKOUT_OPTION,
    PAYPAL_CURRENCIES,
)

CURRENCY_CHOICES = [(code, code) for code in PAYPAL_CURRENCIES]


class ProviderFormMixin:
    """Refuses a configuration that would leave a Production site unable to take payments."""

    def __init__(self, *args, mode: str = Mode.TEST, **kwargs):
        super().__init__(*args, **kwargs)
        self.mode = mode

    def _post_clean(self):
        # Runs once the instance holds the submitted values (ModelForm's own hook).
        super()._post_clean()
        if self.mode == Mode.PRODUCTION and not self.errors:
            reasons = self.instance.blockers()
            if reasons:
                self.add_error(
                    None,
                    ValidationError(
                        [_("The site is in Production mode; this configuration is incomplete:")]
                        + reasons
                    ),
                )


class PayflowAccountForm(ProviderFormMixin, TextInputsForm, forms.ModelForm):
    """Payflow Pro or Website Payments Pro (GB); the password is write-only.

    Card and Express Checkout choices the chosen account type does not offer are hidden, so
    the administrator cannot see them: the form shows and replaces only the choices of the
    posted account type, and keeps the saved ones of the other types as they were (choosing
    the other type again brings them back, in the browser and on the server).
    """

    password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    cards = forms.MultipleChoiceField(
        label=_("Cards accepted"), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = PayflowAccount
        fields = [
            "partner",
            "vendor",
            "user",
            "password",
            "account_type",
            "cards",
            "express_checkout",
            "currency",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kind = self.instance.kind
        by_type = CARDS_BY_ACCOUNT_TYPE[kind]
        offered = [card for card in Card.values if any(card in c for c in by_type.values())]
        self.fields["account_type"].choices = [(t, AccountType(t).label) for t in by_type]
        self.fields["account_type"].required = True
        self.fields["cards"].choices = [(c, Card(c).label) for c in offered]
        # The browser shows only the cards of the chosen account type (static/js/providers.js).
        self.fields["account_type"].widget.attrs["data-cards-by-type"] = json.dumps(
            {t: list(cards) for t, cards in by_type.items()}
        )
        self.fields["account_type"].widget.attrs["data-express-checkout-types"] = json.dumps(
            [t for (k, t) in EXPRESS_CHECKOUT_OPTION if k == kind]
        )
        # The saved choices of every account type, for the browser to bring back.
        self.fields["account_type"].widget.attrs["data-saved-cards"] = json.dumps(
            list(self.instance.cards)
        )
        self.fields["account_type"].widget.attrs["data-saved-express-checkout"] = json.dumps(
            self.instance.express_checkout
        )
        self.fields["partner"].help_text = _("PayPal, or PayPalUK for Website Payments Pro (GB).")
        if kind == ProviderKind.PAYFLOW_PRO:
            self.fields["currency"] = forms.ChoiceField(
                label=_("Currency"),
                choices=[("USD", "USD")],
                initial="USD",
                help_text=_("Payflow Pro takes payments in US dollars only."),
            )
        else:
            del self.fields["express_checkout"]
            self.fields["currency"] = forms.ChoiceField(
                label=_("Currency"), choices=CURRENCY_CHOICES, initial=DEFAULT_CURRENCY[kind]
            )
        if not self.instance.currency:
            self.initial["currency"] = DEFAULT_CURRENCY[kind]
        if self.instance.password:
            self.fields["password"].help_text = _(
                "A password is saved. Leave empty to keep it; type a new one to replace it."
            )

    def get_initial_for_field(self, field, field_name):
        """Shown ticked: the saved choices the saved account type offers (the others are
        kept, not shown). ``self.initial`` stays the stored values, for the History."""
        if field_name == "cards":
            return list(self.instance.cards_on_offer)
        if field_name == "express_checkout":
            return self.instance.offers_express_checkout
        return super().get_initial_for_field(field, field_name)

    def clean_password(self):
        return self.cleaned_data["password"] or self.instance.password

    def clean(self):
        cleaned = super().clean()
        account_type = cleaned.get("account_type")
        if account_type:
            offered = CARDS_BY_ACCOUNT_TYPE[self.instance.kind].get(account_type, ())
            posted = cleaned.get("cards", [])
            refused = [c for c in posted if c not in offered]
            # Saved cards this account type does not show stay saved (see the class).
            hidden = [c for c in self.instance.cards if c not in offered and c not in posted]
            cleaned["cards"] = [*posted, *hidden]
            if refused:
                self.add_error(
                    "cards",
                    _("The %(type)s account type does not offer: %(cards)s.")
                    % {
                        "type": AccountType(account_type).label,
                        "cards": ", ".join(str(Card(c).label) for c in refused),
                    },
                )
            if (
                cleaned.get("express_checkout")
                and (self.instance.kind, account_type) not in EXPRESS_CHECKOUT_OPTION
            ):
                self.add_error(
                    "express_checkout",
                    _("Express Checkout is offered only with the Payflow Pro account type."),
                )
            elif (
                "express_checkout" in self.fields
                and (self.instance.kind, account_type) not in EXPRESS_CHECKOUT_OPTION
            ):
                cleaned["express_checkout"] = self.instance.express_checkout  # hidden: kept
        return cleaned


class ExpressCheckoutAccountForm(ProviderFormMixin, TextInputsForm, forms.ModelForm):
    """Express Checkout (US or Canada): the merchant's PayPal login and currency."""

    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)

    class Meta:
        model = ExpressCheckoutAccount
        fields = ["paypal_email", "currency"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paypal_email"].required = True
        self.fields["currency"].help_text = _("PayPal-supported currency attendees pay in.")
        if not self.instance.currency:
            self.initial["currency"] = DEFAULT_CURRENCY[self.instance.kind]


FORM_BY_MODEL = {
    PayflowAccount: PayflowAccountForm,
    ExpressCheckoutAccount: ExpressCheckoutAccountForm,
}
