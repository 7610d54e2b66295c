"""The buyer's and the seller's HTML pages: where a person approves, pays, cancels or consents.

Plain pages (no script, no inline style, so they work under any CSP and without JS), each
sent with a strict ``Content-Security-Policy`` and ``Cache-Control: no-store``:

``GET /checkoutnow?token={order id}`` (Orders v2)
    The order's purchase units; **Approve and pay** posts to ``/checkoutnow/approve`` (order
    -> ``APPROVED``, redirect to ``return_url?token=…&PayerID=…``; with the
    ``approve_without_return`` switch the buyer stays on PayPal's "you can close this window"
    page instead), **Cancel** posts to ``/checkoutnow/cancel`` (redirect to
    ``cancel_url?token=…``). Unknown order -> 404 page; one no longer approvable -> 409.

``GET /cgi-bin/webscr?cmd=_express-checkout&token=EC-…`` (Express Checkout through Payflow)
    Merchant, amount and the sandbox buyer; **Pay now** (``decision=approve``) redirects to
    ``RETURNURL?token=…&PayerID=SBXBUYER00001``, **Cancel and return** (``decision=cancel``)
    to ``CANCELURL?token=…``. Approving twice redirects again; approving a cancelled checkout
    or cancelling a paid one -> 409 page; unknown token -> 404 page.

``GET /partner-consent/{referral id}`` (Partner Referrals v2)
    The features asked for; **Grant permission** / **Decline** post to ``…/grant`` /
    ``…/decline`` and redirect to the partner's ``return_url`` with the onboarding query
    (see ``rest_referrals.answer_referral``).

The transitions themselves belong to the protocol modules (``rest_orders.approve_order``,
``payflow_checkout.approve_checkout`` / ``cancel_checkout``,
``rest_referrals.answer_referral``); this module only renders and routes.
"""

from __future__ import annotations

from html import escape
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from .payflow_checkout import approve_checkout, cancel_checkout
from .payflow_rules import format_amount
from .payflow_store import SANDBOX_BUYER, tables
from .rest_common import base_url
from .rest_order_views import BUYER
from .rest_orders import APPROVABLE, approve_order, find_order
from .rest_referrals import REFERRALS, answer_referral, consent_features
from .state import SandboxState, behaviour_of

EC_PATH = "/cgi-bin/webscr"
CSP = "default-src 'none'; form-action 'self' http: https:; base-uri 'none'"


