import { sql, type Kysely } from 'kysely';

// Frozen once shipped. Live updates and presence for the console.
export async function up(db: Kysely<any>): Promise<void> {
  // Every event that changes a complaint notifies `guichet_events` with its tenant, complaint and event
  // type. NOTIFY is transactional: listeners (the api's server-sent events) hear it only once the change
  // has committed, from whichever process made it; identical payloads within one transaction are
  // delivered once. Reading a complaint (`complaint.viewed`, `complaint.exported`) changes nothing and is
  // not notified — otherwise a console refetching on each event would feed itself.
  await sql`
    CREATE FUNCTION guichet_notify_event() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.complaint_id IS NOT NULL AND NEW.type NOT IN ('complaint.viewed', 'complaint.exported') THEN
        PERFORM pg_notify('guichet_events', json_build_object('t', NEW.tenant_id, 'c', NEW.complaint_id, 'y', NEW.type)::text);
      END IF;
      RETURN NULL;
    END $$`.execute(db);
  await sql`CREATE TRIGGER events_notify AFTER INSERT ON events FOR EACH ROW EXECUTE FUNCTION guichet_notify_event()`.execute(db);

  // Who has a complaint open right now (heartbeats from the console), so that two answers never cross.
  await sql`
    CREATE TABLE complaint_presence (
      tenant_id uuid NOT NULL,
      complaint_id uuid NOT NULL,
      user_id uuid NOT NULL,
      since timestamptz NOT NULL,
      seen_at timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, complaint_id, user_id),
      FOREIGN KEY (tenant_id, complaint_id) REFERENCES complaints(tenant_id, id) ON DELETE CASCADE
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS complaint_presence`.execute(db);
  await sql`DROP TRIGGER IF EXISTS events_notify ON events`.execute(db);
  await sql`DROP FUNCTION IF EXISTS guichet_notify_event()`.execute(db);
}
