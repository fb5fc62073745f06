"""A child's health facts as they stand now: the record's, overlaid by the newer "all about me".

"All about me" is completed with the parents before the first day (seed policies 003, 004), after registration:
an allergy the parents tell the key person there ("PEANUTS - severe, carries EpiPen") is the current fact, and
the record must never go on saying "None known" beside it. What was registered stays on the record too.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import AllAboutMe, Child


@dataclass(frozen=True)
class HealthFacts:
    allergies: str
    dietary_needs: str
    home_language: str
    about: AllAboutMe | None  # the whole "all about me", for the record's own section


def current_fact(told: str, registered: str) -> str:
    told, registered = (told or "").strip(), (registered or "").strip()
    if told and registered and told.casefold() != registered.casefold():
        return f"{told}\n(At registration: {registered})"
    return told or registered


def health_facts(child: Child) -> HealthFacts:
    about = AllAboutMe.objects.filter(child=child).select_related("completed_by").first()
    return HealthFacts(
        allergies=current_fact(about.allergies if about else "", child.allergies),
        dietary_needs=current_fact(about.feeding if about else "", child.dietary_needs),
        home_language=(about.home_language if about and about.home_language else child.home_language),
        about=about,
    )
