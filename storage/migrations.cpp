#include "storage/migrations.hpp"

#include <array>

namespace checkpoint::storage {

namespace {

constexpr std::array all_migrations{
    migration{1, "Slack event ids already processed, for de-duplicating retries",
              R"sql(
CREATE TABLE slack_events (
    event_id    TEXT PRIMARY KEY,
    received_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX slack_events_received_at ON slack_events (received_at);
)sql"},
    migration{2, "Petitions with steps and decisions, grants, card messages, resources, Slack users, jobs, audit log",
              R"sql(
CREATE TABLE petitions (
    seq          INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    version      INTEGER NOT NULL,
    state        TEXT NOT NULL,
    requester_id TEXT NOT NULL,
    target       TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    ends_at      INTEGER,
    body         TEXT NOT NULL
);
CREATE INDEX petitions_created ON petitions (created_at, id);
CREATE INDEX petitions_requester ON petitions (requester_id, created_at, id);
CREATE INDEX petitions_target ON petitions (target, created_at, id);
CREATE INDEX petitions_state ON petitions (state, created_at, id);

-- Child rows key on the petition's seq, not its random id: a batch of new petitions appends to the
-- same few pages instead of touching one page per petition in every table.
CREATE TABLE petition_steps (
    petition_seq  INTEGER NOT NULL REFERENCES petitions (seq),
    step          INTEGER NOT NULL,
    kind          TEXT NOT NULL,
    name          TEXT NOT NULL,
    min_approvals INTEGER NOT NULL,
    PRIMARY KEY (petition_seq, step)
) WITHOUT ROWID;

CREATE TABLE step_reviewers (
    petition_seq INTEGER NOT NULL,
    step         INTEGER NOT NULL,
    person_id    TEXT NOT NULL,
    PRIMARY KEY (petition_seq, step, person_id),
    FOREIGN KEY (petition_seq, step) REFERENCES petition_steps (petition_seq, step)
) WITHOUT ROWID;
CREATE INDEX step_reviewers_person ON step_reviewers (person_id, petition_seq);

CREATE TABLE decisions (
    petition_seq INTEGER NOT NULL REFERENCES petitions (seq),
    seq          INTEGER NOT NULL,
    decided_by   TEXT NOT NULL,
    step         TEXT NOT NULL,
    approved     INTEGER NOT NULL,
    decided_at   INTEGER NOT NULL,
    PRIMARY KEY (petition_seq, seq)
) WITHOUT ROWID;

CREATE TABLE grants (
    person_id   TEXT NOT NULL,
    entitlement TEXT NOT NULL,
    petition_id TEXT NOT NULL,
    ends_at     INTEGER NOT NULL,
    PRIMARY KEY (person_id, entitlement, petition_id)
) WITHOUT ROWID;

CREATE TABLE card_messages (
    petition_id TEXT NOT NULL,
    step        INTEGER NOT NULL,
    destination TEXT NOT NULL,
    kind        TEXT NOT NULL,
    channel     TEXT NOT NULL,
    ts          TEXT NOT NULL,
    posted_at   INTEGER NOT NULL,
    PRIMARY KEY (petition_id, step, destination)
) WITHOUT ROWID;

CREATE TABLE resources (
    kind         TEXT NOT NULL,
    id           TEXT NOT NULL,
    display_name TEXT NOT NULL,
    labels       TEXT NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (kind, id)
) WITHOUT ROWID;

CREATE TABLE slack_users (
    slack_id   TEXT PRIMARY KEY,
    person_id  TEXT NOT NULL,
    email      TEXT NOT NULL,
    fetched_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX slack_users_person ON slack_users (person_id);

CREATE TABLE jobs (
    id               INTEGER PRIMARY KEY,
    key              TEXT NOT NULL UNIQUE,
    kind             TEXT NOT NULL,
    payload          TEXT NOT NULL,
    status           INTEGER NOT NULL,
    run_at           INTEGER NOT NULL,
    due_at           INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    first_attempt_at INTEGER,
    lease_owner      TEXT,
    lease_expires    INTEGER,
    last_error       TEXT NOT NULL DEFAULT '',
    updated_at       INTEGER NOT NULL
);
CREATE INDEX jobs_due ON jobs (due_at) WHERE status < 2;

CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    reason      TEXT NOT NULL,
    rule        TEXT NOT NULL,
    petition_id TEXT NOT NULL,
    details     TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL,
    petition_seq INTEGER
);
CREATE INDEX audit_log_petition ON audit_log (petition_seq, seq) WHERE petition_seq IS NOT NULL;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

CREATE TABLE audit_head (
    one  INTEGER PRIMARY KEY CHECK (one = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);
)sql"},
    migration{3, "API tokens: only the SHA-256 of each token is kept",
              R"sql(
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('service', 'personal')),
    person_id    TEXT,
    scopes       TEXT NOT NULL,
    sha256       TEXT NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    revoked_at   INTEGER,
    last_used_at INTEGER
);
)sql"},
    migration{4, "Out of office set from Slack (/checkpoint ooo), laid over the manifests' directory",
              R"sql(
CREATE TABLE out_of_office (
    person_id TEXT PRIMARY KEY,
    away      INTEGER NOT NULL, -- 1: away from from_at until until_at; 0: back, whatever the manifests say
    from_at   INTEGER NOT NULL,
    until_at  INTEGER NOT NULL,
    delegate  TEXT NOT NULL,
    set_by    TEXT NOT NULL,
    set_at    INTEGER NOT NULL
) WITHOUT ROWID;
)sql"},
    migration{5, "Jobs remember whether the previous attempt may have had its effect (a worker died mid-attempt)",
              R"sql(
ALTER TABLE jobs ADD COLUMN effect_unknown INTEGER NOT NULL DEFAULT 0;
)sql"},
    migration{6, "A person's active requests for one target, found without walking all their requests (filing asks on every request)",
              R"sql(
CREATE INDEX petitions_active ON petitions (requester_id, target, created_at, id) WHERE state = 'active';
)sql"},
    migration{7, "Jobs in a lane (messages to one person or channel) run in the order they were enqueued",
              R"sql(
ALTER TABLE jobs ADD COLUMN lane TEXT;
CREATE INDEX jobs_lane ON jobs (lane, id) WHERE status < 2 AND lane IS NOT NULL;
)sql"},
    migration{8, "A card remembers what it asked (a request, an extension, a break-glass review), so updates draw it as that",
              R"sql(
ALTER TABLE card_messages ADD COLUMN asked TEXT NOT NULL DEFAULT 'submitted';
)sql"},
    migration{9, "A person's open requests and live access for one target, found at once (a new request that repeats one is refused)",
              R"sql(
CREATE INDEX petitions_person_target ON petitions (requester_id, target, state, created_at);
)sql"},
    migration{10, "API tokens can expire; a token's expiry is kept with it",
              R"sql(
ALTER TABLE api_tokens ADD COLUMN expires_at INTEGER;
)sql"},
    migration{11, "The audit chain is keyed (HMAC-SHA256 under a key kept outside the database) and anchored",
              R"sql(
-- Each event's keyed hash: HMAC(key, previous mac, seq, hash). NULL until the key seals an event written
-- before there was one (at the first open with the key); the update trigger allows that one change only.
ALTER TABLE audit_log ADD COLUMN mac TEXT;
ALTER TABLE audit_head ADD COLUMN mac TEXT;
DROP TRIGGER audit_log_no_update;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN OLD.mac IS NOT NULL OR NEW.mac IS NULL OR NEW.seq IS NOT OLD.seq OR NEW.at IS NOT OLD.at
  OR NEW.actor IS NOT OLD.actor OR NEW.action IS NOT OLD.action OR NEW.reason IS NOT OLD.reason
  OR NEW.rule IS NOT OLD.rule OR NEW.petition_id IS NOT OLD.petition_id OR NEW.details IS NOT OLD.details
  OR NEW.prev_hash IS NOT OLD.prev_hash OR NEW.hash IS NOT OLD.hash OR NEW.petition_seq IS NOT OLD.petition_seq
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

-- The key's check value (a MAC of a fixed text: a wrong key is told from an altered chain), and how many
-- events existed, unkeyed, when the key first sealed the chain.
CREATE TABLE audit_seal (
    one        INTEGER PRIMARY KEY CHECK (one = 1),
    key_check  TEXT NOT NULL,
    sealed_seq INTEGER NOT NULL,
    sealed_at  INTEGER NOT NULL
);

-- The head as it was told outside the database (the security channel, the log).
CREATE TABLE audit_anchors (
    id        INTEGER PRIMARY KEY,
    seq       INTEGER NOT NULL,
    hash      TEXT NOT NULL,
    mac       TEXT,
    at        INTEGER NOT NULL,
    posted_to TEXT NOT NULL,
    cause     TEXT NOT NULL,
    asked_by  TEXT NOT NULL
);
CREATE TRIGGER audit_anchors_no_update BEFORE UPDATE ON audit_anchors BEGIN SELECT RAISE(ABORT, 'audit anchors are append-only'); END;
CREATE TRIGGER audit_anchors_no_delete BEFORE DELETE ON audit_anchors BEGIN SELECT RAISE(ABORT, 'audit anchors are append-only'); END;
)sql"},
    migration{12, "Round-robin steps rotate across requests: how many requests each step has seen",
              R"sql(
CREATE TABLE rotations (
    key  TEXT PRIMARY KEY,
    seen INTEGER NOT NULL
);
)sql"},
    migration{13, "People and groups from the identity provider (SCIM) or an HR export, laid over the manifests' directory",
              R"sql(
CREATE TABLE directory_people (
    source      TEXT NOT NULL,
    key         TEXT NOT NULL,
    user_name   TEXT NOT NULL,
    external_id TEXT NOT NULL,
    email       TEXT NOT NULL,
    name        TEXT NOT NULL,
    slack_id    TEXT NOT NULL,
    manager     TEXT NOT NULL,
    team        TEXT NOT NULL,
    active      INTEGER NOT NULL,
    resource    TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    modified_at INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    -- The person id the record was bound to when first written.
    person      TEXT NOT NULL,
    PRIMARY KEY (source, key)
);
CREATE UNIQUE INDEX directory_people_user_name ON directory_people (source, user_name COLLATE NOCASE);
CREATE INDEX directory_people_seq ON directory_people (seq);
CREATE TABLE directory_groups (
    source      TEXT NOT NULL,
    key         TEXT NOT NULL,
    name        TEXT NOT NULL,
    external_id TEXT NOT NULL,
    members     TEXT NOT NULL,
    resource    TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    modified_at INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    PRIMARY KEY (source, key)
);
CREATE UNIQUE INDEX directory_groups_name ON directory_groups (source, name);
CREATE INDEX directory_groups_seq ON directory_groups (seq);
-- A change stored whose effects on requests and access are not yet all applied: what puts the records back as
-- they were (JSON), so a start after a stop can tell what changed and finish it.
-- Or, for a reload, the people it takes out of the directory (JSON array).
CREATE TABLE directory_follow (
    id      INTEGER PRIMARY KEY,
    undo    TEXT NOT NULL,
    leaving TEXT NOT NULL DEFAULT '[]',
    at      INTEGER NOT NULL
);
)sql"},
    migration{14, "Web sessions: a browser signed in to the pages, kept server-side (only the SHA-256 of its cookie)",
              R"sql(
CREATE TABLE web_sessions (
    id         INTEGER PRIMARY KEY,
    sha256     TEXT NOT NULL UNIQUE,
    person_id  TEXT NOT NULL,
    via        TEXT NOT NULL CHECK (via IN ('slack', 'trusted_header', 'dev')),
    csrf       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    ended_at   INTEGER
);
CREATE INDEX web_sessions_expires ON web_sessions (expires_at);
)sql"},
};

} // namespace

std::span<const migration> migrations() { return all_migrations; }

} // namespace checkpoint::storage
