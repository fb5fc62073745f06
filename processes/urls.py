from django.urls import path

from . import absence_views, api, consent_views, leaving_views, manage_views, room_views, sen_views, views
from .audit_search import audit_search

urlpatterns = [
    path("", views.home, name="home"),
    path("children/", views.ChildListView.as_view(), name="child-list"),
    path("children/<int:pk>/", views.child_detail, name="child-detail"),
    path("children/<int:pk>/sen/", sen_views.sen_record, name="sen-record"),
    path("children/<int:pk>/sen/concerns/new/", sen_views.sen_concern_new, name="sen-concern-new"),
    path("api/children/<int:pk>/sen/", api.sen_concerns, name="api-sen-concerns"),
    path("api/children/<int:pk>/consents/", api.consents, name="api-consents"),
    path("audit/", audit_search, name="audit-search"),
    path("children/<int:pk>/export/", views.child_export, name="child-export"),
    path("children/<int:pk>/consents/", consent_views.child_consents, name="child-consents"),
    path("children/<int:pk>/consents/<int:consent_id>/withdraw/", consent_views.consent_withdraw,
         name="consent-withdraw"),
    path("children/<int:pk>/edit/", manage_views.child_edit, name="child-edit"),
    path("children/<int:pk>/parents/", manage_views.child_guardians, name="child-guardians"),
    path("children/<int:pk>/parents/<int:link_id>/", manage_views.guardian_edit, name="guardian-edit"),
    path("children/<int:pk>/parents/<int:link_id>/unlink/", manage_views.guardian_unlink_confirm,
         name="guardian-unlink"),
    path("children/<int:pk>/key-persons/", manage_views.child_key_persons, name="child-key-persons"),
    path("rooms/<int:room_id>/", room_views.room_care, name="room-care"),
    path("rooms/<int:room_id>/board/", room_views.room_board, name="room-board"),
    path("board/", room_views.key_person_board_page, name="key-person-board"),
    path("children/<int:pk>/leaving/", leaving_views.child_leaving, name="child-leaving"),
    path("children/<int:pk>/leaving/packs/<int:pack_id>/", leaving_views.pack_pdf, name="pack-pdf"),
    path("leaving/", leaving_views.leavers, name="leavers"),
    path("leaving/school-leavers/", leaving_views.leaving_cohort, name="leaving-cohort"),
    path("records/<str:token>/", leaving_views.pack_download, name="pack-download"),
    path("staff/absences/", absence_views.absences, name="staff-absences"),
    path("staff/absences/<int:absence_id>/end/", absence_views.absence_end, name="staff-absence-end"),
]
