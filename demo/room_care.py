"""The demo's room worth opening at /rooms/<id>/: the Toddlers' care cards (issue 17 part 3).

Every toddler gets what the staff of the room need to care for them (medical notes and who collects, from the
manager; routines, sleep and comforters in "all about me", from their key person), so Jade Thompson
(keyperson1, based in the Toddlers) sees all of it for her colleagues' key children too, and the key person
board for the room's wall has every key person and secondary on it. Built through the services only.
"""

from __future__ import annotations

from processes.models import Child
from processes.models.children import ATTENDING
from processes.services import all_about_me_record, child_update

from .context import DemoContext

ROOM = "toddlers"
# first name -> (medical notes, who collects, routines, sleep, comforters)
CARE = {
    "Riya": ("", "Mum or Dad; Nani Patel on Fridays", "Snack at 10 and 2:30; likes to wash her own hands",
             "Sleeps 12:30-14:00, needs her blanket tucked in", "Pink blanket"),
    "Oscar": ("Eczema: emollient cream after handwashing (in his bag)", "Mum; Uncle Dan (password: conker)",
              "Drinks from an open cup; potty after lunch", "Does not nap on mornings", ""),
    "Amelia": ("", "Mum, Dad or Bibi Kaur", "Vegetarian lunches; quiet time with books after lunch",
               "Short nap 13:00, sings herself to sleep", "Teddy called Sher"),
    "Leo": ("Asthma: blue inhaler (in the office) before outdoor play and when wheezy", "Mum or Dad only",
            "Nappies; changing at 10, 12 and 2", "Sleeps 12:00-13:30 on his tummy", "Dummy for sleep only"),
    "Ruby": ("Febrile convulsions in the past: call 999 and the parents if she has a fit",
             "Mum, Dad, Grandad Kofi", "Toilet training: reminders every hour", "Sleeps 12:30-14:30", "Blue bunny"),
    "Jakub": ("", "Mum or Babcia Wiśniewska (password: bursztyn)", "Settles with Polish songs; snack at 10",
              "Does not nap on mornings", "Toy tractor"),
    "Isla": ("", "Dad or Granny MacDonald", "Nappies; changing at 11 and 2", "Sleeps 13:00-14:00", "Muslin"),
    "Ayesha": ("", "Mum or Dad", "Halal lunches; likes a cuddle at drop-off", "Sleeps 12:30-13:30", ""),
    "Theo": ("", "Mum, Dad or Nana Marshall", "Toilet trained; visiting Pre-school in the mornings",
             "No longer naps", "Dinosaur"),
    "Mia": ("", "Mum or Dad", "Still settling: her key person greets her at the door",
            "Sleeps in the buggy 12:00-13:00", "Dummy and a muslin"),
    "Harrison": ("", "Mum or Dad", "Starting soon: visits with Dad first", "Sleeps 13:00-14:00", "Toy car"),
    "Layla": ("Sickle cell disease: plenty to drink, kept warm outdoors; call the parents if she is in pain",
              "Mum or Dad", "Starting soon",
              "Sleeps 12:30-14:00", "Her mum's scarf"),
}


def build_room_care(ctx: DemoContext) -> None:
    toddlers = Child.objects.filter(room=ctx.rooms[ROOM], state__in=ATTENDING).order_by("pk")
    for child in toddlers:
        care = CARE.get(child.first_name)
        if care is None:
            continue
        medical, collects, routines, sleep, comforters = care
        child_update(child=child, by=ctx.manager, medical_notes=medical, collected_by=collects)
        primary = ctx.primary_of(child)
        all_about_me_record(child=child, by=primary.user if primary else ctx.manager, routines=routines,
                            sleep=sleep, comforters=comforters)
