//! Schema step 2: schedules, calendar overrides, leave types, requests with their transition
//! history, and the derived month results. Only the SQL text lives here (schema.rs lists the steps);
//! shipped steps are never edited.
//!
//! `input_revision` is one counter that triggers bump on every change to an input of reconciliation
//! other than punches (employees, shifts, rotations, assignments, calendar days, leave types, requests);
//! punches are insert-only, so their count in a month's range completes the fingerprint a stored month
//! run is compared with (see month_results.rs).

pub(crate) const MIGRATION_2: &str = r#"
CREATE TABLE shifts (
    code TEXT PRIMARY KEY CHECK (length(trim(code)) > 0),
    json TEXT NOT NULL                      -- kaoqin_domain::Shift::to_json
);
CREATE TABLE rotations (
    code TEXT PRIMARY KEY CHECK (length(trim(code)) > 0),
    json TEXT NOT NULL                      -- kaoqin_domain::Rotation as JSON
);
CREATE TABLE schedule_assignments (
    id          INTEGER PRIMARY KEY,
    target_kind TEXT NOT NULL CHECK (target_kind IN ('organisation', 'department', 'employee')),
    target      TEXT NOT NULL DEFAULT '',   -- department name or 工号; '' for the organisation
    plan_kind   TEXT NOT NULL CHECK (plan_kind IN ('shift', 'rotation')),
    plan        TEXT NOT NULL,
    from_date   TEXT,                       -- YYYY-MM-DD, NULL = open
    to_date     TEXT,
    CHECK (to_date IS NULL OR from_date IS NULL OR to_date >= from_date)
);
CREATE TABLE calendar_days (
    date      TEXT PRIMARY KEY,             -- local overrides over the bundled calendar
    kind      TEXT NOT NULL,
    name      TEXT NOT NULL DEFAULT '',
    statutory INTEGER NOT NULL DEFAULT 0 CHECK (statutory IN (0, 1))
);
CREATE TABLE leave_types (
    code TEXT PRIMARY KEY CHECK (length(trim(code)) > 0),
    json TEXT NOT NULL                      -- kaoqin_domain::LeaveType as JSON
);
CREATE TABLE requests (
    id          INTEGER PRIMARY KEY,
    employee_no TEXT NOT NULL,
    kind        TEXT NOT NULL,              -- leave | outing | trip | supplement | overtime
    kind_json   TEXT NOT NULL,              -- kaoqin_domain::RequestKind as JSON
    reason      TEXT NOT NULL DEFAULT '',
    state       TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'approved', 'rejected', 'withdrawn')),
    applicant   TEXT NOT NULL,              -- app user who entered it
    approver    TEXT,                       -- who decided (approve/reject)
    from_date   TEXT NOT NULL,
    to_date     TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX requests_employee ON requests(employee_no, from_date);
