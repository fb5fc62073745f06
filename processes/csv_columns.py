"""The columns of each CSV a setting brings in (and takes out): what each holds, whether it must be filled, and
how its text is read. The import page, the downloadable templates, the exports and the README read this table.

Cells are read with django-import-export's widgets (dates as YYYY-MM-DD or DD/MM/YYYY, whole numbers, yes/no),
so a cell that cannot be read is reported with the row and column like any other refusal.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from import_export.widgets import BooleanWidget, DateWidget, IntegerWidget, Widget

from . import sessions
from .errors import RuleViolation
from .models import ImportKind

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


class YesNoWidget(BooleanWidget):
    TRUE_VALUES = [*BooleanWidget.TRUE_VALUES, "yes", "Yes", "YES", "y", "Y"]
    FALSE_VALUES = [*BooleanWidget.FALSE_VALUES, "no", "No", "NO", "n", "N"]


@dataclass(frozen=True)
class Column:
    name: str
    help: str
    example: str = ""
    required: bool = False
    widget: Widget | None = None
    special: bool = False  # special-category data (health, SEN, family): exported only to those who may see it
    coming: bool = False  # documented, not read yet

    def read(self, raw: str | None):
        text = (raw or "").strip()
        if not text:
            if self.required:
                raise RuleViolation(f"{self.name} is required.", field=self.name)
            return None if self.widget is not None else ""
        if self.widget is None:
            return text
        if isinstance(self.widget, BooleanWidget) and text not in self.widget.TRUE_VALUES + self.widget.FALSE_VALUES:
            raise RuleViolation(f"{self.name}: write yes or no, not {text!r}.", field=self.name)
        try:
            return self.widget.clean(text)
        except (ValueError, TypeError, ArithmeticError):
            kind = "a date (YYYY-MM-DD)" if isinstance(self.widget, DateWidget) else "a whole number"
            raise RuleViolation(f"{self.name}: {text!r} is not {kind}.", field=self.name) from None


DATE = DateWidget()
DATE.formats = DATE_FORMATS  # the widget takes one format as an argument; it tries each of these
NUMBER = IntegerWidget()
YES_NO = YesNoWidget()

SESSIONS_HELP = ("Morning and afternoon sessions, separated by spaces: mon_am mon_pm tue_am … fri_pm, or 'all'. "
                 "Empty: none.")
ROLE_NAMES = {"key_person": "is_key_person", "senco": "is_senco", "manager": "is_manager", "dsl": "is_dsl"}

CHILD_KEY = [
    Column("child_first_name", "The child's first name, as in the children file.", "Ava", required=True),
    Column("child_last_name", "The child's last name.", "Khan", required=True),
    Column("child_date_of_birth", "The child's date of birth: with the names, it finds the child.", "2023-05-14",
           required=True, widget=DATE),
]

COLUMNS: dict[str, list[Column]] = {
    ImportKind.ROOMS: [
        Column("name", "The room's name; a room of that name already there is updated.", "Toddlers", required=True),
        Column("min_age_months", "The youngest age the room takes, in months.", "24", required=True, widget=NUMBER),
        Column("max_age_months", "The oldest age, in months (at most 72).", "36", required=True, widget=NUMBER),
        Column("children_per_adult", "The EYFS ratio: children per adult (3 under two, 5 at two, 8 from three).",
               "5", required=True, widget=NUMBER),
    ],
    ImportKind.STAFF: [
        Column("username", "Their log-in name; it finds them again on a second import.", "jsmith", required=True),
        Column("first_name", "First name.", "Jo", required=True),
        Column("last_name", "Last name.", "Smith", required=True),
        Column("email", "E-mail address (they set their password from the log-in page's reset link).",
               "jo.smith@example.org"),
        Column("job_title", "Job title.", "Nursery practitioner"),
        Column("room", "The room they work in, by name (from the rooms file).", "Toddlers"),
        Column("roles", "Any of key_person, senco, manager, dsl, separated by spaces. Empty: key_person.",
               "key_person"),
        Column("working_pattern", SESSIONS_HELP, "mon_am mon_pm tue_am tue_pm"),
        Column("max_caseload", "The most key children they hold as key person (default 8, at most 20).", "8",
               widget=NUMBER),
        Column("sen_experience", "Knowledge or experience of SEN, in a few words.", ""),
        # What the ratios count (processes.ratios; EYFS 3.27, 3.40-3.47).
        Column("qualification_level", "0 (unqualified), 2, 3 (full and relevant) or 6 (QTS, EYTS, EYPS or another "
               "suitable level 6). Empty: 0.", "3", widget=NUMBER),
        Column("qualified_on", "When they gained that qualification (not in the future): a level 2 or 3 gained "
               "from 30 June 2016 counts only with paediatric first aid.", "2019-07-01", widget=DATE),
        Column("first_aid_until", "When their paediatric first aid certificate runs out.", "2027-03-31",
               widget=DATE),
        Column("student", "yes for a student or apprentice. Empty: no.", "no", widget=YES_NO),
        Column("competent", "yes once the setting judges a student or apprentice competent and responsible "
               "(only then do they count in the ratios). Empty: no.", "no", widget=YES_NO),
    ],
    ImportKind.CHILDREN: [
        Column("first_name", "First name.", "Ava", required=True),
        Column("last_name", "Last name.", "Khan", required=True),
        Column("date_of_birth", "Date of birth (not in the future). With the names, it finds the child again.",
               "2023-05-14", required=True, widget=DATE),
        Column("preferred_name", "The name they go by, if not their first name.", ""),
        Column("start_date", "Their first day (not before birth; within two years).", "2025-09-01", widget=DATE),
        Column("room", "Their room, by name (from the rooms file).", "Toddlers"),
        Column("sessions", "Their booking pattern. " + SESSIONS_HELP, "mon_am mon_pm wed_am"),
        Column("home_language", "Home language (default English).", "English"),
        Column("allergies", "Allergies.", "", special=True),
        Column("dietary_needs", "Dietary needs.", "", special=True),
        Column("known_needs", "Known SEN or disabilities at registration.", "", special=True),
        Column("parent_first_name", "A parent or carer (every child has at least one): first name.", "Sara",
               required=True, special=True),
        Column("parent_last_name", "Their last name.", "Khan", required=True, special=True),
        Column("parent_relationship", "How they are related to the child.", "Mother", required=True, special=True),
        Column("parent_email", "Their e-mail address (with the names, it finds them again).",
               "sara.khan@example.org", special=True),
        Column("parent_phone", "Their phone number.", "07700 900123", special=True),
    ],
    ImportKind.GUARDIANS: [
        *CHILD_KEY,
        Column("first_name", "The parent or carer's first name.", "Omar", required=True, special=True),
        Column("last_name", "Their last name.", "Khan", required=True, special=True),
        Column("relationship", "How they are related to the child.", "Father", required=True, special=True),
        Column("email", "E-mail address (with the names, it finds them again: a sibling's parent is linked once "
               "and shared).", "omar.khan@example.org", special=True),
        Column("phone", "Phone number.", "07700 900124", special=True),
        Column("address", "Postal address.", "1 High Street, Leeds", special=True),
        Column("preferred_language", "The language they prefer.", "Urdu", special=True),
        Column("parental_responsibility", "yes or no (default yes).", "yes", widget=YES_NO, special=True),
        Column("primary_contact", "yes or no (default no): one a child.", "no", widget=YES_NO, special=True),
    ],
    ImportKind.ASSIGNMENTS: [
        *CHILD_KEY,
        Column("key_person", "The key person's username (from the staff file).", "jsmith", required=True),
        Column("secondary", "The secondary key person's username.", "apatel"),
        Column("starts_on", "Since when (default today).", "2025-09-01", widget=DATE),
        Column("over_caseload_reason", "Why, when this takes the key person over their maximum caseload.", ""),
    ],
}


def header(kind: str) -> list[str]:
    return [c.name for c in COLUMNS[kind]]


def sessions_read(text: str, *, field: str) -> int:
    codes = text.replace(",", " ").replace(";", " ").split()
    if codes == ["all"]:
        return sessions.ALL
    try:
        return sessions.mask_of(codes)
    except ValueError as exc:
        raise RuleViolation(f"{field}: {exc}.", field=field) from None


def sessions_write(mask: int) -> str:
    return "all" if mask == sessions.ALL else " ".join(sessions.codes_of(mask))


def date_write(day: dt.date | None) -> str:
    return day.isoformat() if day else ""
