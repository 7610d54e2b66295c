"""``python manage.py load_demo``: the demo data (docs/operations.md), idempotent.

Besides the sites, logins and sessions, ``acme`` and ``globex`` get a Test-mode configuration
against the bundled simulator's built-in Payflow accounts, so a payment can be tried at once.

Demo passwords live only here; this command refuses to run with production settings.
"""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from payments.models import CommerceSettings, PayflowAccount
from promocodes.models import PromoCode
from sites.models import Membership, Role, Service, Session, SessionKind, Site

DEMO_PASSWORD = "webex-demo"

SITES = [
    # (slug, name, time zone, language, country, provisioned)
    ("acme", "Acme Corporation", "America/New_York", "en", "US", True),
    ("globex", "Globex", "Europe/Paris", "fr", "FR", True),
    ("initech", "Initech", "America/Chicago", "en", "US", False),
]
PEOPLE = [
    # (login, site, role); ops is the superuser.
    ("alice", "acme", Role.ADMIN),
    ("oscar", "acme", Role.ORGANIZER),
    ("gina", "globex", Role.ADMIN),
]
SESSIONS = {
    "acme": [
        (
            "Product launch keynote",
            Service.EVENTS,
            SessionKind.LIVE_EVENT,
            "Launch 2027",
            14,
            "49.00",
        ),
        (
            "Keynote recording",
            Service.EVENTS,
            SessionKind.EVENT_RECORDING,
            "Launch 2027",
            None,
            "19.00",
        ),
        (
            "Advanced Webex administration",
            Service.TRAINING,
            SessionKind.LIVE_TRAINING,
            "Academy",
            21,
            "150.00",
        ),
        (
            "Getting started (recording)",
            Service.TRAINING,
            SessionKind.TRAINING_RECORDING,
            "",
            None,
            "25.00",
        ),
    ],
    "globex": [
        ("Conférence annuelle", Service.EVENTS, SessionKind.LIVE_EVENT, "Sommet", 10, "80.00"),
        ("Formation sécurité", Service.TRAINING, SessionKind.LIVE_TRAINING, "", 30, "120.00"),
        (
            "Formation sécurité (enregistrement)",
            Service.TRAINING,
            SessionKind.TRAINING_RECORDING,
            "",
            None,
            "40.00",
        ),
    ],
}


class Command(BaseCommand):
    help = "Load the demo sites, logins and priced sessions (safe to run again)."

    def handle(self, *args, **options):
        if not getattr(settings, "ALLOW_DEMO_DATA", False):
            raise CommandError(
                "Demo data is for the local console only (webexcommerce.settings.local)."
            )
        with transaction.atomic():
            self.load()
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))

    def load(self):
        User = get_user_model()
        sites = {}
        for slug, name, tz, language, country, provisioned in SITES:
            sites[slug], _ = Site.objects.update_or_create(
                slug=slug,
                defaults={
                    "name": name,
                    "time_zone": tz,
                    "language": language,
                    "country": country,
                    "ecommerce_provisioned": provisioned,
                },
            )
        ops, _ = User.objects.get_or_create(username="ops", defaults={"email": "ops@example.com"})
        ops.is_staff = ops.is_superuser = True
        ops.set_password(DEMO_PASSWORD)
        ops.save()
        users = {}
        for login, slug, role in PEOPLE:
            user, _ = User.objects.get_or_create(
                username=login, defaults={"email": f"{login}@example.com"}
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            users[login] = user
            Membership.objects.update_or_create(
                user=user, site=sites[slug], defaults={"role": role}
            )
        now = timezone.now().replace(minute=0, second=0, microsecond=0)
        for slug, rows in SESSIONS.items():
            for title, service, kind, program, days, fee in rows:
                Session.objects.update_or_create(
                    site=sites[slug],
                    title=title,
                    defaults={
                        "service": service,
                        "kind": kind,
                        "program": program,
                        "starts_at": now + timedelta(days=days) if days else None,
                        "fee": Decimal(fee),
                    },
                )
        self.load_commerce(sites)
        self.load_promo_codes(sites)

    def load_promo_codes(self, sites):
        """A few codes to try on the payment page and in the report."""
        expires = timezone.localdate() + timedelta(days=365)
        demo = [
            ("acme", "WELCOME10", Service.EVENTS, "percent", "10", None),
            ("acme", "TRAIN25", Service.TRAINING, "percent", "25", 100),
            ("globex", "BIENVENUE", Service.EVENTS, "fixed", "15", 50),
        ]
        for slug, code, service, kind, value, max_uses in demo:
            PromoCode.objects.get_or_create(
                site=sites[slug],
                code=code,
                defaults={
                    "service": service,
                    "discount_type": kind,
                    "discount_value": Decimal(value),
                    "max_uses": max_uses,
                    "expires_on": expires,
                },
            )

    def load_commerce(self, sites):
        """Test-mode e-commerce on the provisioned demo sites (left alone once edited)."""
        demo = [
            (
                "acme",
                "Acme Training & Events",
                "support@acme.example",
                "payflow_pro",
                {
                    "partner": "PayPal",
                    "vendor": "acmedemo",
                    "user": "acmedemo",
                    "password": "pilot-pass-1",
                    "account_type": "payflow_pro",
                    "cards": ["visa", "mastercard", "amex", "discover"],
                    "express_checkout": True,
                    "currency": "USD",
                },
            ),
            (
                "globex",
                "Globex Formation",
                "+33 1 42 68 53 00",  # typed 01 42 68 53 00 on the French site, stored so
                "website_payments_pro_gb",
                {
                    "partner": "PayPalUK",
                    "vendor": "globexuk",
                    "user": "globexuk",
                    "password": "pilot-pass-uk-1",
                    "account_type": "wpp_payflow_edition",
                    "cards": ["visa_debit_electron", "mastercard"],
                    "currency": "GBP",
                },
            ),
        ]
        for slug, business, support, kind, account in demo:
            site = sites[slug]
            commerce, created = CommerceSettings.objects.get_or_create(site=site)
            if created:
                commerce.events_enabled = commerce.training_enabled = True
                commerce.business_name = business
                commerce.support_info = support
                commerce.provider = kind
                commerce.save()
            PayflowAccount.objects.get_or_create(site=site, kind=kind, defaults=account)
            site.currency = account["currency"]
            site.save(update_fields=["currency"])
