"""The benchmark's data set, built in PostgreSQL with set-based INSERT ... SELECT (no Python per row).

At scale 1: 200 settings of 200 children (40,000), 2,000 staff and users, 100,000 processes (every child's
allocation and introduction, half the children's settling in), 1,000,000 tasks (ten a process) with their inbox
rows, and an audit row for every finished task. Like the floor (../shared/floor/schema_seed.sql), the last
task of every even process is still open (5%): an allocation waits unclaimed for the setting's managers
(40% of the open tasks), the others sit with the child's key person (60%).
"""

from __future__ import annotations

from dataclasses import dataclass

# A precomputed hash of "bench" so 2,000 users cost nothing to make; nobody logs in with a password.
PASSWORD = "pbkdf2_sha256$1000000$bench$2R8Hn7qFJ4cWGlI1nm/dN0k5n8hQb5QZ2JmCzLkKxuA="


@dataclass(frozen=True)
class Size:
    scale: float

    @property
    def settings(self) -> int:
        return max(1, round(200 * self.scale))

    @property
    def children(self) -> int:
        return self.settings * 200

    @property
    def users(self) -> int:
        return self.settings * 10

    @property
    def processes(self) -> int:
        return self.children * 5 // 2

    @property
    def tasks(self) -> int:
        return self.processes * 10


