"""The whole write protocol as one server-side call: one round trip, one transaction, in three released forms.

- "none" (migration 1): events and the tracking upsert.
- "hashed" (migration 3): each event's stream hash too (infrastructure/event_hashing.py).
- "linked" (migration 4): each event's log link too, and the head record (infrastructure/log_chain.py).

The EXCLUSIVE lock (which readers do not wait for) makes insert order equal commit order, so a reader
that resumes after the highest position it has seen never skips a row committed later. Taking it
before the tracking upsert keeps lock order fixed between writers, so they cannot deadlock.

The linked form computes no link itself (HMAC needs the key, which must never reach the database): the
writer sends links made from the head it last saw, and the function moves the head on only if, under the
lock, it still carries that link. If another writer moved it, the call fails with HEAD_MOVED and the head's
link in the error's detail (rolling back the rows), so the writer relinks and retries without reading first.
"""

from typing import Literal

from adapters.postgres.tables import Tables, quote

Evidence = Literal["none", "hashed", "linked"]
HEAD_MOVED = "CW001"  # SQLSTATE of "the log's head is not the one your links continue"


def append_function(t: Tables, evidence: Evidence = "none") -> str:
    hashed, linked = evidence in ("hashed", "linked"), evidence == "linked"
    params = ", p_hashes bytea[]" if hashed else ""
    column, value, array, alias = (", hash", ", e.h", ", p_hashes", ", h") if hashed else ("", "", "", "")
    declare = advance = ""
    if linked:
        params += ",\n    p_links bytea[], p_after bytea, p_keyed_by bytea, p_seal bytea"
        column, value = column + ", link, keyed_by", value + ", e.l, p_keyed_by"
        array, alias = array + ", p_links", alias + ", l"
        declare = "    head bytea;\n"
        # The head moves only if it still carries the link the writer continued from; checked after the insert,
        # so the usual case costs one UPDATE, and a refusal rolls the rows back with everything else.
        advance = f"""        UPDATE {t.head} SET position = positions[cardinality(positions)],
            link = p_links[cardinality(p_links)], keyed_by = p_keyed_by, seal = p_seal
        WHERE link = p_after;
        IF NOT FOUND THEN
            SELECT h.link INTO head FROM {t.head} h;
            IF head IS NOT NULL OR p_after IS NOT NULL THEN
                RAISE EXCEPTION 'the log head moved'
                USING ERRCODE = '{HEAD_MOVED}', DETAIL = coalesce(encode(head, 'hex'), '');
            END IF;
            INSERT INTO {t.head} (single, position, link, keyed_by, seal)
            VALUES (true, positions[cardinality(positions)], p_links[cardinality(p_links)], p_keyed_by, p_seal);
        END IF;
"""
    return f"""
CREATE OR REPLACE FUNCTION {t.append}(
    p_ids uuid[], p_versions bigint[], p_topics text[], p_states bytea[],
    p_reader text, p_position bigint, p_lock_timeout_ms integer{params}
) RETURNS bigint[] LANGUAGE plpgsql AS $body$
DECLARE
    positions bigint[] := '{{}}';
{declare}BEGIN
    IF cardinality(p_ids) > 0 THEN
        PERFORM set_config('lock_timeout', p_lock_timeout_ms::text, true);  -- SET LOCAL
        LOCK TABLE {t.events} IN EXCLUSIVE MODE;
        NOTIFY {quote(t.channel)};
        WITH inserted AS (
            INSERT INTO {t.events} (originator_id, originator_version, topic, state{column})
            SELECT e.i, e.v, e.t, e.s{value}
            FROM unnest(p_ids, p_versions, p_topics, p_states{array}) WITH ORDINALITY AS e(i, v, t, s{alias}, n)
            ORDER BY e.n
            RETURNING notification_id
        )
        SELECT array_agg(inserted.notification_id ORDER BY inserted.notification_id) INTO positions FROM inserted;
{advance}    END IF;
    IF p_reader IS NOT NULL THEN
        INSERT INTO {t.tracking} AS tr (application_name, notification_id) VALUES (p_reader, p_position)
        ON CONFLICT (application_name) DO UPDATE SET notification_id = excluded.notification_id
        WHERE tr.notification_id < excluded.notification_id;
        IF NOT FOUND THEN
            RAISE unique_violation USING MESSAGE = format('%s already tracked %s or later', p_reader, p_position);
        END IF;
    END IF;
    RETURN positions;
END
$body$"""
