-- Flowdesk schema 1: one table per document kind. Each row holds the document as JSONB (`doc`) and, as
-- columns, the fields that queries filter or sort on; text keys are compared by code point (COLLATE "C"),
-- as the embedded stores sort them. Partial indexes serve the worklists (open items by deadline or priority,
-- per queue, assignee, process, unassigned), due jobs, pending outbox entries and the monitor.

CREATE TABLE bundles (
    hash text COLLATE "C" PRIMARY KEY,
    doc jsonb NOT NULL
);

CREATE TABLE versions (
    process_key text COLLATE "C" NOT NULL,
    number integer NOT NULL,
    hash text COLLATE "C" NOT NULL REFERENCES bundles (hash),
    published_at timestamptz NOT NULL,
    doc jsonb NOT NULL,
    PRIMARY KEY (process_key, number)
);
CREATE INDEX versions_in_order ON versions (published_at, process_key, number);

CREATE TABLE cases (
    id text COLLATE "C" PRIMARY KEY,
    revision integer NOT NULL,
    process_key text COLLATE "C" NOT NULL,
    customer_id text COLLATE "C",
    active boolean NOT NULL,
    started_at timestamptz NOT NULL,
    closed_at timestamptz,
    doc jsonb NOT NULL
);
CREATE INDEX cases_by_start ON cases (started_at, id);
CREATE INDEX cases_by_process ON cases (process_key, started_at, id);
CREATE INDEX cases_by_customer ON cases (customer_id, started_at, id) WHERE customer_id IS NOT NULL;
CREATE INDEX cases_active ON cases (started_at, id) WHERE active;
CREATE INDEX cases_by_closing ON cases (closed_at, id) INCLUDE (revision) WHERE closed_at IS NOT NULL;

CREATE TABLE work_items (
    id text COLLATE "C" PRIMARY KEY,
    case_id text COLLATE "C" NOT NULL REFERENCES cases (id),
    status text COLLATE "C" NOT NULL,
    queue text COLLATE "C" NOT NULL,
    assignee text COLLATE "C",
    process_key text COLLATE "C" NOT NULL,
    due_at timestamptz,
    warning_at timestamptz,
    priority integer NOT NULL,
    created_at timestamptz NOT NULL,
    doc jsonb NOT NULL
);
CREATE INDEX work_items_by_case ON work_items (case_id);
-- Deadline order: soonest deadline first (none last), then highest priority, then oldest, then id.
CREATE INDEX work_items_by_status ON work_items (status, due_at NULLS LAST, priority DESC, created_at, id);
CREATE INDEX open_items ON work_items (due_at NULLS LAST, priority DESC, created_at, id)
    WHERE status = 'open';
CREATE INDEX open_items_by_queue ON work_items (queue, due_at NULLS LAST, priority DESC, created_at, id)
    WHERE status = 'open';
CREATE INDEX open_items_by_assignee ON work_items (assignee, due_at NULLS LAST, priority DESC, created_at, id)
    WHERE status = 'open' AND assignee IS NOT NULL;
CREATE INDEX open_items_unassigned ON work_items (due_at NULLS LAST, priority DESC, created_at, id)
    WHERE status = 'open' AND assignee IS NULL;
CREATE INDEX open_items_by_process ON work_items (process_key, due_at NULLS LAST, priority DESC, created_at, id)
    WHERE status = 'open';
-- Priority order: highest priority first, then the deadline order.
CREATE INDEX open_items_by_priority ON work_items (priority DESC, due_at NULLS LAST, created_at, id)
    WHERE status = 'open';
CREATE INDEX open_items_by_queue_and_priority
    ON work_items (queue, priority DESC, due_at NULLS LAST, created_at, id) WHERE status = 'open';

CREATE TABLE jobs (
    id text COLLATE "C" PRIMARY KEY,
    case_id text COLLATE "C" NOT NULL REFERENCES cases (id),
    due_at timestamptz NOT NULL,
    done boolean NOT NULL,
    lease_owner text,        -- who claimed it (Store.claim_due_jobs), until when; never changed by a commit
    lease_until timestamptz,
    doc jsonb NOT NULL
);
CREATE INDEX jobs_by_case ON jobs (case_id);
CREATE INDEX jobs_due ON jobs (due_at, id) WHERE NOT done;

CREATE TABLE outbox (
    id text COLLATE "C" PRIMARY KEY,
    case_id text COLLATE "C" NOT NULL REFERENCES cases (id),
    status text COLLATE "C" NOT NULL,
    next_attempt_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL,
    lease_owner text,        -- who claimed it (Store.claim_outbox), until when; never changed by a commit
    lease_until timestamptz,
    doc jsonb NOT NULL
);
CREATE INDEX outbox_by_case ON outbox (case_id, created_at, id);
CREATE INDEX outbox_awaiting ON outbox (next_attempt_at) WHERE status IN ('pending', 'sending');

-- Insert-only: the trigger below refuses to change or delete an event.
CREATE TABLE audit_events (
    case_id text COLLATE "C" NOT NULL REFERENCES cases (id),
    id text COLLATE "C" NOT NULL,
    seq integer NOT NULL,
    doc jsonb NOT NULL,
    PRIMARY KEY (case_id, id)
);
CREATE INDEX audit_events_in_order ON audit_events (case_id, seq, id);

CREATE FUNCTION audit_events_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: events cannot be changed or deleted';
END
$$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_are_append_only();

CREATE TABLE customers (
    id text COLLATE "C" PRIMARY KEY,
    name_key text COLLATE "C" NOT NULL,  -- the name's parts in plain words: what found customers sort by
    doc jsonb NOT NULL
);
-- What agents search customers by, in the normal forms of models.customers: one row per key
-- (kind: number, email, phone, postcode, address, or name for each part of the name).
CREATE TABLE customer_keys (
    customer_id text COLLATE "C" NOT NULL REFERENCES customers (id),
    kind text COLLATE "C" NOT NULL,
    key text COLLATE "C" NOT NULL,
    PRIMARY KEY (kind, key, customer_id)
);
CREATE INDEX customer_keys_by_customer ON customer_keys (customer_id);

CREATE TABLE contacts (
    id text COLLATE "C" PRIMARY KEY,
    revision integer NOT NULL,
    customer_id text COLLATE "C",
    at timestamptz NOT NULL,
    doc jsonb NOT NULL
);
CREATE INDEX contacts_in_order ON contacts (at, id);
CREATE INDEX contacts_by_customer ON contacts (customer_id, at, id);

CREATE TABLE users (
    id text COLLATE "C" PRIMARY KEY,
    doc jsonb NOT NULL
);

-- An attachment's bytes are put before the commit that records the attachment (Store.put_attachment_content).
CREATE TABLE attachment_contents (
    id text COLLATE "C" PRIMARY KEY,
    content bytea NOT NULL
);

CREATE TABLE attachments (
    case_id text COLLATE "C" NOT NULL REFERENCES cases (id),
    id text COLLATE "C" NOT NULL REFERENCES attachment_contents (id),
    added_at timestamptz NOT NULL,
    doc jsonb NOT NULL,
    PRIMARY KEY (case_id, id)
);
