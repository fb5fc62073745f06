"""The only way Keyflow's records change. Views, the API, the admin, Celery tasks and commands call these."""

from .audit import audit_batch, audit_events_purge, audit_record
from .children import child_register, child_update, guardian_link
from .consent import consent_in_force, consent_record
from .guardians import guardian_create, guardian_delete, guardian_link_update, guardian_unlink, guardian_update
from .introduction import all_about_me_record, introduction_meeting_arrange
from .keyperson import child_allocate, key_person_assign, key_person_end, key_persons_release
from .lifecycle import child_transition
from .organisation import (
    organisation_create,
    organisation_update,
    room_create,
    room_delete,
    room_update,
    setting_create,
    setting_update,
)
from .reads import audit_attempt, child_read, room_care_read
from .retention import legal_hold_lift, legal_hold_place, records_pass_on, retention_purge
from .sen import (
    ehc_decision_record,
    ehc_plan_record,
    ehc_request_current,
    ehc_request_record,
    ehc_request_refusal,
    referral_send,
    referral_update_record,
    sen_concern_close,
    sen_concern_raise,
    sen_conversation_record,
    sen_meeting_record,
    sen_observation_consent,
    sen_observation_record,
    sen_sharing_consent,
    senco_decision_record,
    support_plan_write,
    support_review_record,
)
from .settling import settling_plan_record, settling_review_record, settling_visit_record
from .staff import (
    staff_absence_end,
    staff_absence_record,
    staff_absent_on,
    staff_create,
    staff_delete,
    staff_update,
)
from .subject_access import child_subject_access_export

__all__ = [
    "all_about_me_record",
    "child_allocate",
    "introduction_meeting_arrange",
    "settling_plan_record",
    "settling_review_record",
    "settling_visit_record",
    "audit_attempt",
    "room_care_read",
    "audit_batch",
    "audit_events_purge",
    "audit_record",
    "child_read",
    "child_register",
    "child_subject_access_export",
    "child_transition",
    "child_update",
    "consent_in_force",
    "consent_record",
    "guardian_create",
    "guardian_delete",
    "guardian_link",
    "guardian_link_update",
    "guardian_unlink",
    "guardian_update",
    "key_person_assign",
    "key_person_end",
    "key_persons_release",
    "legal_hold_lift",
    "organisation_create",
    "organisation_update",
    "legal_hold_place",
    "records_pass_on",
    "room_create",
    "room_delete",
    "room_update",
    "setting_create",
    "setting_update",
    "retention_purge",
    "staff_absence_end",
    "staff_absence_record",
    "staff_absent_on",
    "staff_create",
    "staff_delete",
    "staff_update",
    "ehc_decision_record",
    "ehc_plan_record",
    "ehc_request_current",
    "ehc_request_record",
    "ehc_request_refusal",
    "referral_send",
    "referral_update_record",
    "sen_concern_close",
    "sen_concern_raise",
    "sen_conversation_record",
    "sen_meeting_record",
    "sen_observation_consent",
    "sen_observation_record",
    "sen_sharing_consent",
    "senco_decision_record",
    "support_plan_write",
    "support_review_record",
]