def statements(size: Size, refs: dict[str, str]) -> list[str]:
    """The SQL that fills a freshly migrated database. `refs` holds viewflow's flow and node references."""
    S, C, U = size.settings, size.children, size.users
    # The child's key person (staff id = user id): children in pairs, so every key person has open tasks.
    kp = "(((c.id - 1) / 200) * 10 + 3 + ((c.id - 1) % 200 / 2) % 8)"
    return [
        "SET synchronous_commit = off",
        "SELECT setseed(0.42)",
        "INSERT INTO processes_organisation(id, name) VALUES (1, 'Bench chain')",
        f"""INSERT INTO processes_setting(id, name, ofsted_urn, address, email, weight_sessions, weight_caseload,
              weight_room, weight_sen_experience, weight_sibling, weight_parent_preference, settling_review_weeks,
              sen_review_weeks, consent_follow_up_weeks, open_days, organisation_id)
            SELECT g, 'Nursery ' || g, '', '', '', 5, 3, 2, 3, 2, 4, 4, 6, 6, '12345', 1
            FROM generate_series(1, {S}) g""",
        f"""INSERT INTO processes_room(id, name, min_age_months, max_age_months, children_per_adult, setting_id)
            SELECT (g - 1) * 3 + r, (ARRAY['Babies', 'Toddlers', 'Pre-school'])[r], (ARRAY[0, 24, 36])[r],
                   (ARRAY[24, 36, 60])[r], (ARRAY[3, 5, 8])[r], g
            FROM generate_series(1, {S}) g, generate_series(1, 3) r""",
        f"""INSERT INTO auth_user(id, password, is_superuser, username, first_name, last_name, email, is_staff,
              is_active, date_joined)
            SELECT u, '{PASSWORD}', false, 'bench' || u, 'Staff', 'Member ' || u, 'bench' || u || '@example.org',
                   false, true, now()
            FROM generate_series(1, {U}) u""",
        # Staff with an address choose how they hear of new tasks (a step reads the choice): here a daily digest.
        f"""INSERT INTO notifications_notificationpreference(user_id, email)
            SELECT u, 'digest' FROM generate_series(1, {U}) u""",
        # Per setting: a manager, a SENCO who is also a key person, and eight key persons.
        f"""INSERT INTO processes_staff(id, job_title, is_key_person, is_senco, is_manager, is_dsl, working_sessions,
              sen_experience, max_caseload, room_id, setting_id, user_id)
            SELECT u, '', (u - 1) % 10 <> 0, (u - 1) % 10 = 1, (u - 1) % 10 = 0, false, 1023, '', 26, NULL,
                   (u - 1) / 10 + 1, u
            FROM generate_series(1, {U}) u""",
        f"""INSERT INTO processes_child(id, first_name, last_name, preferred_name, date_of_birth, start_date,
              destination_school, attending_sessions, home_language, dietary_needs, allergies, known_needs, state,
              state_changed_at, registered_at, room_id, setting_id)
            SELECT c, 'Child', 'Number ' || c, '', dob,
                   CASE WHEN c % 20 = 1 THEN current_date + c % 30 ELSE dob + 300 END,
                   '', 341, 'English', '', '', '',
                   CASE c % 20 WHEN 1 THEN 'registered' WHEN 2 THEN 'allocated' WHEN 3 THEN 'settling_in'
                        WHEN 4 THEN 'in_transition' ELSE 'settled' END,
                   now(), now(),
                   ((c - 1) / 200) * 3 + CASE WHEN current_date - dob < 730 THEN 1
                                              WHEN current_date - dob < 1095 THEN 2 ELSE 3 END,
                   (c - 1) / 200 + 1
            FROM (SELECT c, current_date - (120 + (c * 37) % 1700) AS dob FROM generate_series(1, {C}) c) s""",
        f"""INSERT INTO processes_keypersonassignment(role, starts_on, reason, end_reason, over_caseload_reason,
              created_at, child_id, created_by_id, staff_id)
            SELECT r.role, current_date - 100, '', '', '', now(), c.id, ((c.id - 1) / 200) * 10 + 1,
                   {kp} + r.shift - CASE WHEN ((c.id - 1) % 200 / 2) % 8 + r.shift > 7 THEN 8 ELSE 0 END
            FROM processes_child c, (VALUES ('primary', 0), ('secondary', 1)) r(role, shift)
            WHERE c.state <> 'registered'""",
        # Processes: every child's allocation (id = child) and introduction (C + child); settling in for the
        # even children (2C + child / 2). Every even process is still open.
        f"""CREATE TEMP TABLE bench_process AS
            SELECT p, child, kind FROM (
              SELECT c AS p, c AS child, 'allocation' AS kind FROM generate_series(1, {C}) c
              UNION ALL SELECT {C} + c, c, 'introduction' FROM generate_series(1, {C}) c
              UNION ALL SELECT 2 * {C} + c / 2, c, 'settling' FROM generate_series(2, {C}, 2) c) s""",
        f"""INSERT INTO viewflow_process(id, flow_class, status, created, finished, data)
            SELECT p, CASE kind WHEN 'allocation' THEN '{refs["allocation"]}'
                                WHEN 'introduction' THEN '{refs["introduction"]}' ELSE '{refs["settling"]}' END,
                   CASE WHEN p % 2 = 0 THEN 'NEW' ELSE 'DONE' END, now() - interval '120 days',
                   CASE WHEN p % 2 = 0 THEN NULL ELSE now() - random() * interval '90 days' END, '{{}}'
            FROM bench_process""",
        """INSERT INTO workflows_childprocess(process_ptr_id, kind, open_kind, child_id, setting_id)
            SELECT p, kind, CASE WHEN p % 2 = 0 THEN kind END, child, (child - 1) / 200 + 1 FROM bench_process""",
        f"""CREATE TEMP TABLE bench_task AS
            SELECT (b.p - 1) * 10 + k AS id, b.p, b.child, b.kind, k,
                   k = 10 AND b.p % 2 = 0 AS open,
                   CASE b.kind WHEN 'allocation' THEN '{refs["allocate"]}'
                     WHEN 'introduction' THEN CASE WHEN k % 2 = 1 THEN '{refs["arrange_meeting"]}'
                                                   ELSE '{refs["all_about_me"]}' END
                     ELSE CASE k WHEN 1 THEN '{refs["plan"]}' WHEN 10 THEN '{refs["review"]}'
                                 ELSE '{refs["record_visit"]}' END END AS node,
                   CASE WHEN b.kind = 'allocation' THEN 'manager' ELSE 'key_person' END AS role,
                   CASE WHEN b.kind = 'allocation' THEN ((b.child - 1) / 200) * 10 + 1
                        ELSE ((b.child - 1) / 200) * 10 + 3 + ((b.child - 1) % 200 / 2) % 8 END AS doer
            FROM bench_process b, generate_series(1, 10) k""",
        """INSERT INTO viewflow_task(id, flow_task, flow_task_type, status, created, started, finished, token,
              owner_id, process_id, owner_permission, assigned, data)
            SELECT id, node, 'HUMAN',
                   CASE WHEN NOT open THEN 'DONE' WHEN role = 'manager' THEN 'NEW' ELSE 'ASSIGNED' END,
                   now() - interval '100 days' + k * interval '1 day', NULL,
                   CASE WHEN open THEN NULL ELSE now() - interval '100 days' + k * interval '1 day' END,
                   'start', CASE WHEN open AND role = 'manager' THEN NULL ELSE doer END, p,
                   CASE WHEN role = 'manager' THEN 'workflows.manager' END, NULL, '{}'
            FROM bench_task""",
        """INSERT INTO workflows_inboxentry(task_id, process_id, flow_task, role, kind, due_at, child_id, child_name,
              room_id, room_name, setting_id, is_open, owner_id, priority)
            SELECT t.id, t.p, t.node, t.role, t.kind, now() + (random() * 60 - 30) * interval '1 day', t.child,
                   c.first_name || ' ' || c.last_name, c.room_id, r.name, c.setting_id,
                   t.open, CASE WHEN t.open AND t.role = 'manager' THEN NULL ELSE t.doer END, 0
            FROM bench_task t JOIN processes_child c ON c.id = t.child JOIN processes_room r ON r.id = c.room_id""",
        """INSERT INTO processes_auditevent(at, setting_id, child_id, action, record_type, record_id, summary,
              changes, outcome, actor_id)
            SELECT now() - interval '100 days' + k * interval '1 day', (child - 1) / 200 + 1, child, 'complete',
                   'viewflow.Task', id::text, 'Completed a step', '{}', 'ok', doer
            FROM bench_task WHERE NOT open""",
        "DROP TABLE bench_task",
        "DROP TABLE bench_process",
    ] + [
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
        for table in ("processes_organisation", "processes_setting", "processes_room", "auth_user",
                      "processes_staff", "processes_child", "processes_keypersonassignment", "viewflow_process",
                      "viewflow_task", "processes_auditevent")
    ]