def with_query(url: str, params: dict[str, str]) -> str:
    """``url`` with ``params`` appended to whatever query it already has."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


def html_page(title: str, body: str, status: int = 200) -> Response:
    page = (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} - PayPal Sandbox</title></head>\n"
        f"<body><header><p>PayPal Sandbox (simulator): no real money moves.</p></header>"
        f"<main><h1>{escape(title)}</h1>\n{body}\n</main></body></html>\n"
    )
    response = Response(page, status=status, mimetype="text/html")
    response.headers["Content-Security-Policy"] = CSP
    response.headers["Cache-Control"] = "no-store"
    return response


def message(title: str, text: str, status: int = 200) -> Response:
    return html_page(title, f"<p>{escape(text)}</p>", status)


def no_checkout() -> Response:
    return message("Checkout not found", "This checkout does not exist.", 404)


def redirect(location: str) -> Response:
    return Response("", status=302, headers={"Location": location})


def _form(action: str, label: str, button_id: str, fields: dict[str, str]) -> str:
    hidden = "".join(
        f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'
        for name, value in fields.items()
    )
    return (
        f'<form method="post" action="{escape(action)}" id="{button_id}-form">{hidden}'
        f'<button type="submit" id="{button_id}">{escape(label)}</button></form>'
    )


# --- Orders v2 ----------------------------------------------------------------------------


def _order_routes(state: SandboxState) -> list[Rule]:
    def approval_page(request: Request) -> Response:
        token = request.args.get("token", "")
        with state.lock:
            order = find_order(state, token)
            if order is None:
                return no_checkout()
            if order["status"] not in (*APPROVABLE, "APPROVED"):
                status = order["status"].lower()
                return message(
                    "Checkout closed",
                    f"This checkout is {status} and can no longer be approved.",
                    409,
                )
            lines = "".join(
                f"<li>{escape(unit['amount']['value'])} {escape(unit['amount']['currency_code'])}"
                f" to {escape(unit['payee']['email_address'])}"
                + (f" — {escape(unit['description'])}" if unit.get("description") else "")
                + "</li>"
                for unit in order["purchase_units"]
            )
            merchant = order["brand_name"] or order["purchase_units"][0]["payee"]["email_address"]
        fields = {"token": token}
        body = (
            f"<p>Pay <strong>{escape(merchant)}</strong> with your PayPal account "
            f"({escape(BUYER['email_address'])}).</p>"
            f'<ul class="purchase-units">{lines}</ul>'
            + _form("/checkoutnow/approve", "Approve and pay", "approve", fields)
            + _form("/checkoutnow/cancel", "Cancel", "cancel", fields)
        )
        return html_page("Review your payment", body)

    def approve(request: Request) -> Response:
        token = request.form.get("token", "")
        with state.lock:
            order = find_order(state, token)
            if order is None:
                return no_checkout()
            if not approve_order(state, order, base_url(request)):
                return message("Checkout closed", "This checkout can no longer be approved.", 409)
            payer_id = order["payer"]["payer_id"]
            return_url = order["return_url"]
        if not return_url or behaviour_of(request).approve_without_return:
            return message("Payment approved", "You can close this window.")
        return redirect(with_query(return_url, {"token": token, "PayerID": payer_id}))

    def cancel(request: Request) -> Response:
        token = request.form.get("token", "")
        with state.lock:
            order = find_order(state, token)
            cancel_url = order["cancel_url"] if order else ""
        if order is None:
            return no_checkout()
        if not cancel_url:
            return message("Payment cancelled", "You can close this window.")
        return redirect(with_query(cancel_url, {"token": token}))

    return [
        Rule("/checkoutnow", endpoint=approval_page, methods=["GET"]),
        Rule("/checkoutnow/approve", endpoint=approve, methods=["POST"]),
        Rule("/checkoutnow/cancel", endpoint=cancel, methods=["POST"]),
    ]


# --- Express Checkout through Payflow -------------------------------------------------------


def _ec_form(checkout) -> Response:
    description = f"<p>For: {escape(checkout.description)}</p>\n" if checkout.description else ""
    buyer = f"{SANDBOX_BUYER['FIRSTNAME']} {SANDBOX_BUYER['LASTNAME']}"
    body = (
        f"<p>Merchant: <strong>{escape(checkout.vendor)}</strong></p>\n"
        f'<p>Amount: <strong id="amount">{format_amount(checkout.amount)} '
        f"{escape(checkout.currency)}</strong></p>\n{description}"
        f"<p>Paying as {escape(buyer)} ({escape(SANDBOX_BUYER['EMAIL'])})</p>\n"
    )
    for decision, label in (("approve", "Pay now"), ("cancel", "Cancel and return")):
        fields = {"cmd": "_express-checkout", "token": checkout.token, "decision": decision}
        body += _form(EC_PATH, label, decision, fields) + "\n"
    return html_page("Review your payment", body)


def _ec_routes(state: SandboxState) -> list[Rule]:
    def handle(request: Request) -> Response:
        values = request.form if request.method == "POST" else request.args
        if values.get("cmd") != "_express-checkout":
            return message("Unsupported", "Only cmd=_express-checkout is simulated.", 400)
        with state.lock:
            checkout = tables(state).tokens.get(values.get("token", ""))
            if checkout is None:
                return message("Not found", "This checkout does not exist or expired.", 404)
            if request.method == "GET":
                if checkout.status == "paid":
                    return message("Completed", "This payment is already complete.")
                if checkout.status == "cancelled":
                    return message("Cancelled", "This payment was cancelled.")
                return _ec_form(checkout)
            decision = values.get("decision")
            if decision == "approve":
                if not approve_checkout(checkout):
                    return message("Cancelled", "This payment was cancelled.", 409)
                query = {"token": checkout.token, "PayerID": checkout.payer_id}
                target = with_query(checkout.return_url, query)
            elif decision == "cancel":
                if not cancel_checkout(checkout):
                    return message("Completed", "This payment is already complete.", 409)
                target = with_query(checkout.cancel_url, {"token": checkout.token})
            else:
                return message("Unsupported", "Choose Pay now or Cancel and return.", 400)
        return redirect(target)

    return [Rule(EC_PATH, endpoint=handle, methods=["GET", "POST"])]


# --- Partner Referrals: the seller's consent ------------------------------------------------


def _consent_routes(state: SandboxState) -> list[Rule]:
    def consent_page(request: Request, referral_id: str) -> Response:
        with state.lock:
            referral = state.table(REFERRALS).get(referral_id)
            if referral is None:
                return message("Link expired", "This sign-up link is not valid.", 404)
            tracking = referral["referral_data"].get("tracking_id", "")
            items = "".join(f"<li>{escape(f)}</li>" for f in consent_features(referral))
        path = f"/partner-consent/{referral_id}"
        body = (
            "<p>A PayPal partner asks for permission to act on your PayPal business account "
            f"(reference <code>{escape(tracking)}</code>):</p>"
            f'<ul class="permissions">{items}</ul>'
            + _form(f"{path}/grant", "Grant permission", "grant", {})
            + _form(f"{path}/decline", "Decline", "decline", {})
        )
        return html_page("Grant API permission", body)

    def answer(request: Request, referral_id: str, granted: bool) -> Response:
        with state.lock:
            referral = state.table(REFERRALS).get(referral_id)
            if referral is None:
                return message("Link expired", "This sign-up link is not valid.", 404)
            params = answer_referral(state, referral, granted, base_url(request))
            override = referral["referral_data"].get("partner_config_override") or {}
            return_url = override.get("return_url")
        if not return_url:
            title = "Permission granted" if granted else "Permission declined"
            return message(title, "You can close this window.")
        return redirect(with_query(return_url, params))

    def grant(request: Request, referral_id: str) -> Response:
        return answer(request, referral_id, True)

    def decline(request: Request, referral_id: str) -> Response:
        return answer(request, referral_id, False)

    return [
        Rule("/partner-consent/<referral_id>", endpoint=consent_page, methods=["GET"]),
        Rule("/partner-consent/<referral_id>/grant", endpoint=grant, methods=["POST"]),
        Rule("/partner-consent/<referral_id>/decline", endpoint=decline, methods=["POST"]),
    ]


def routes(state: SandboxState) -> list[Rule]:
    return [*_order_routes(state), *_ec_routes(state), *_consent_routes(state)]
