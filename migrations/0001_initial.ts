import { sql, type Kysely } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new numbered file instead.
// Plain SQL so that it reads the same on PostgreSQL and on the embedded PGlite.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE EXTENSION IF NOT EXISTS pg_trgm`.execute(db);
  await sql`CREATE EXTENSION IF NOT EXISTS unaccent`.execute(db);
  // French stemming after accent folding: customers write "degat", "dégât" and "dégâts" alike.
  await sql`CREATE TEXT SEARCH CONFIGURATION guichet_fr (COPY = french)`.execute(db);
  await sql`
    ALTER TEXT SEARCH CONFIGURATION guichet_fr
      ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem`.execute(db);

  await sql`
    CREATE TABLE tenants (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      slug text NOT NULL UNIQUE,
      name text NOT NULL,
      orias text,
      manager_name text NOT NULL,
      email text NOT NULL,
      phone text,
      plan text NOT NULL CHECK (plan IN ('starter', 'pro', 'enterprise')),
      zone text NOT NULL DEFAULT 'metropole',
      settings jsonb NOT NULL DEFAULT '{}'::jsonb,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  await sql`
    CREATE TABLE users (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      email text NOT NULL,
      name text NOT NULL,
      role text NOT NULL CHECK (role IN ('agent', 'manager', 'admin')),
      status text NOT NULL CHECK (status IN ('invited', 'active', 'deactivated')),
      password_hash text,
      failed_logins integer NOT NULL DEFAULT 0,
      locked_until timestamptz,
      invitation_token_hash text UNIQUE,
      invitation_expires_at timestamptz,
      last_login_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (tenant_id, id)
    )`.execute(db);
  // One login per address across the service: the address identifies the account at login.
  await sql`CREATE UNIQUE INDEX users_email_key ON users (lower(email))`.execute(db);

  await sql`
    CREATE TABLE sessions (
      id text PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      last_seen_at timestamptz NOT NULL DEFAULT now(),
      ip text,
      user_agent text
    )`.execute(db);
  await sql`CREATE INDEX sessions_user_idx ON sessions (user_id)`.execute(db);

  await sql`
    CREATE TABLE customers (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      display_name text NOT NULL,
      complainant_type text NOT NULL DEFAULT 'client',
      merged_into_id uuid REFERENCES customers(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (tenant_id, id)
    )`.execute(db);
  await sql`CREATE INDEX customers_name_trgm ON customers USING gin (display_name gin_trgm_ops)`.execute(db);

  await sql`
    CREATE TABLE customer_identities (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL,
      customer_id uuid NOT NULL,
      kind text NOT NULL CHECK (kind IN ('email', 'phone', 'slack', 'contract')),
      value text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      FOREIGN KEY (tenant_id, customer_id) REFERENCES customers(tenant_id, id) ON DELETE CASCADE,
      UNIQUE (tenant_id, kind, value)
    )`.execute(db);
  await sql`CREATE INDEX customer_identities_customer_idx ON customer_identities (customer_id)`.execute(db);

  await sql`
    CREATE TABLE processes (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      key text NOT NULL,
      name text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('reclamation', 'demande')),
      cause text,
      team text,
      internal_target_days integer NOT NULL DEFAULT 10,
      steps jsonb NOT NULL DEFAULT '[]'::jsonb,
      settings jsonb NOT NULL DEFAULT '{}'::jsonb,
      active boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (tenant_id, key),
      UNIQUE (tenant_id, id)
    )`.execute(db);

  await sql`
    CREATE TABLE reference_counters (
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      year integer NOT NULL,
      last_value integer NOT NULL,
      PRIMARY KEY (tenant_id, year)
    )`.execute(db);

  await sql`
    CREATE TABLE complaints (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      reference text NOT NULL,
      customer_id uuid NOT NULL,
      channel text NOT NULL,
      kind text NOT NULL DEFAULT 'reclamation' CHECK (kind IN ('reclamation', 'demande')),
      cause text,
      product text,
      priority text NOT NULL DEFAULT 'normale' CHECK (priority IN ('normale', 'haute', 'urgente')),
      status text NOT NULL DEFAULT 'nouvelle'
        CHECK (status IN ('nouvelle', 'en_cours', 'en_attente', 'resolue', 'cloturee')),
      outcome text CHECK (outcome IN ('accepte', 'partiel', 'refuse')),
      subject text NOT NULL,
      nature text,
      description text NOT NULL,
      contract_number text,
      process_id uuid,
      assignee_id uuid,
      sent_on date NOT NULL,
      sent_on_source text NOT NULL CHECK (sent_on_source IN ('sent', 'received')),
      received_at timestamptz NOT NULL,
      ack_due_on date NOT NULL,
      answer_due_on date NOT NULL,
      acknowledged_at timestamptz,
      answered_at timestamptz,
      closed_at timestamptz,
      tracking_token text NOT NULL UNIQUE,
      created_by uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      search_vector tsvector GENERATED ALWAYS AS (
        to_tsvector('guichet_fr', coalesce(subject, '') || ' ' || coalesce(nature, '') || ' ' || coalesce(description, '')
          || ' ' || coalesce(contract_number, ''))
      ) STORED,
      UNIQUE (tenant_id, reference),
      UNIQUE (tenant_id, id),
      FOREIGN KEY (tenant_id, customer_id) REFERENCES customers(tenant_id, id),
      FOREIGN KEY (tenant_id, process_id) REFERENCES processes(tenant_id, id),
      FOREIGN KEY (tenant_id, assignee_id) REFERENCES users(tenant_id, id)
    )`.execute(db);
  await sql`CREATE INDEX complaints_list_idx ON complaints (tenant_id, received_at DESC, id DESC)`.execute(db);
  await sql`CREATE INDEX complaints_status_idx ON complaints (tenant_id, status)`.execute(db);
  await sql`CREATE INDEX complaints_answer_due_idx ON complaints (tenant_id, answer_due_on)`.execute(db);
  await sql`CREATE INDEX complaints_customer_idx ON complaints (tenant_id, customer_id)`.execute(db);
  await sql`CREATE INDEX complaints_search_idx ON complaints USING gin (search_vector)`.execute(db);
  await sql`CREATE INDEX complaints_subject_trgm ON complaints USING gin (subject gin_trgm_ops)`.execute(db);

  await sql`
    CREATE TABLE messages (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL,
      complaint_id uuid NOT NULL,
      direction text NOT NULL CHECK (direction IN ('inbound', 'outbound', 'note')),
      channel text NOT NULL,
      author_user_id uuid,
      customer_id uuid,
      subject text,
      body_text text NOT NULL,
      body_html text,
      external_id text,
      sent_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      meta jsonb NOT NULL DEFAULT '{}'::jsonb,
      UNIQUE (tenant_id, id),
      FOREIGN KEY (tenant_id, complaint_id) REFERENCES complaints(tenant_id, id) ON DELETE CASCADE
    )`.execute(db);
  await sql`CREATE INDEX messages_complaint_idx ON messages (tenant_id, complaint_id, created_at)`.execute(db);

  await sql`
    CREATE TABLE attachments (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL,
      complaint_id uuid NOT NULL,
      message_id uuid,
      filename text NOT NULL,
      content_type text NOT NULL,
      size_bytes bigint NOT NULL,
      sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
      created_by uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      removed_at timestamptz,
      removed_by uuid,
      UNIQUE (tenant_id, id),
      FOREIGN KEY (tenant_id, complaint_id) REFERENCES complaints(tenant_id, id) ON DELETE CASCADE,
      FOREIGN KEY (tenant_id, message_id) REFERENCES messages(tenant_id, id)
    )`.execute(db);
  await sql`CREATE INDEX attachments_complaint_idx ON attachments (tenant_id, complaint_id)`.execute(db);

  // The history and the audit trail: who, when, what, before -> after.
  await sql`
    CREATE TABLE events (
      id bigserial PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      complaint_id uuid,
      customer_id uuid,
      actor_user_id uuid,
      actor_kind text NOT NULL CHECK (actor_kind IN ('user', 'system', 'customer')),
      type text NOT NULL,
      data jsonb NOT NULL DEFAULT '{}'::jsonb,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX events_complaint_idx ON events (tenant_id, complaint_id, id)`.execute(db);
  await sql`CREATE INDEX events_tenant_idx ON events (tenant_id, created_at DESC)`.execute(db);

  // Every inbound payload lands here first, in the transaction that acknowledges it to the channel.
  await sql`
    CREATE TABLE inbound_journal (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      channel text NOT NULL,
      external_id text NOT NULL,
      payload bytea NOT NULL,
      content_type text NOT NULL,
      status text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'processed', 'duplicate', 'quarantined', 'ignored')),
      attempts integer NOT NULL DEFAULT 0,
      last_error text,
      message_id uuid,
      complaint_id uuid,
      received_at timestamptz NOT NULL DEFAULT now(),
      processed_at timestamptz,
      UNIQUE (tenant_id, channel, external_id)
    )`.execute(db);
  await sql`CREATE INDEX inbound_journal_status_idx ON inbound_journal (status, received_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'inbound_journal', 'events', 'attachments', 'messages', 'complaints', 'reference_counters', 'processes',
    'customer_identities', 'customers', 'sessions', 'users', 'tenants',
  ]) {
    await sql`DROP TABLE IF EXISTS ${sql.table(table)} CASCADE`.execute(db);
  }
  await sql`DROP TEXT SEARCH CONFIGURATION IF EXISTS guichet_fr`.execute(db);
}
