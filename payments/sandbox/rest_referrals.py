"""Partner Referrals v2 (seller onboarding); the consent page itself is in ``pages``.

``POST /v2/customer/partner-referrals`` -> 201 ``{"links": [self, action_url]}``; the
``action_url`` is ``/partner-consent/{referral_id}`` here. *Grant permission* redirects to
``partner_config_override.return_url`` with ``merchantId`` (the ``tracking_id``),
``merchantIdInPayPal`` (13 characters), ``permissionsGranted=true``, ``consentStatus=true``,
``isEmailConfirmed=true``, ``accountStatus=BUSINESS_ACCOUNT`` and ``productIntentId``;
*Decline* redirects with ``merchantId``, ``permissionsGranted=false`` and
``consentStatus=false``. The first grant registers the merchant (the referral's ``email``,
see ``merchants``) and sends ``MERCHANT.ONBOARDING.COMPLETED`` to the webhook listener.

``PayPal-Mock-Response`` codes on create: ``USER_NOT_FOUND``, ``PRODUCT_PPCP_UNAUTHORIZED``
(422), ``PERMISSION_DENIED`` (403), ``INTERNAL_SERVER_ERROR``; on get:
``INTERNAL_SERVER_ERROR``.
"""

from __future__ import annotations

import base64
import re
import secrets
from typing import Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from . import merchants, webhooks
from .rest_common import (
    Idempotency,
    api,
    base_url,
    bearer_client,
    new_account_id,
    now_iso,
    stable_account_id,
)
from .rest_errors import (
    INVALID_RESOURCE_ID,
    ApiError,
    issue,
    json_body,
    json_response,
    mock_code,
    mock_error,
)
from .state import SandboxState

REFERRALS = "rest_referrals"

# Wording from the document's schema 400 (lower case there).
DESCRIPTIONS = {
    "INVALID_STRING_LENGTH": "the value of a field is either too short or too long",
    "INVALID_PARAMETER_SYNTAX": "the value of a field does not conform to the expected format",
    "INVALID_PARAMETER_VALUE": "the value of a field is invalid",
    "INVALID_ARRAY_LENGTH": "the number of items in an array parameter is too small or too large",
}
CREATE_MOCKS: dict[str, tuple[int, str | None]] = {
    "USER_NOT_FOUND": (422, "Account for this Partner ID does not exist."),
    "PRODUCT_PPCP_UNAUTHORIZED": (
        422,
        "Account has not been configured to use PayPal Complete Payments",
    ),
    "PERMISSION_DENIED": (
        403,
        "You do not have permission to access or perform operations on this resource.",
    ),
    "INTERNAL_SERVER_ERROR": (500, None),
}
GET_MOCKS: dict[str, tuple[int, str | None]] = {"INTERNAL_SERVER_ERROR": (500, None)}

OPERATIONS = frozenset(
    [
        "API_INTEGRATION",
        "BANK_ADDITION",
        "BILLING_AGREEMENT",
        "CONTEXTUAL_MARKETING_CONSENT",
        "SALESFORCE_REFERRAL",
    ]
)
PRODUCTS = frozenset(
    [
        "EXPRESS_CHECKOUT",
        "PAYPAL_COMMERCE_PLATFORM_BUSINESS",
        "PPPLUS",
        "WEBSITE_PAYMENT_PRO",
        "PAYMENT_METHODS",
        "PPCP",
        "ADVANCED_VAULTING",
        "IZETTLE",
    ]
)
FEATURES = frozenset(
    [
        "PAYOUTS",
        "PAYMENT",
        "REFUND",
        "FUTURE_PAYMENT",
        "DIRECT_PAYMENT",
        "PARTNER_FEE",
        "DELAY_FUNDS_DISBURSEMENT",
        "READ_SELLER_DISPUTE",
        "UPDATE_SELLER_DISPUTE",
        "ADVANCED_TRANSACTIONS_SEARCH",
        "SWEEP_FUNDS_EXTERNAL_SINK",
        "ACCESS_MERCHANT_INFORMATION",
        "TRACKING_SHIPMENT_READWRITE",
        "INVOICE_READ_WRITE",
        "DISPUTE_READ_BUYER",
        "UPDATE_CUSTOMER_DISPUTES",
        "VAULT",
        "BILLING_AGREEMENT",
    ]
)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_REFERRAL_ID = re.compile(r"[0-9A-Za-z_.-]{1,255}")


def _bad(name: str, field: str, value: Any = None) -> ApiError:
    return ApiError(
        400, [issue(name, DESCRIPTIONS[name], field=field, value=value)], api="partner-referrals"
    )


