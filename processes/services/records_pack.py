"""The records pack for the receiving school or setting, and how it goes (issue 18 part 3).

No pack is made for a recipient without the parents' consent to share with that named school or setting
(ConsentPurpose.SHARE_SCHOOL, recipient = the destination). It goes by hand, by e-mail (the PDF attached), or
through a download link for the named contact: the link and its code are sent in separate e-mails, both are
stored hashed, the link opens once and only until it expires, and every attempt is audited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from ..access import may_see_sen
from ..date_bounds import date_check
from ..errors import RuleViolation
from ..models import (
    ConsentPurpose,
    LeavingPlan,
    PackLink,
    PassedOnKind,
    RecordsPack,
    RecordsPassedOn,
    SentHow,
    TransitionReport,
)
from ..records_pack import PackContext, pack_pdf
from .audit import audit_record
from .consent import consent_in_force
from .leaving import _require_staff_of

# Long enough for the school's office to open its post; short enough that a forwarded link soon dies.
LINK_LIFETIME = dt.timedelta(days=7)
# A six-digit code could be guessed given time: after this many wrong ones the link is dead.
WRONG_CODES_ALLOWED = 5


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def pack_refusal(plan: LeavingPlan) -> str:
    """Why no pack may be made for the plan's recipient now, or "" (the step's page says it)."""
    if consent_in_force(child=plan.child, purpose=ConsentPurpose.SHARE_SCHOOL, recipient=plan.recipient) is None:
        return (f"No records pack for {plan.recipient}: the parents' consent to share {plan.child.name}'s records "
                "with them is not in force. Ask the parents again, or hand the learning record to them alone.")
    return ""


def records_pack_make(*, plan: LeavingPlan, by, include_sen: bool = False, send: str = "",
                      link_url=None) -> RecordsPack:
    """The PDF of the transition report (and the SEN records, where the parents agreed and the maker may see
    them), for the plan's school or setting, with the parents' consent to share with it in force; and, with
    `send`, sent at once (records_pack_send's ways)."""
    child = plan.child
    _require_staff_of(by, child, "make the records pack")
    consent = consent_in_force(child=child, purpose=ConsentPurpose.SHARE_SCHOOL, recipient=plan.recipient)
    if consent is None:
        raise RuleViolation(pack_refusal(plan))
    report = TransitionReport.objects.select_related("written_by").filter(plan=plan).first()
    if report is None:
        raise RuleViolation("Write the transition report before making the pack.")
    plan.report = report
    if include_sen and not may_see_sen(by, child):
        raise RuleViolation("Only the key person, the SENCO or the manager may add the SEN records.",
                            field="include_sen")
    pdf = pack_pdf(PackContext(child=child, plan=plan, include_sen=include_sen))
    pack = RecordsPack.objects.create(plan=plan, recipient=plan.recipient, consent=consent, pdf=pdf,
                                      includes_sen=include_sen, made_by=by)
    audit_record(actor=by, action="create", record=pack, child_id=child.pk, setting_id=child.setting_id,
                 summary=f"Records pack made for {plan.recipient}" + (" with the SEN records" if include_sen else ""))
    if send:
        _send(pack, by, send, link_url)
    return pack


@dataclass(frozen=True)
class Sent:
    pack: RecordsPack
    link: PackLink | None = None
    token: str = ""  # shown once to nobody: sent in the link's e-mail (tests read it from there)
    code: str = ""


def _filename(pack: RecordsPack) -> str:
    child = pack.plan.child
    return f"records-{child.last_name}-{child.first_name}.pdf".replace(" ", "-").lower()


def records_pack_send(*, pack: RecordsPack, by, how: str, link_url=None) -> Sent:
    """Send the pack: by hand (recorded as given), by e-mail to the named contact, or as a download link.

    `link_url(token)` builds the link's address (the view knows the site's URL; this layer does not).
    """
    _require_staff_of(by, pack.plan.child, "send the records pack")
    if pack_refusal(pack.plan):  # withdrawn since it was made
        raise RuleViolation(pack_refusal(pack.plan))
    return _send(pack, by, how, link_url)


def _send(pack: RecordsPack, by, how: str, link_url) -> Sent:
    plan, child = pack.plan, pack.plan.child
    try:
        how = SentHow(how)
    except ValueError:
        raise RuleViolation("Send the pack by hand, by e-mail or as a download link.", field="how") from None
    if pack.sent_at is not None:
        raise RuleViolation(f"This pack went {pack.get_sent_how_display().lower()} already.")
    pack.sent_how, pack.sent_at = how, timezone.now()
    pack.save(update_fields=["sent_how", "sent_at"])
    sent = Sent(pack=pack)
    setting = child.setting.name
    if how == SentHow.EMAIL:
        message = EmailMessage(
            subject=f"Records of {child.first_name} {child.last_name} from {setting}",
            body=(f"Dear {plan.contact_name},\n\nWith the parents' consent, {setting} sends the records of "
                  f"{child.first_name} {child.last_name}, who joins {plan.destination}. Please confirm you have "
                  "received them by replying to this e-mail.\n"),
            to=[plan.contact_email])
        message.attach(_filename(pack), bytes(pack.pdf), "application/pdf")
        transaction.on_commit(message.send)
    elif how == SentHow.LINK:
        if link_url is None:
            raise RuleViolation("A download link needs the site's address.")
        token, code = secrets.token_urlsafe(32), f"{secrets.randbelow(10**6):06d}"
        link = PackLink.objects.create(pack=pack, token_hash=_hash(token), code_hash=_hash(code),
                                       expires_at=timezone.now() + LINK_LIFETIME, created_by=by)
        sent = Sent(pack=pack, link=link, token=token, code=code)
        intro = f"Dear {plan.contact_name},\n\n"
        # Two e-mails: someone who sees only one of them cannot open the records.
        link_mail = EmailMessage(
            subject=f"Records of {child.first_name} {child.last_name}: download link",
            body=(intro + f"{setting} shares {child.first_name}'s records with {plan.destination}, with the "
                  f"parents' consent. Open this link (once, until {link.expires_at:%d %b %Y}):\n\n"
                  f"{link_url(token)}\n\nThe code it asks for comes in a separate e-mail.\n"),
            to=[plan.contact_email])
        code_mail = EmailMessage(subject=f"Code for the records of {child.first_name} {child.last_name}",
                                 body=intro + f"The code for the download link: {code}\n", to=[plan.contact_email])
        transaction.on_commit(link_mail.send)
        transaction.on_commit(code_mail.send)
    audit_record(actor=by, action="send", record=pack, child_id=child.pk, setting_id=child.setting_id,
                 summary=f"Records pack sent to {plan.recipient} ({how.label.lower()})")
    return sent


def _passed_on(pack: RecordsPack, by, on: dt.date) -> None:
    # The SEN records now sit with the next school: our copy follows the general retention period.
    if pack.includes_sen and not RecordsPassedOn.objects.filter(child=pack.plan.child, kind=PassedOnKind.SEN).exists():
        RecordsPassedOn.objects.create(child=pack.plan.child, kind=PassedOnKind.SEN, recipient=pack.recipient,
                                       passed_on=on, recorded_by=by if by is not None else pack.made_by)


def records_pack_receipt(*, pack: RecordsPack, by, received_on: dt.date, note: str = "") -> RecordsPack:
    """The school or setting confirmed it received the pack (by phone, e-mail, or by hand)."""
    child = pack.plan.child
    _require_staff_of(by, child, "record that the records were received")
    if pack.sent_at is None:
        raise RuleViolation("The pack has not been sent yet.")
    date_check(received_on, what="The day the records were received", field="received_on",
               not_before=[(timezone.localdate(pack.sent_at), "the day they were sent")])
    pack.received_on, pack.receipt_note = received_on, note.strip()[:200]
    pack.save(update_fields=["received_on", "receipt_note"])
    _passed_on(pack, by, received_on)
    audit_record(actor=by, action="receive", record=pack, child_id=child.pk, setting_id=child.setting_id,
                 summary=f"{pack.recipient} confirmed receipt of the records pack")
    return pack


@dataclass(frozen=True)
class Opened:
    pack: RecordsPack | None
    refusal: str = ""


def pack_link_open(*, token: str, code: str, contact_name: str, ip: str = "") -> Opened:
    """The receiving school's contact opens the link with the code and confirms receipt: the pack once.

    Every attempt is audited, refused or not; a refusal writes its row and changes nothing else. The link is
    spent by the first successful download, and dead after its time.
    """
    with transaction.atomic():
        link = (PackLink.objects.select_for_update().select_related("pack__plan__child")
                .filter(token_hash=_hash(token)).first())
        refusal = ""
        if link is None:
            refusal = "This link is not known."
        elif link.used_at is not None:
            refusal = "This link has been used already: ask the setting for a new one."
        elif timezone.now() >= link.expires_at:
            refusal = "This link has expired: ask the setting for a new one."
        elif link.wrong_codes >= WRONG_CODES_ALLOWED:
            refusal = "Too many wrong codes were typed: this link no longer works. Ask the setting for a new one."
        elif not secrets.compare_digest(_hash(code.strip()), link.code_hash):
            refusal = "The code does not match. Check the separate e-mail with the code."
            link.wrong_codes += 1
            link.save(update_fields=["wrong_codes"])
        elif not contact_name.strip():
            refusal = "Give your name to confirm you received the records."
        child = link.pack.plan.child if link else None
        where = {"record": link, "child_id": child.pk, "setting_id": child.setting_id} if link else {
            "record_type": "processes.PackLink"}
        if refusal:
            audit_record(actor=None, action="download", outcome="refused", summary=f"Records pack download "
                         f"refused: {refusal}", changes={"ip": ip}, **where)
            return Opened(pack=None, refusal=refusal)
        link.used_at = timezone.now()
        link.save(update_fields=["used_at"])
        pack = link.pack
        pack.received_on = timezone.localdate()
        pack.receipt_note = f"Downloaded and confirmed by {contact_name.strip()}"[:200]
        pack.save(update_fields=["received_on", "receipt_note"])
        _passed_on(pack, None, pack.received_on)
        audit_record(actor=None, action="download", summary=f"Records pack downloaded by {contact_name.strip()} "
                     f"for {pack.recipient}", changes={"ip": ip}, **where)
        return Opened(pack=pack)