CREATE INDEX requests_dates ON requests(from_date, to_date);
CREATE TABLE request_history (
    id         INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES requests(id),
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state   TEXT NOT NULL,
    comment    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX request_history_request ON request_history(request_id, id);
CREATE TRIGGER request_history_no_update BEFORE UPDATE ON request_history
BEGIN SELECT RAISE(ABORT, 'request history is append-only: UPDATE rejected'); END;
CREATE TRIGGER request_history_no_delete BEFORE DELETE ON request_history
BEGIN SELECT RAISE(ABORT, 'request history is append-only: DELETE rejected'); END;

-- Who leads a department (the direct leader of its employees) and which employee an app user is.
CREATE TABLE department_leaders (
    department TEXT PRIMARY KEY,
    leader_no  TEXT NOT NULL
);
CREATE TABLE user_employees (
    user_name   TEXT PRIMARY KEY,
    employee_no TEXT NOT NULL
);

-- Derived data: replaced on every run of a month.
CREATE TABLE month_runs (
    month       TEXT PRIMARY KEY,           -- YYYY-MM
    fingerprint TEXT NOT NULL,
    run_at      TEXT NOT NULL,
    run_by      TEXT NOT NULL,
    employees   INTEGER NOT NULL,
    days        INTEGER NOT NULL
);
CREATE TABLE month_days (
    month       TEXT NOT NULL,
    employee_no TEXT NOT NULL,
    date        TEXT NOT NULL,
    department  TEXT NOT NULL,
    csv_row     TEXT NOT NULL,              -- the issue-5 CSV line (without newline)
    json        TEXT NOT NULL,              -- kaoqin_domain::DayResult
    PRIMARY KEY (month, employee_no, date)
) WITHOUT ROWID;
CREATE TABLE month_summaries (
    month       TEXT NOT NULL,
    employee_no TEXT NOT NULL,
    department  TEXT NOT NULL,
    json        TEXT NOT NULL,              -- kaoqin_domain::MonthSummary
    PRIMARY KEY (month, employee_no)
) WITHOUT ROWID;

CREATE TABLE input_revision (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    rev INTEGER NOT NULL
);
INSERT INTO input_revision (id, rev) VALUES (1, 0);

-- Every change to an input bumps the revision.
CREATE TRIGGER employees_rev_insert AFTER INSERT ON employees
BEGIN UPDATE input_revision SET rev = rev + 1 WHERE id = 1; END;
CREATE TRIGGER employees_rev_update AFTER UPDATE ON employees
BEGIN UPDATE input_revision SET rev = rev + 1 WHERE id = 1; END;
CREATE TRIGGER employees_rev_delete AFTER DELETE ON employees
BEGIN UPDATE input_revision SET rev = rev + 1 WHERE id = 1; END;
CREATE TRIGGER shifts_rev_insert AFTER INSERT ON shifts
BEGIN UPDATE input_revision SET rev = rev + 1 WHERE id = 1; END;
CREATE TRIGGER shifts_rev_update AFTER UPDATE ON shifts
BEGIN UPDATE input_revision SET rev = rev + 1 WHERE id = 1; END;
CREATE TRIGGER shifts_rev_delete AFTER DELETE ON shifts
BEGIN UPDATE input_revision SET rev = rev + 1 WHERE id = 1; END;
CREATE TRIGGER rotations_rev_insert AFTER INSERT ON rotations
BEGIN UPDATE input_revision SET rev = rev + 1 WHERE id = 1; END;
CREATE TRIGGER rotations_rev_update AFTER UPDATE ON rotations
BEGIN UPDATE input_revision SET rev = rev + 1 WHERE id = 1; END;
CREATE TRIGGER rotations_rev_delete AFTER DELETE ON rotations
BEGIN UPDATE input_revision SET rev = rev + 1 WHERE id = 1; END;
CREATE TRIGGER schedule_assignments_rev_insert AFTER INSERT ON schedule_assignments
BEGIN UPDATE input_revision SET rev = rev + 1 WHERE id = 1; END;
CREATE TRIGGER schedule_assignments_rev_update AFTER UPDATE ON schedule_assignments
BEGIN UPDATE input_revision SET rev = rev + 1 WHERE id = 1; END;
CREATE TRIGGER schedule_assignments_rev_delete AFTER DELETE ON schedule_assignments
BEGIN UPDATE input_revision SET rev = rev + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_days_rev_insert AFTER INSERT ON calendar_days
BEGIN UPDATE input_revision SET rev = rev + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_days_rev_update AFTER UPDATE ON calendar_days
BEGIN UPDATE input_revision SET rev = rev + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_days_rev_delete AFTER DELETE ON calendar_days
BEGIN UPDATE input_revision SET rev = rev + 1 WHERE id = 1; END;
CREATE TRIGGER leave_types_rev_insert AFTER INSERT ON leave_types
BEGIN UPDATE input_revision SET rev = rev + 1 WHERE id = 1; END;
CREATE TRIGGER leave_types_rev_update AFTER UPDATE ON leave_types
BEGIN UPDATE input_revision SET rev = rev + 1 WHERE id = 1; END;
CREATE TRIGGER leave_types_rev_delete AFTER DELETE ON leave_types
BEGIN UPDATE input_revision SET rev = rev + 1 WHERE id = 1; END;
CREATE TRIGGER requests_rev_insert AFTER INSERT ON requests
BEGIN UPDATE input_revision SET rev = rev + 1 WHERE id = 1; END;
CREATE TRIGGER requests_rev_update AFTER UPDATE ON requests
BEGIN UPDATE input_revision SET rev = rev + 1 WHERE id = 1; END;
CREATE TRIGGER requests_rev_delete AFTER DELETE ON requests
BEGIN UPDATE input_revision SET rev = rev + 1 WHERE id = 1; END;
"#;