def _array(data: dict, key: str, *, required: bool) -> list:
    value = data.get(key)
    if value is None:
        if required:
            raise _bad("INVALID_ARRAY_LENGTH", f"/{key}")
        return []
    if not isinstance(value, list):
        raise _bad("INVALID_PARAMETER_SYNTAX", f"/{key}")
    if not 1 <= len(value) <= 5:
        raise _bad("INVALID_ARRAY_LENGTH", f"/{key}")
    return value


def _validate_operation(index: int, operation: Any) -> None:
    where = f"/operations/{index}"
    if not isinstance(operation, dict) or operation.get("operation") not in OPERATIONS:
        value = operation.get("operation") if isinstance(operation, dict) else operation
        raise _bad("INVALID_PARAMETER_VALUE", f"{where}/operation", value)
    if operation["operation"] != "API_INTEGRATION":
        return
    rest = (operation.get("api_integration_preference") or {}).get("rest_api_integration")
    if not isinstance(rest, dict):
        raise _bad("INVALID_PARAMETER_VALUE", f"{where}/api_integration_preference")
    where += "/api_integration_preference/rest_api_integration"
    if rest.get("integration_method", "PAYPAL") not in ("PAYPAL", "BRAINTREE"):
        raise _bad(
            "INVALID_PARAMETER_VALUE", f"{where}/integration_method", rest.get("integration_method")
        )
    kind = rest.get("integration_type")
    if kind not in ("FIRST_PARTY", "THIRD_PARTY"):
        raise _bad("INVALID_PARAMETER_VALUE", f"{where}/integration_type", kind)
    details_key = "third_party_details" if kind == "THIRD_PARTY" else "first_party_details"
    details = rest.get(details_key)
    features = details.get("features") if isinstance(details, dict) else None
    if not isinstance(features, list):
        raise _bad("INVALID_PARAMETER_VALUE", f"{where}/{details_key}/features")
    for position, feature in enumerate(features):
        if feature not in FEATURES:
            raise _bad(
                "INVALID_PARAMETER_VALUE", f"{where}/{details_key}/features/{position}", feature
            )


def _validate(data: dict) -> None:
    for index, operation in enumerate(_array(data, "operations", required=True)):
        _validate_operation(index, operation)
    for index, product in enumerate(_array(data, "products", required=False)):
        if product not in PRODUCTS:
            raise _bad("INVALID_PARAMETER_VALUE", f"/products/{index}", product)
    for index, consent in enumerate(_array(data, "legal_consents", required=True)):
        if not isinstance(consent, dict) or consent.get("type") != "SHARE_DATA_CONSENT":
            raise _bad("INVALID_PARAMETER_VALUE", f"/legal_consents/{index}/type")
        if consent.get("granted") is not True:
            raise _bad(
                "INVALID_PARAMETER_VALUE",
                f"/legal_consents/{index}/granted",
                consent.get("granted"),
            )
    tracking_id = data.get("tracking_id")
    if tracking_id is not None and (
        not isinstance(tracking_id, str) or not 1 <= len(tracking_id) <= 127
    ):
        raise _bad("INVALID_STRING_LENGTH", "/tracking_id", tracking_id)
    email = data.get("email")
    if email is not None and (not isinstance(email, str) or not _EMAIL.fullmatch(email)):
        raise _bad("INVALID_PARAMETER_SYNTAX", "/email", email)
    override = data.get("partner_config_override")
    if override is None:
        return
    if not isinstance(override, dict):
        raise _bad("INVALID_PARAMETER_SYNTAX", "/partner_config_override")
    return_url = override.get("return_url")
    if return_url is not None:
        if not isinstance(return_url, str) or not 1 <= len(return_url) <= 127:
            raise _bad("INVALID_STRING_LENGTH", "/partner_config_override/return_url", return_url)
        if not re.match(r"https?://[^/\s]+", return_url):
            raise _bad(
                "INVALID_PARAMETER_SYNTAX", "/partner_config_override/return_url", return_url
            )


def _links(referral: dict, base: str) -> list[dict]:
    rid = referral["id"]
    return [
        {
            "href": f"{base}/v2/customer/partner-referrals/{rid}",
            "rel": "self",
            "method": "GET",
            "description": "Read Referral Data shared by the Caller.",
        },
        {
            "href": f"{base}/partner-consent/{rid}",
            "rel": "action_url",
            "method": "GET",
            "description": "Target WEB REDIRECT URL for the next action. Customer should be "
            "redirected to this URL in the browser.",
        },
    ]


