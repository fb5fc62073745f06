"""What the consent screen reads: a child's decisions as threads (one per purpose and recipient, newest first),
and what withdrawing a grant would stop. Writes go through processes.services.consent."""

from __future__ import annotations

from dataclasses import dataclass, field

from .models import Child, Consent, ConsentPurpose, ConsentStatus
from .services.consent import consent_recipient_matches
from .signals import consent_withdrawal_asked


@dataclass
class ConsentThread:
    """One purpose (and named recipient): the decision in force first, then the earlier ones."""

    purpose: ConsentPurpose
    recipient: str
    decisions: list[Consent] = field(default_factory=list)

    @property
    def latest(self) -> Consent | None:
        return self.decisions[0] if self.decisions else None

    @property
    def in_force(self) -> bool:
        return self.latest is not None and self.latest.status == ConsentStatus.GRANTED


@dataclass(frozen=True)
class StoppedStep:
    """An open step a withdrawal would cancel, in the words its page uses."""

    title: str
    process: str
    holder: str
    due: object = None


def consent_threads(child: Child) -> list[ConsentThread]:
    """Every purpose, asked or not, each with its decisions newest first; one query.

    Which entries belong together is the consent service's rule (consent_recipient_matches), not this page's.
    """
    history = child.consents.select_related("guardian", "recorded_by").order_by("-recorded_at", "-id")
    threads: list[ConsentThread] = []
    for consent in history:
        thread = next((t for t in threads if t.purpose == consent.purpose
                       and consent_recipient_matches(t.recipient, consent.recipient)), None)
        if thread is None:
            thread = ConsentThread(purpose=ConsentPurpose(consent.purpose), recipient=consent.recipient)
            threads.append(thread)
        thread.decisions.append(consent)
    asked = {t.purpose for t in threads}
    threads += [ConsentThread(purpose=p, recipient="") for p in ConsentPurpose if p not in asked]
    order = list(ConsentPurpose)
    return sorted(threads, key=lambda t: (order.index(t.purpose), t.recipient.casefold()))


def withdrawal_stops(*, child: Child, purpose: str, recipient: str, user) -> list[StoppedStep]:
    """The open steps a withdrawal of this consent would stop now (the workflows answer; none without them)."""
    steps: list[StoppedStep] = []
    for _receiver, answer in consent_withdrawal_asked.send(
        sender=Consent, child=child, purpose=purpose, recipient=recipient, user=user
    ):
        steps.extend(answer or [])
    return steps
