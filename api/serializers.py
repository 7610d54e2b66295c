"""The shapes of the API: what each resource looks like, and the request bodies.

Request serializers check types only (400 when wrong); the console's own forms then apply
the business rules (422), so the API and the pages can never disagree on what is valid.
Ids are bounded by ``sites.inputs.MAX_ID``, dates checked by the forms' ``sites.dates``
fields, cursors read by ``sites.inputs.decode_cursor``: the same parsing layer as the pages.
"""

from __future__ import annotations

from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from payments.models import Payment, PaymentStatus, Refund
from promocodes.models import AppliesTo, CreationBatch, DiscountType, PromoCode
from sites.inputs import MAX_ID
from sites.models import Service, Session, SessionKind

MAX_IDS = 1000
MAX_RECIPIENTS = 100_000


# --- Promotional codes ---------------------------------------------------------------------


class PromoCodeSerializer(serializers.ModelSerializer):
    session_ids = serializers.SerializerMethodField()

    class Meta:
        model = PromoCode
        fields = [
            "id",
            "code",
            "service",
            "status",
            "recipient_name",
            "recipient_email",
            "discount_type",
            "discount_value",
            "max_uses",
            "uses",
            "expires_on",
            "applies_to",
            "kind",
            "session_ids",
            "batch_id",
            "created_at",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_session_ids(self, code: PromoCode) -> list[int]:
        if code.applies_to != AppliesTo.SESSIONS:
            return []
        return [session.pk for session in code.sessions.all()]


class ReportFilterSerializer(serializers.Serializer):
    """The report's parameters (query string of the list and the CSV, or ``filter`` of a
    bulk action); dates are the site's local days."""

    service = serializers.ChoiceField(choices=Service.choices)
    status = serializers.CharField(required=False, allow_blank=True)
    created_from = serializers.DateField(required=False)
    created_to = serializers.DateField(required=False)
    expires_from = serializers.DateField(required=False)
    expires_to = serializers.DateField(required=False)
    contains = serializers.CharField(required=False, allow_blank=True)
    batch = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


class RecipientSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)


class PromoCodeCreateSerializer(serializers.Serializer):
    """One *Create*: a single code (``code``), ``quantity`` generated codes, or one generated
    code per entry of ``recipients`` (each e-mailed their code)."""

    service = serializers.ChoiceField(choices=Service.choices)
    code = serializers.CharField(required=False, allow_blank=True, max_length=100)
    quantity = serializers.IntegerField(required=False, allow_null=True)
    code_length = serializers.IntegerField(required=False, allow_null=True)
    recipients = RecipientSerializer(many=True, required=False, max_length=MAX_RECIPIENTS)
    max_uses = serializers.IntegerField(
        required=False, allow_null=True, default=1, help_text="null: unlimited until expiry."
    )
    discount_type = serializers.ChoiceField(choices=DiscountType.choices)
    discount_value = serializers.DecimalField(max_digits=12, decimal_places=2)
    expires_on = serializers.DateField()
    applies_to = serializers.ChoiceField(choices=AppliesTo.choices, default=AppliesTo.ALL)
    kind = serializers.ChoiceField(choices=SessionKind.choices, required=False, allow_blank=True)
    session_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        max_length=MAX_IDS,
    )


class SelectionSerializer(serializers.Serializer):
    """Which codes a bulk action applies to: ``ids``, every code matching ``filter``, or the
    codes among ``ids`` that match ``filter``."""

    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        max_length=MAX_IDS,
    )
    filter = ReportFilterSerializer(required=False)

    def validate(self, attrs):
        if not attrs.get("ids") and "filter" not in attrs:
            raise serializers.ValidationError("Give ids, a filter, or both.")
        return attrs


class ExtendSerializer(SelectionSerializer):
    until = serializers.DateField()


class ExtendResultSerializer(serializers.Serializer):
    extended = serializers.IntegerField()
    reactivated = serializers.IntegerField()
    skipped_deleted = serializers.IntegerField()


class DeleteResultSerializer(serializers.Serializer):
    deleted = serializers.IntegerField()


class BatchSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)
    finished = serializers.BooleanField(read_only=True)
    error = serializers.SerializerMethodField()
    progress_url = serializers.SerializerMethodField()
    codes_url = serializers.SerializerMethodField()

    class Meta:
        model = CreationBatch
        fields = [
            "id",
            "service",
            "state",
            "total",
            "done",
            "percent",
            "finished",
            "error",
            "created_at",
            "finished_at",
            "progress_url",
            "codes_url",
        ]

    def get_error(self, batch: CreationBatch) -> str:
        # Errors are stored as English msgids and read in the caller's language.
        return gettext(batch.error) if batch.error else ""

    def _url(self, name: str, batch: CreationBatch, **kwargs) -> str:
        request = self.context["request"]
        return reverse(name, kwargs={"site_slug": request.site.slug, **kwargs}, request=request)

    def get_progress_url(self, batch: CreationBatch) -> str:
        return self._url("api-batch-detail", batch, pk=batch.pk)

    def get_codes_url(self, batch: CreationBatch) -> str:
        return self._url("api-promocode-list", batch) + f"?service={batch.service}&batch={batch.pk}"


# --- Sessions -------------------------------------------------------------------------------


class SessionSerializer(serializers.ModelSerializer):
    organizer = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    is_free = serializers.BooleanField(read_only=True)

    class Meta:
        model = Session
        fields = [
            "id",
            "title",
            "service",
            "kind",
            "program",
            "starts_at",
            "fee",
            "is_free",
            "organizer",
            "created_at",
        ]


class SessionWriteSerializer(serializers.Serializer):
    """Create (every field but ``program``, ``starts_at`` and ``organizer`` required) or
    update (PATCH: only the fields given change). ``starts_at`` without an offset is in the
    site's time zone. ``organizer``: the user name of a member of the site."""

    title = serializers.CharField()
    service = serializers.ChoiceField(choices=Service.choices)
    kind = serializers.ChoiceField(choices=SessionKind.choices)
    program = serializers.CharField(required=False, allow_blank=True)
    starts_at = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    fee = serializers.DecimalField(max_digits=14, decimal_places=2)
    organizer = serializers.CharField(required=False, allow_null=True, allow_blank=True)


# --- Transactions ---------------------------------------------------------------------------

REFUND_STATES = {
    PaymentStatus.PAID: "refunded",
    PaymentStatus.PENDING: "pending",
    PaymentStatus.FAILED: "failed",
}


class RefundSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()
    payment_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = Refund
        fields = [
            "id",
            "payment_id",
            "amount",
            "status",
            "result_message",
            "gateway_reference",
            "created_at",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=sorted(set(REFUND_STATES.values()))))
    def get_status(self, refund: Refund) -> str:
        return REFUND_STATES.get(refund.status, "failed")


class PaymentSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    session_title = serializers.CharField(source="session.title", read_only=True)
    promo_code = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Payment
        fields = [
            "id",
            "reference",
            "created_at",
            "paid_at",
            "status",
            "is_test",
            "attendee_name",
            "attendee_email",
            "session_id",
            "session_title",
            "fee",
            "discount",
            "amount",
            "refunded_amount",
            "reversed_amount",
            "held_reason",
            "currency",
            "promo_code",
            "method",
            "card_brand",
            "card_last4",
            "gateway_reference",
        ]


class PaymentDetailSerializer(PaymentSerializer):
    refundable = serializers.DecimalField(max_digits=10, decimal_places=2, read_only=True)
    refunds = RefundSerializer(many=True, read_only=True)

    class Meta(PaymentSerializer.Meta):
        fields = [*PaymentSerializer.Meta.fields, "refundable", "refunds"]


class TotalsSerializer(serializers.Serializer):
    currency = serializers.CharField()
    count = serializers.IntegerField()
    paid_count = serializers.IntegerField()
    gross = serializers.DecimalField(max_digits=14, decimal_places=2)
    discounts = serializers.DecimalField(max_digits=14, decimal_places=2)
    refunded = serializers.DecimalField(max_digits=14, decimal_places=2)
    reversed = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="What chargebacks took back."
    )
    net = serializers.DecimalField(max_digits=14, decimal_places=2)


class TransactionFilterSerializer(serializers.Serializer):
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    session = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    status = serializers.ChoiceField(choices=PaymentStatus.choices, required=False)
    scope = serializers.ChoiceField(
        choices=["live", "test", "all"], required=False, help_text="Default: live payments."
    )


class RefundRequestSerializer(serializers.Serializer):
    amount = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text="Omit (or null) to refund everything left.",
    )


# --- Commerce settings -----------------------------------------------------------------------


class CommerceSerializer(serializers.Serializer):
    mode = serializers.CharField()
    enabled_services = serializers.ListField(child=serializers.CharField())
    provider = serializers.CharField(allow_null=True)
    currency = serializers.CharField()
    country = serializers.CharField(
        help_text="The site's country (ISO 3166-1 alpha-2): phone numbers without a country "
        "code are read as its numbers."
    )
    production_ready = serializers.BooleanField()
    readiness_reasons = serializers.ListField(child=serializers.CharField())