def consent_features(referral: dict) -> list[str]:
    """The features a referral asks the seller to grant, sorted."""
    return sorted(
        {
            feature
            for op in referral["referral_data"].get("operations", [])
            for details in (
                (op.get("api_integration_preference") or {}).get("rest_api_integration") or {},
            )
            for key in ("third_party_details", "first_party_details")
            for feature in (details.get(key) or {}).get("features", [])
        }
    )


def answer_referral(state: SandboxState, referral: dict, granted: bool, base: str) -> dict:
    """The seller grants or declines (lock held); returns the return URL's query.

    Granting registers the merchant (the referral's ``email``) and sends
    ``MERCHANT.ONBOARDING.COMPLETED``.
    """
    data = referral["referral_data"]
    params = {"merchantId": data.get("tracking_id", "")}
    if not granted:
        referral["status"] = "DECLINED"
        params.update(permissionsGranted="false", consentStatus="false")
        return params
    first_grant = not referral["merchant_id_in_paypal"]
    if first_grant:
        referral["merchant_id_in_paypal"] = new_account_id()
    merchant_id = referral["merchant_id_in_paypal"]
    referral["status"] = "GRANTED"
    if data.get("email"):
        merchants.register(state, data["email"], merchant_id)
    if first_grant:
        webhooks.emit(
            state,
            "MERCHANT.ONBOARDING.COMPLETED",
            merchant_resource(referral, base),
            resource_type="merchant-onboarding",
            resource_version="1.0",
            summary="The merchant account setup is completed",
            base=base,
        )
    params.update(
        merchantIdInPayPal=merchant_id,
        permissionsGranted="true",
        consentStatus="true",
        isEmailConfirmed="true",
        accountStatus="BUSINESS_ACCOUNT",
        productIntentId="addipmt",
    )
    return params


def merchant_resource(referral: dict, base: str) -> dict:
    """The resource of the MERCHANT.* events: who the merchant is, for which partner."""
    partner = referral["partner_client_id"] or ""
    merchant_id = referral["merchant_id_in_paypal"]
    return {
        "partner_client_id": partner,
        "merchant_id": merchant_id,
        "tracking_id": referral["referral_data"].get("tracking_id", ""),
        "links": [
            {
                "href": f"{base}/v1/customer/partners/{stable_account_id('partner:' + partner)}"
                f"/merchant-integrations/{merchant_id}",
                "rel": "self",
                "method": "GET",
            }
        ],
    }


def routes(state: SandboxState) -> list[Rule]:
    idempotency = Idempotency(state)
    table = state.table

    @api(state, api_name="partner-referrals")
    def create_referral(request: Request) -> Response:
        replay = idempotency.replay(request)
        if replay is not None:
            return json_response(replay[1], replay[0])
        code = mock_code(request)
        if code:
            raise mock_error(code, CREATE_MOCKS, "partner-referrals")
        data = json_body(
            request,
            required=True,
            description=DESCRIPTIONS["INVALID_PARAMETER_SYNTAX"],
            issue_name="INVALID_PARAMETER_SYNTAX",
            api_name="partner-referrals",
        )
        _validate(data)
        raw_id = secrets.token_bytes(48)
        referral = {
            "id": base64.urlsafe_b64encode(raw_id).decode().rstrip("="),
            "referral_data": data,
            "partner_client_id": bearer_client(state, request),
            "status": "PENDING",
            "merchant_id_in_paypal": "",
            "create_time": now_iso(),
        }
        table(REFERRALS)[referral["id"]] = referral
        body = {"links": _links(referral, base_url(request))}
        idempotency.remember(request, 201, body)
        return json_response(body, 201)

    @api(state, api_name="partner-referrals")
    def get_referral(request: Request, referral_id: str) -> Response:
        code = mock_code(request)
        if code:
            raise mock_error(code, GET_MOCKS, "partner-referrals")
        referral = (
            table(REFERRALS).get(referral_id) if _REFERRAL_ID.fullmatch(referral_id) else None
        )
        if referral is None:
            raise ApiError(
                404,
                [
                    issue(
                        "INVALID_RESOURCE_ID",
                        INVALID_RESOURCE_ID,
                        field="partner_referral_id",
                        value=referral_id,
                        location="path",
                    )
                ],
                api="partner-referrals",
            )
        body = {
            "partner_referral_id": referral["id"],
            "submitter_payer_id": stable_account_id(
                "partner:" + (referral["partner_client_id"] or "")
            ),
            "referral_data": referral["referral_data"],
            "links": _links(referral, base_url(request)),
        }
        return json_response(body)

    return [
        Rule("/v2/customer/partner-referrals", endpoint=create_referral, methods=["POST"]),
        Rule(
            "/v2/customer/partner-referrals/<referral_id>", endpoint=get_referral, methods=["GET"]
        ),
    ]
