"""The demo setting's data: Little Acorns Nursery, its rooms, staff, families and children. All made up.

To add a child at a given stage, add a row to CHILDREN; the builder (demo.build) takes it through the steps of
its stage (demo.steps).
"""

from __future__ import annotations

from typing import Any

from processes import sessions
from processes.models import ConsentStatus, LifecycleState

S = LifecycleState

SEED = 20260901
DEMO_PASSWORD = "keyflow-demo"
ORGANISATION_NAME = "Acorn Early Years Ltd"
SETTING_NAME = "Little Acorns Nursery"
SETTING_DETAILS = {
    "ofsted_urn": "EY563218",
    "address": "12 Chestnut Walk, Oakbridge, OB4 7QT",
    "email": "office@littleacorns.example.org",
}
TOWN = "Oakbridge"
STREETS = (
    "Mill Lane", "Church Road", "Victoria Street", "Orchard Close", "Station Road", "Park Avenue",
    "Elm Grove", "Meadow Way", "Queen's Road", "Willow Crescent", "Brook Street", "Hawthorn Drive",
)
SCHOOLS = (
    "Oakbridge Primary School",
    "St Anne's C of E Primary School",
    "Our Lady of Lourdes Catholic Primary School",
    "Chestnut Walk Infant School",
    "Meadowbank Primary Academy",
)

# key: (name, youngest in months, up to (not including) months, children per adult, leaves for school)
ROOMS = {
    "babies": ("Babies 0–2", 0, 24, 3, False),
    "toddlers": ("Toddlers 2–3", 24, 36, 5, False),  # EYFS: 1:5 for two-year-olds since September 2023
    "preschool": ("Pre-school 3–5", 36, 60, 8, True),
}

_WEEK = sessions.CODES
PATTERNS = {
    "full_week": _WEEK,
    "mornings": tuple(c for c in _WEEK if c.endswith("_am")),
    "afternoons": tuple(c for c in _WEEK if c.endswith("_pm")),
    "mon_thu": tuple(c for c in _WEEK if c[:3] in ("mon", "tue", "wed", "thu")),
    "mon_wed": tuple(c for c in _WEEK if c[:3] in ("mon", "tue", "wed")),
    "wed_fri": tuple(c for c in _WEEK if c[:3] in ("wed", "thu", "fri")),
    "tue_thu": tuple(c for c in _WEEK if c[:3] in ("tue", "thu")),
    "thu_fri": tuple(c for c in _WEEK if c[:3] in ("thu", "fri")),
    "mwf": tuple(c for c in _WEEK if c[:3] in ("mon", "wed", "fri")),
}

SENCO_EXPERIENCE = (
    "Level 3 SENCO award; eight years supporting children with autism and speech and language needs; "
    "has led EHC needs assessment requests; Makaton trained."
)
DEPUTY_EXPERIENCE = (
    "Four years in a specialist nursery for children with complex medical needs; trained to support "
    "children with a hearing impairment."
)

# username, first name, last name, job title, room, roles, working pattern, max caseload, buddy, SEN experience.
# The buddy is the colleague who is secondary key person for this person's key children: the one who steps
# in when they are away (seed policies: "a secondary key worker available ... should the key worker be absent").
STAFF = [
    ("manager", "Sarah", "Whitfield", "Nursery manager", None, {"manager", "dsl"}, "full_week", 6, None, ""),
    ("senco", "Priya", "Sharma", "SENCO and pre-school practitioner", "preschool", {"senco", "key_person"},
     "mon_thu", 6, "hannah.clarke", SENCO_EXPERIENCE),
    ("keyperson1", "Jade", "Thompson", "Toddler room leader", "toddlers", {"key_person"}, "full_week", 8,
     "liam.oconnor", ""),
    ("keyperson2", "Tom", "Okafor", "Early years teacher", "preschool", {"key_person"}, "full_week", 10,
     "hannah.clarke", ""),
    ("chloe.evans", "Chloe", "Evans", "Baby room leader", "babies", {"key_person"}, "full_week", 6,
     "agnieszka.nowak", ""),
    ("agnieszka.nowak", "Agnieszka", "Nowak", "Nursery practitioner", "babies", {"key_person"}, "mon_wed", 6,
     "chloe.evans", ""),
    ("megan.hughes", "Megan", "Hughes", "Nursery practitioner", "babies", {"key_person"}, "mornings", 6,
     "chloe.evans", ""),
    ("aisha.begum", "Aisha", "Begum", "Nursery practitioner", "toddlers", {"key_person"}, "mornings", 6,
     "keyperson1", ""),
    ("liam.oconnor", "Liam", "O'Connor", "Nursery practitioner", "toddlers", {"key_person"}, "wed_fri", 6,
     "keyperson1", ""),
    ("hannah.clarke", "Hannah", "Clarke", "Deputy manager", "preschool", {"key_person", "dsl"}, "full_week", 8,
     "keyperson2", DEPUTY_EXPERIENCE),
    ("zainab.hussain", "Zainab", "Hussain", "Nursery practitioner", "preschool", {"key_person"}, "wed_fri", 7,
     "keyperson2", ""),
]

