"""The records pack: a PDF (reportlab) for the receiving school or setting, readable as text (issue 18 part 3).

Built from a list of section builders, each given the pack's context and returning reportlab flowables, or
nothing when it has nothing to say: the cover, the transition report, the progress check at two (its own
section, processes.two_year_check_pdf), the SEN records. Another section is one line: add its builder to
PACK_SECTIONS (or `section_register` it from whichever module builds it).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer

from .dates import day_text
from .models import Child, LeavingPlan
from .sen_record import sen_concerns_of
from .two_year_check_pdf import two_year_check_story

_styles = getSampleStyleSheet()
H1, H2, BODY = _styles["Title"], _styles["Heading2"], _styles["BodyText"]


@dataclass(frozen=True)
class PackContext:
    child: Child
    plan: LeavingPlan
    include_sen: bool


SectionBuilder = Callable[[PackContext], "list[Flowable] | None"]


def text(value: str) -> list[Flowable]:
    """Free text as paragraphs, escaped (a "<" typed by a practitioner is a "<", not markup)."""
    lines = [line for line in (value or "").splitlines() if line.strip()] or ["(nothing recorded)"]
    return [Paragraph(escape(line), BODY) for line in lines]


def heading(title: str) -> list[Flowable]:
    return [Spacer(1, 4 * mm), Paragraph(escape(title), H2)]


def cover(ctx: PackContext) -> list[Flowable]:
    child, plan = ctx.child, ctx.plan
    return [
        Paragraph(escape(f"Records of {child.first_name} {child.last_name}"), H1),
        Paragraph(escape(f"Date of birth: {day_text(child.date_of_birth)}"), BODY),
        Paragraph(escape(f"From: {child.setting.name}"), BODY),
        Paragraph(escape(f"For: {plan.destination} ({plan.contact_name})"), BODY),
        Paragraph(escape(f"Leaving on: {day_text(plan.leaving_on)}"), BODY),
        Paragraph("Shared with the parents' consent. Keep it confidential.", BODY),
    ]


def transition_report(ctx: PackContext) -> list[Flowable] | None:
    report = getattr(ctx.plan, "report", None)
    if report is None:
        return None
    flowables = heading("Transition report")
    flowables.append(Paragraph(escape(f"Written by {report.written_by.get_full_name() or report.written_by}"
                                      f" on {day_text(report.written_at)}"), BODY))
    for title, value in report.sections():
        flowables += [Paragraph(f"<b>{escape(title)}</b>", BODY), *text(value)]
    return flowables


def two_year_check(ctx: PackContext) -> list[Flowable] | None:
    """The progress check at two as signed off (EYFS 2.5), in the section the parents' copy has."""
    check = (ctx.child.two_year_checks.filter(signed_off_at__isnull=False)
             .select_related("signed_off_by", "template", "child__setting").order_by("-signed_off_at").first())
    return [Spacer(1, 4 * mm), *two_year_check_story(check)] if check else None


def sen_records(ctx: PackContext) -> list[Flowable] | None:
    """Only where the parents agreed and the setting holds any (SEND Code 0-25: records follow the child)."""
    if not ctx.include_sen:
        return None
    concerns = list(sen_concerns_of(ctx.child))
    if not concerns:
        return None
    flowables = heading("SEN records")
    for concern in concerns:
        flowables.append(Paragraph(escape(f"Concern raised {day_text(concern.raised_at)} "
                                          f"({concern.get_status_display()})"), BODY))
        flowables += text(concern.observed)
        for decision in concern.decisions.all():
            flowables.append(Paragraph(escape(f"SENCO decision: {decision.get_decision_display()}"), BODY))
            flowables += text(decision.reasons)
        for plan in concern.plans.all():
            flowables.append(Paragraph(escape(f"Support plan, cycle {plan.cycle}, from {day_text(plan.starts_on)}"),
                                       BODY))
            flowables += text(plan.strategies)
            flowables += [Paragraph(escape(f"Target: {t.description}"), BODY) for t in plan.targets.all()]
        for referral in concern.referrals.all():
            flowables.append(Paragraph(escape(f"Referred to {referral.recipient} on {day_text(referral.sent_on)}"),
                                       BODY))
    return flowables


PACK_SECTIONS: list[SectionBuilder] = [cover, transition_report, two_year_check, sen_records]


def section_register(builder: SectionBuilder, *, before: SectionBuilder | None = sen_records) -> None:
    """Add a section (the progress check at two goes before the SEN records); registering again replaces."""
    if builder in PACK_SECTIONS:
        PACK_SECTIONS.remove(builder)
    PACK_SECTIONS.insert(PACK_SECTIONS.index(before) if before in PACK_SECTIONS else len(PACK_SECTIONS), builder)


def pack_pdf(ctx: PackContext) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, title=f"Records of {ctx.child.name}",
                            author=ctx.child.setting.name, leftMargin=18 * mm, rightMargin=18 * mm)
    story: list[Flowable] = []
    for builder in PACK_SECTIONS:
        story += builder(ctx) or []
    doc.build(story)
    return buffer.getvalue()
