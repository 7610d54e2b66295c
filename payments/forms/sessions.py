"""The form that creates and edits a priced session, and the one way it is saved.

Start times are typed and shown in the **site's** time zone, not the server's nor the
browser's: ``dd/mm/yyyy HH:MM`` (the console's date format) or what a browser's
``datetime-local`` picker sends (``yyyy-mm-ddTHH:MM``).
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from sites import history
from sites.dates import SiteDateTimeField, format_moment
from sites.inputs import TextInputsForm
from sites.models import KINDS_BY_SERVICE, LIVE_KINDS, Service, Session, SessionKind, Site

MAX_FEE = Decimal("99999999.99")


class OrganizerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        full = user.get_full_name()
        return f"{full} ({user.get_username()})" if full else user.get_username()


class SessionForm(TextInputsForm, forms.ModelForm):
    """Title, service, kind, program, start time (live kinds), fee, and — for site
    administrators — the organizer (a member of the site; the current user by default)."""

    service = forms.ChoiceField(
        label=_("Service"), choices=Service.choices, widget=forms.RadioSelect
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", "---------"), *SessionKind.choices],
        help_text=_(
            "Webex Events: live event or event recording. "
            "Webex Training: live training session or training recording."
        ),
    )
    fee = forms.DecimalField(
        label=_("Fee"),
        min_value=Decimal("0"),
        max_value=MAX_FEE,  # the column's 10 digits; says so in plain words
        decimal_places=2,
        localize=True,
        help_text=_("0 makes the session free: it then has no payment page."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    class Meta:
        model = Session
        fields = ["title", "service", "kind", "program", "starts_at", "fee", "organizer"]

    def __init__(self, *args, site: Site, user, can_choose_organizer: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site
        self.user = user
        self.fields["starts_at"] = SiteDateTimeField(
            tz=site.tzinfo,
            label=_("Start time"),
            required=False,
            help_text=_("dd/mm/yyyy HH:MM, in the site's time zone (%(tz)s). Live kinds only.")
            % {"tz": site.time_zone},
        )
        self.fields["fee"].label = _("Fee (%(currency)s)") % {"currency": site.currency}
        self.fields["program"].help_text = _("Optional.")
        if can_choose_organizer:
            members = get_user_model().objects.filter(memberships__site=site).order_by("username")
            self.fields["organizer"] = OrganizerChoiceField(
                queryset=members, label=_("Organizer"), required=False
            )
            if not self.instance.pk and not self.initial.get("organizer"):
                self.initial["organizer"] = user.pk
        else:
            del self.fields["organizer"]

    def clean(self):
        data = super().clean()
        service, kind = data.get("service"), data.get("kind")
        if service and kind and kind not in KINDS_BY_SERVICE[Service(service)]:
            self.add_error("kind", _("This kind does not belong to the chosen service."))
        if kind in LIVE_KINDS and not data.get("starts_at") and "starts_at" not in self.errors:
            self.add_error("starts_at", _("A live session needs a start time."))
        return data

    def _post_clean(self):
        # The model's own clean() repeats the checks above; skip it when they already failed,
        # so that one mistake is reported once.
        if self.errors:
            return
        super()._post_clean()


def _snapshot(session: Session, tz) -> dict[str, str]:
    organizer = session.organizer
    return {
        "title": session.title,
        "service": session.service,
        "kind": session.kind,
        "program": session.program,
        "starts_at": format_moment(session.starts_at, tz),
        "fee": f"{session.fee:.2f}" if session.fee is not None else "",
        "organizer": organizer.get_username() if organizer else "",
    }


@transaction.atomic
def save_session(form: SessionForm, actor) -> Session:
    """Save a valid session form (the site's, the actor as organizer by default) and record
    one revision naming the session and each changed field (old → new)."""
    site = form.site
    session: Session = form.instance
    creating = session.pk is None
    if creating:
        before = dict.fromkeys(_snapshot(session, site.tzinfo), "")
    else:
        before = _snapshot(Session.objects.get(pk=session.pk), site.tzinfo)
    session = form.save(commit=False)
    session.site = site
    if creating and "organizer" not in form.fields:
        session.organizer = actor
    session.save()
    after = _snapshot(session, site.tzinfo)
    labels = {name: Session._meta.get_field(name) for name in after}
    changes = history.diff(before, after, labels)

    def summary() -> str:
        return (
            _("Session “%(title)s” (#%(id)d) created")
            if creating
            else _("Session “%(title)s” (#%(id)d) updated")
        ) % {"title": session.title, "id": session.pk}

    if changes:
        history.record(site, actor, "sessions", changes, summary=summary)
    return session