# Who is away now: (username, days before today, days after today, reason). Their key children's secondary
# covers for them meanwhile.
ABSENCES = [
    ("hannah.clarke", 2, 4, "Annual leave"),
]

# The log-ins `load_demo` prints: (username, what they are).
LOGINS = [
    ("manager", "manager"),
    ("senco", "SENCO"),
    ("keyperson1", "key person, Toddlers"),
    ("keyperson2", "key person, Pre-school"),
    ("areamanager", "area manager: both settings' figures"),
]

PR, NO_PR = True, False
# Parents and carers by family: (first name, last name, relationship, parental responsibility). The first one
# listed is the primary contact. Siblings share a family, and so share its parents/carers.
FAMILIES = {
    "bennett": [("Laura", "Bennett", "Mother", PR), ("Mark", "Bennett", "Father", PR)],
    "adeyemi": [("Funmilayo", "Adeyemi", "Mother", PR), ("Tunde", "Adeyemi", "Father", PR)],
    "kowalski": [("Magdalena", "Kowalska", "Mother", PR), ("Piotr", "Kowalski", "Father", PR)],
    "khan": [("Sana", "Khan", "Mother", PR), ("Imran", "Khan", "Father", PR)],
    "robinson": [("Kelly", "Robinson", "Mother", PR)],
    "campbell": [("Fiona", "Campbell", "Mother", PR), ("Ross", "Campbell", "Father", PR)],
    "davies": [("Rhian", "Davies", "Mother", PR), ("Gareth", "Davies", "Father", PR)],
    "fletcher": [("Emma", "Fletcher", "Mother", PR), ("Sophie", "Fletcher", "Mother", PR)],
    "nguyen": [("Linh", "Nguyen", "Mother", PR), ("Minh", "Nguyen", "Father", PR)],
    "popescu": [("Elena", "Popescu", "Mother", PR), ("Andrei", "Popescu", "Father", PR)],
    "walsh": [("Claire", "Walsh", "Mother", PR), ("Sean", "Walsh", "Father", PR)],
    "patel": [("Nisha", "Patel", "Mother", PR), ("Rajesh", "Patel", "Father", PR)],
    "whitaker": [("Rebecca", "Whitaker", "Mother", PR), ("James", "Whitaker", "Father", PR)],
    "kaur": [("Jaspreet", "Kaur", "Mother", PR), ("Harpreet", "Singh", "Father", PR)],
    "brennan": [("Daniel", "Brennan", "Father", PR)],
    "osei": [("Abena", "Osei", "Mother", PR), ("Kwame", "Osei", "Father", PR)],
    "wisniewski": [("Katarzyna", "Wiśniewska", "Mother", PR), ("Tomasz", "Wiśniewski", "Father", PR)],
    "macdonald": [("Kirsty", "MacDonald", "Mother", PR)],
    "rahman": [("Shirin", "Rahman", "Mother", PR), ("Abdul", "Rahman", "Father", PR)],
    "marshall": [("Gemma", "Marshall", "Mother", PR), ("Paul", "Marshall", "Father", PR)],
    "ionescu": [("Ioana", "Ionescu", "Mother", PR), ("Mihai", "Ionescu", "Father", PR)],
    # Harrison lives with his grandmother, who brings him and is the first contact, but has no parental
    # responsibility: consent has to come from his mother.
    "cole": [("Margaret", "Cole", "Grandmother", NO_PR), ("Stacey", "Cole", "Mother", PR)],
    "ahmed": [("Mariam", "Ahmed", "Mother", PR), ("Omar", "Ahmed", "Father", PR)],
    "price": [("Natalie", "Price", "Mother", PR)],
    "mensah": [("Akosua", "Mensah", "Mother", PR), ("Kofi", "Mensah", "Father", PR)],
    "johnson": [("Kerry", "Johnson", "Mother", PR), ("Dean", "Johnson", "Father", PR)],
    "murphy": [("Siobhan", "Murphy", "Mother", PR), ("Conor", "Murphy", "Father", PR)],
    "iqbal": [("Farah", "Iqbal", "Mother", PR), ("Asif", "Iqbal", "Father", PR)],
    "richardson": [("Helen", "Richardson", "Mother", PR), ("David", "Richardson", "Father", PR)],
    "williams": [("Carys", "Williams", "Mother", PR)],
    "chowdhury": [("Rumana", "Chowdhury", "Mother", PR), ("Faisal", "Chowdhury", "Father", PR)],
    "edwards": [("Lucy", "Edwards", "Mother", PR), ("Ben", "Edwards", "Father", PR)],
    "turner": [("Chelsea", "Turner", "Mother", PR), ("Lee", "Turner", "Father", PR)],
    "lewandowski": [("Anna", "Lewandowska", "Mother", PR), ("Marek", "Lewandowski", "Father", PR)],
    "moore": [("Victoria", "Moore", "Mother", PR), ("Alex", "Moore", "Father", PR)],
    "harris": [("Joanne", "Harris", "Mother", PR), ("Craig", "Harris", "Father", PR)],
    "eze": [("Chioma", "Eze", "Mother", PR), ("Emeka", "Eze", "Father", PR)],
    "scott": [("Amy", "Scott", "Mother", PR)],
    "lawson": [("Rachel", "Lawson", "Mother", PR), ("Matthew", "Lawson", "Father", PR)],
    "reid": [("Nicola", "Reid", "Mother", PR), ("Andrew", "Reid", "Father", PR)],
}

