-- Flowdesk schema 2: open work items per queue without counting a million rows for every monitor and worklist.
-- Steps only append +1/-1 per queue to open_work_changes (no row two steps could wait for each other on);
-- reading the counts folds the changes into open_work_counts first (PostgresStore.count_open_work_items).

CREATE TABLE open_work_counts (
    queue text COLLATE "C" PRIMARY KEY,
    open bigint NOT NULL
);

CREATE TABLE open_work_changes (
    queue text COLLATE "C" NOT NULL,
    delta integer NOT NULL
);

CREATE FUNCTION note_open_work_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    was_open boolean := TG_OP <> 'INSERT' AND OLD.status = 'open';
    is_open boolean := TG_OP <> 'DELETE' AND NEW.status = 'open';
BEGIN
    IF was_open AND is_open AND OLD.queue = NEW.queue THEN
        RETURN NULL;
    END IF;
    IF was_open THEN
        INSERT INTO open_work_changes (queue, delta) VALUES (OLD.queue, -1);
    END IF;
    IF is_open THEN
        INSERT INTO open_work_changes (queue, delta) VALUES (NEW.queue, 1);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER work_items_open_counts AFTER INSERT OR UPDATE OF status, queue OR DELETE ON work_items
    FOR EACH ROW EXECUTE FUNCTION note_open_work_change();

INSERT INTO open_work_counts (queue, open)
    SELECT queue, count(*) FROM work_items WHERE status = 'open' GROUP BY queue;
