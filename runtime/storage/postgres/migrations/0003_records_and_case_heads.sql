-- Flowdesk schema 3: records (drafts, scenarios, settings, tokens, checkpoints, ...) and, on cases, what the
-- auditors' and designers' overviews ask without reading every case's document.

-- One row per record, removed ones kept (`removed`) so their revision keeps counting (Store.record_revision).
CREATE TABLE records (
    kind text COLLATE "C" NOT NULL,
    key text COLLATE "C" NOT NULL,
    revision integer NOT NULL,
    removed boolean NOT NULL,
    doc jsonb NOT NULL,
    PRIMARY KEY (kind, key)
);

-- The process version a case runs on, and its audit trail's length and newest hash (Store.audit_heads, which
-- the anchoring checkpoints read: the covering index answers it from the index alone).
ALTER TABLE cases ADD COLUMN version integer, ADD COLUMN audit_count integer, ADD COLUMN audit_head text COLLATE "C";
UPDATE cases SET version = (doc ->> 'version')::integer,
                 audit_count = coalesce((doc ->> 'audit_count')::integer, 0),
                 audit_head = coalesce(doc ->> 'audit_head', '');
ALTER TABLE cases ALTER COLUMN version SET NOT NULL, ALTER COLUMN audit_count SET NOT NULL,
                  ALTER COLUMN audit_head SET NOT NULL;
CREATE INDEX cases_by_version ON cases (process_key, version) INCLUDE (active);
CREATE INDEX cases_audit_heads ON cases (id) INCLUDE (audit_count, audit_head);

-- How many unclaimed items an agent's queues hold (the worklist's total beside its page, Store.count_work_items),
-- from this index alone: the deadline-ordered indexes of open items cannot tell claimed from unclaimed per queue.
CREATE INDEX open_items_unassigned_by_queue ON work_items (queue) WHERE status = 'open' AND assignee IS NULL;