# first name, last name, family, room, age (0 = youngest the room takes, 1 = oldest), stage, sessions,
# home language, extras. Pre-school "age" runs up to the oldest child not yet at school, so 0.5 and over is
# always in the year leaving for school next summer (early in the school year, everyone in the room is).
# Extras: child fields (allergies, dietary_needs, known_needs, preferred_name), "prefers" (the username of the
# parents' preferred key person), "photos" (granted / declined / withdrawn; default granted once started),
# "senco_observation", "share_professional" (the named recipient), "reason" (for leaving or withdrawing).
CHILDREN: list[tuple[str, str, str, str, float, str, str, str, dict[str, Any]]] = [
    # Babies 0–2
    ("Olivia", "Bennett", "bennett", "babies", 0.85, S.SETTLED, "full_week", "English", {}),
    ("Noah", "Adeyemi", "adeyemi", "babies", 0.70, S.SETTLED, "mon_wed", "English", {}),
    ("Zofia", "Kowalska", "kowalski", "babies", 0.60, S.SETTLED, "tue_thu", "Polish", {}),
    ("Inaya", "Khan", "khan", "babies", 0.55, S.SETTLED, "mornings", "Urdu", {}),
    ("Alfie", "Robinson", "robinson", "babies", 0.75, S.SETTLED, "full_week", "English",
     {"allergies": "Cow's milk protein allergy: oat milk only.", "dietary_needs": "Dairy-free."}),
    ("Ava", "Campbell", "campbell", "babies", 0.90, S.SETTLED, "mwf", "English", {}),
    ("Harry", "Davies", "davies", "babies", 0.50, S.SETTLED, "thu_fri", "English", {}),
    ("Maisie", "Fletcher", "fletcher", "babies", 0.45, S.SETTLING_IN, "mon_wed", "English", {}),
    ("Arlo", "Nguyen", "nguyen", "babies", 0.40, S.ALLOCATED, "mornings", "Vietnamese", {}),
    ("Rosie", "Bennett", "bennett", "babies", 0.28, S.REGISTERED, "full_week", "English",
     {"prefers": "chloe.evans"}),
    ("Teodor", "Popescu", "popescu", "babies", 0.35, S.REGISTERED, "mon_wed", "Romanian", {}),
    ("Jacob", "Walsh", "walsh", "babies", 0.80, S.LEFT, "full_week", "English",
     {"reason": "The family moved to Leeds."}),
    # Toddlers 2–3
    ("Riya", "Patel", "patel", "toddlers", 0.60, S.SETTLED, "full_week", "English", {}),
    ("Oscar", "Whitaker", "whitaker", "toddlers", 0.40, S.SETTLED, "mornings", "English",
     {"dietary_needs": "Vegetarian."}),
    ("Amelia", "Kaur", "kaur", "toddlers", 0.70, S.SETTLED, "tue_thu", "Punjabi", {}),
    ("Leo", "Brennan", "brennan", "toddlers", 0.50, S.SETTLED, "mon_wed", "English", {}),
    ("Ruby", "Osei", "osei", "toddlers", 0.30, S.SETTLED, "full_week", "English",
     {"allergies": "Egg allergy (mild): no egg in meals or baking.", "photos": ConsentStatus.WITHDRAWN}),
    ("Jakub", "Wiśniewski", "wisniewski", "toddlers", 0.80, S.SETTLED, "mornings", "Polish",
     {"photos": ConsentStatus.DECLINED}),
    ("Isla", "MacDonald", "macdonald", "toddlers", 0.20, S.SETTLED, "wed_fri", "English", {}),
    ("Ayesha", "Rahman", "rahman", "toddlers", 0.65, S.SETTLED, "mwf", "Bengali", {"senco_observation": True}),
    ("Theo", "Marshall", "marshall", "toddlers", 0.97, S.IN_TRANSITION, "full_week", "English", {}),
    ("Mia", "Ionescu", "ionescu", "toddlers", 0.10, S.SETTLING_IN, "mon_wed", "Romanian", {}),
    ("Harrison", "Cole", "cole", "toddlers", 0.15, S.ALLOCATED, "thu_fri", "English", {}),
    ("Layla", "Ahmed", "ahmed", "toddlers", 0.05, S.REGISTERED, "mornings", "Arabic",
     {"dietary_needs": "Halal."}),
    ("Sienna", "Price", "price", "toddlers", 0.30, S.WITHDRAWN, "mon_wed", "English",
     {"reason": "Parents accepted a place at a nursery nearer their work."}),
    # Pre-school 3–5
    ("Ayaan", "Khan", "khan", "preschool", 0.90, S.LEAVING, "full_week", "Urdu", {}),
    ("Arjun", "Patel", "patel", "preschool", 0.85, S.LEAVING, "mornings", "English", {}),
    ("Grace", "Mensah", "mensah", "preschool", 0.80, S.LEAVING, "mon_thu", "English", {}),
    ("Evie", "Johnson", "johnson", "preschool", 0.95, S.SETTLED, "full_week", "English", {}),
    ("Jack", "Murphy", "murphy", "preschool", 0.70, S.SETTLED, "mon_wed", "English", {}),
    ("Sofia", "Popescu", "popescu", "preschool", 0.75, S.SETTLED, "mon_wed", "Romanian", {}),
    ("Hamza", "Iqbal", "iqbal", "preschool", 0.60, S.SETTLED, "mornings", "Urdu", {"dietary_needs": "Halal."}),
    ("Poppy", "Richardson", "richardson", "preschool", 0.65, S.SETTLED, "mon_thu", "English",
     {"known_needs": "Autism (diagnosed last year). Uses a visual timetable and ear defenders; finds "
                     "transitions between activities hard. EHC needs assessment requested.",
      "share_professional": "Dr Amelia Grant, community paediatrician, Oakbridge Child Development Centre"}),
    ("Thomas", "Williams", "williams", "preschool", 0.58, S.SETTLED, "tue_thu", "English",
     {"preferred_name": "Tom"}),
    ("Nadia", "Chowdhury", "chowdhury", "preschool", 0.88, S.SETTLED, "full_week", "Bengali", {}),
    ("Max", "Edwards", "edwards", "preschool", 0.40, S.SETTLED, "tue_thu", "English", {}),
    ("Lily-Mae", "Turner", "turner", "preschool", 0.30, S.SETTLED, "full_week", "English",
     {"allergies": "Peanut and tree nut allergy: adrenaline auto-injector (EpiPen) kept in the office.",
      "dietary_needs": "Nut-free."}),
    ("Antoni", "Lewandowski", "lewandowski", "preschool", 0.35, S.SETTLED, "mornings", "Polish", {}),
    ("Isabella", "Moore", "moore", "preschool", 0.25, S.SETTLED, "mwf", "English", {"preferred_name": "Bella"}),
    ("George", "Harris", "harris", "preschool", 0.20, S.SETTLED, "wed_fri", "English",
     {"known_needs": "Moderate hearing loss: wears hearing aids in both ears. Visited by the sensory support "
                     "teacher each half term."}),
    ("Filip", "Kowalski", "kowalski", "preschool", 0.15, S.SETTLED, "tue_thu", "Polish", {}),
    ("Amara", "Eze", "eze", "preschool", 0.10, S.SETTLED, "mon_wed", "English",
     {"allergies": "Coeliac disease.", "dietary_needs": "Gluten-free."}),
    ("Henry", "Scott", "scott", "preschool", 0.05, S.SETTLING_IN, "thu_fri", "English", {}),
    ("Ella", "Lawson", "lawson", "preschool", 0.12, S.REGISTERED, "mornings", "English", {}),
    ("Marcus", "Reid", "reid", "preschool", 0.50, S.LEFT, "mon_wed", "English",
     {"reason": "Moved to a nursery nearer home."}),
]
