"""The progress check at two as a PDF for the parents (reportlab).

`two_year_check_story` gives the check as platypus flowables, so another document (the records pack a child
takes to school) can include the same section; `two_year_check_pdf` wraps it as a document of its own.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer

from .dates import day_text
from .models import CHECK_FIELDS, TwoYearCheck


def _para(text: str, style) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def two_year_check_story(check: TwoYearCheck) -> list[Flowable]:
    """The check's section: the child, the prime areas and the rest under the headings of its form version."""
    styles = getSampleStyleSheet()
    child = check.child
    story: list[Flowable] = [
        _para(f"Progress check at age two: {child.name}", styles["Heading1"]),
        _para(f"Born {day_text(child.date_of_birth)}. {child.setting.name}.", styles["Normal"]),
    ]
    if check.signed_off_at:
        who = check.signed_off_by.get_full_name() if check.signed_off_by else ""
        story.append(_para(f"Signed off by {who}, key person, on {day_text(check.signed_off_at)}.",
                           styles["Normal"]))
    story.append(Spacer(1, 4 * mm))
    for name in CHECK_FIELDS:
        value = getattr(check, name)
        if value:
            story += [_para(check.template.prompt(name), styles["Heading3"]), _para(value, styles["Normal"])]
    if check.concern:
        story += [_para("What we would like to look at together", styles["Heading3"]),
                  _para(check.concern_notes, styles["Normal"])]
    if check.parents_view:
        story += [_para("Your view", styles["Heading3"]), _para(check.parents_view, styles["Normal"])]
    if check.delay_reason:
        story += [_para("Why the check was made later", styles["Heading3"]), _para(check.delay_reason,
                                                                                    styles["Normal"])]
    story.append(_para(f"Form version {check.template.version}.", styles["Italic"]))
    return story


def two_year_check_pdf(check: TwoYearCheck) -> bytes:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, title=f"Progress check at two: {check.child.name}",
                                 leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm, bottomMargin=18 * mm)
    document.build(two_year_check_story(check))
    return buffer.getvalue()
