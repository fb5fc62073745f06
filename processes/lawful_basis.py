"""Why the setting holds each kind of record about a child, and for how long (README "Data protection").

The lawful basis is the setting's, not the parents': a parent's agreement to a step (processes.models.Consent)
is recorded apart from it and is the basis only for photographs. The subject access export prints this table
beside each section (UK GDPR Art 15(1): purposes, basis, how long kept).
"""

from __future__ import annotations

EYFS = "UK GDPR Art 6(1)(c) legal obligation (EYFS statutory framework; Childcare Act 2006)"
HEALTH = ("Art 9(2)(h) with DPA 2018 Sch 1 para 2 (health or social care), and Art 9(2)(g) with Sch 1 para 6 "
          "(statutory purposes)")
SEN = (f"{EYFS}; Art 6(1)(e) public task (Children and Families Act 2014, SEND Code of Practice); special "
       f"category: {HEALTH}")
SAFEGUARDING = "Art 6(1)(c) legal obligation (EYFS 3.4–3.8); Art 9(2)(g) with DPA 2018 Sch 1 para 18 (safeguarding)"
GENERAL_KEPT = "3 years after the child leaves"
SEN_KEPT = "until the child is 25, unless passed on to the next school (then 3 years after the child leaves)"

# Section of the export -> (why we hold it, lawful basis and condition, how long we keep it).
SECTIONS: dict[str, tuple[str, str, str]] = {
    "child": ("The child's record: who they are, their room, sessions, dietary needs and allergies",
              f"{EYFS}; allergies and dietary needs are health data: {HEALTH}",
              f"{GENERAL_KEPT}; name and date of birth while an accident or SEN record about the child is kept"),
    "guardians": ("Parents and carers: who to contact and who holds parental responsibility", EYFS, GENERAL_KEPT),
    "guardian_links": ("How each parent or carer is related to the child", EYFS, GENERAL_KEPT),
    "consents": ("Parents' decisions about steps that need their agreement (recorded apart from the lawful "
                 "basis; for photographs the agreement is the basis: Art 6(1)(a))",
                 f"{EYFS}; SEN decisions: {SEN}",
                 f"{GENERAL_KEPT}; SEN decisions until the child is 25"),
    "key_person_history": ("The child's key persons, past and present (EYFS 3.27)", EYFS, GENERAL_KEPT),
    "processes_and_tasks": ("The workflows about the child and each step taken", EYFS, GENERAL_KEPT),
    "parent_meetings": ("Meetings with the parents", EYFS, GENERAL_KEPT),
    "meeting_next_steps": ("The next steps agreed at meetings with the parents, and who does them", EYFS,
                           GENERAL_KEPT),
    "two_year_checks": ("The progress check at age two (EYFS 2.5) and the parents' view of it", EYFS, GENERAL_KEPT),
    "all_about_me": ("The child as the parents describe them", f"{EYFS}; health details: {HEALTH}", GENERAL_KEPT),
    "settling_in_sessions": ("Settling-in visits and how they went", EYFS, GENERAL_KEPT),
    "settling_in_reviews": ("Settling-in reviews with the parents", EYFS, GENERAL_KEPT),
    "accident_records": ("Accidents, injuries and first aid (EYFS 3.51)",
                         f"{EYFS}; injuries are health data: {HEALTH}; Art 9(2)(f) legal claims",
                         "until the child is 21 years and 3 months old"),
    **{name: (why, SEN, SEN_KEPT) for name, why in (
        ("sen_concerns", "Concerns about the child's development raised by their key person"),
        ("sen_conversations", "Conversations with the parents (and between staff) about a concern"),
        ("senco_observations", "The SENCO's observations, made with the parents' consent"),
        ("senco_decisions", "The SENCO's decisions about what happens next"),
        ("sen_meetings", "Meetings with the parents about SEN support"),
        ("referrals", "Referrals to outside professionals, made with the parents' consent to share"),
        ("referral_updates", "Replies and appointments from those professionals"),
        ("sen_support_plans", "SEN support plans (assess, plan, do, review)"),
        ("sen_support_targets", "The targets and strategies of each plan"),
        ("sen_support_reviews", "Reviews of each plan with the parents"),
        ("sen_target_progress", "Progress against each target at review"),
        ("ehc_requests", "Requests for an EHC needs assessment and the local authority's decisions"),
    )},
    "legal_holds": ("Holds that keep the records past their period (a claim, an investigation)",
                    "Art 6(1)(c) legal obligation; Art 9(2)(f) legal claims", "as long as the records they hold"),
    "records_passed_on": ("SEN or safeguarding records handed to the child's next school", SEN, GENERAL_KEPT),
    "leaving_plan": ("When the child leaves, for which school or setting, and its named contact", EYFS, GENERAL_KEPT),
    "transition_report": ("The key person's report for the next school or setting (seed 002)", EYFS, GENERAL_KEPT),
    "records_packs": ("The records sent to the next school or setting, with the parents' consent", EYFS,
                      GENERAL_KEPT),
    "records_pack_downloads": ("The download links for those records: when made, until when, when used", EYFS,
                               GENERAL_KEPT),
    "lifecycle_log": ("When the child moved through registration, settling in and leaving", EYFS, GENERAL_KEPT),
    "audit_events": ("Who read or changed the child's records, and when (accountability, Art 5(2) and Art 32)",
                     "Art 6(1)(c) legal obligation", "kept: the trail outlives the records it describes"),
}
