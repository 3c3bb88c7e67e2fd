import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** timestamptz: read as Date, written as Date or ISO string. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;
/** date: read and written as 'YYYY-MM-DD' (the parsers in src/db/index.ts keep it a string). */
type DateOnly = string;
type JsonDefault<T> = ColumnType<T, string | T | undefined, string | T>;

export interface TenantsTable {
  id: Generated<string>;
  slug: string;
  name: string;
  orias: string | null;
  manager_name: string;
  email: string;
  phone: string | null;
  plan: 'starter' | 'pro' | 'enterprise';
  zone: string;
  settings: JsonDefault<Record<string, unknown>>;
  created_at: TimestampDefault;
}

export interface UsersTable {
  id: Generated<string>;
  tenant_id: string;
  email: string;
  name: string;
  role: 'agent' | 'manager' | 'admin';
  status: 'invited' | 'active' | 'deactivated';
  password_hash: string | null;
  failed_logins: Generated<number>;
  locked_until: Timestamp | null;
  invitation_token_hash: string | null;
  invitation_expires_at: Timestamp | null;
  last_login_at: Timestamp | null;
  created_at: TimestampDefault;
  /** Team names (as processes name them in processes.team): the « Mon équipe » inbox view. */
  teams: Generated<string[]>;
}

export interface SessionsTable {
  id: string;
  tenant_id: string;
  user_id: string;
  created_at: TimestampDefault;
  expires_at: Timestamp;
  last_seen_at: TimestampDefault;
  ip: string | null;
  user_agent: string | null;
}

export interface CustomersTable {
  id: Generated<string>;
  tenant_id: string;
  display_name: string;
  complainant_type: Generated<string>;
  merged_into_id: string | null;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

export interface CustomerIdentitiesTable {
  id: Generated<string>;
  tenant_id: string;
  customer_id: string;
  kind: 'email' | 'phone' | 'slack' | 'contract';
  value: string;
  created_at: TimestampDefault;
}

export interface ProcessStep {
  key: string;
  label: string;
}

export interface ProcessesTable {
  id: Generated<string>;
  tenant_id: string;
  key: string;
  name: string;
  kind: 'reclamation' | 'demande';
  cause: string | null;
  team: string | null;
  internal_target_days: Generated<number>;
  steps: JsonDefault<ProcessStep[]>;
  settings: JsonDefault<Record<string, unknown>>;
  active: Generated<boolean>;
  created_at: TimestampDefault;
}

export interface ReferenceCountersTable {
  tenant_id: string;
  year: number;
  last_value: number;
}

export interface ComplaintsTable {
  id: Generated<string>;
  tenant_id: string;
  reference: string;
  customer_id: string;
  channel: string;
  kind: Generated<'reclamation' | 'demande'>;
  cause: string | null;
  product: string | null;
  priority: Generated<'normale' | 'haute' | 'urgente'>;
  status: Generated<'nouvelle' | 'en_cours' | 'en_attente' | 'resolue' | 'cloturee'>;
  outcome: 'accepte' | 'partiel' | 'refuse' | null;
  subject: string;
  nature: string | null;
  description: string;
  contract_number: string | null;
  process_id: string | null;
  assignee_id: string | null;
  sent_on: DateOnly;
  sent_on_source: 'sent' | 'received';
  received_at: Timestamp;
  ack_due_on: DateOnly;
  answer_due_on: DateOnly;
  acknowledged_at: Timestamp | null;
  answered_at: Timestamp | null;
  closed_at: Timestamp | null;
  tracking_token: string;
  created_by: string | null;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
  search_vector: ColumnType<string, never, never>;
  /** Set when the qualification was too unsure to route: the complaint waits in the triage queue. */
  triage_reason: ColumnType<string | null, string | null | undefined, string | null>;
  /** Process steps ticked by agents: step key → who and when. */
  checklist: JsonDefault<Record<string, ChecklistEntry>>;
  /** Set when this complaint was merged into another (it is then closed, its messages moved). */
  merged_into_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface MessagesTable {
  id: Generated<string>;
  tenant_id: string;
  complaint_id: string;
  direction: 'inbound' | 'outbound' | 'note';
  channel: string;
  author_user_id: string | null;
  customer_id: string | null;
  subject: string | null;
  body_text: string;
  body_html: string | null;
  external_id: string | null;
  sent_at: Timestamp | null;
  created_at: TimestampDefault;
  meta: JsonDefault<Record<string, unknown>>;
  conversation_key: ColumnType<string | null, string | null | undefined, string | null>;
  journal_id: ColumnType<string | null, string | null | undefined, string | null>;
  review_reason: ColumnType<string | null, string | null | undefined, string | null>;
  body_new_text: ColumnType<string | null, string | null | undefined, string | null>;
  /** Outbound: the address, number or Slack channel written to. */
  recipient: ColumnType<string | null, string | null | undefined, string | null>;
  /** Outbound: ack | answer | holding | status | reply | statut | … */
  purpose: ColumnType<string | null, string | null | undefined, string | null>;
  /** Sent by Guichet on its own (acknowledgement, status update), as opposed to an agent's reply. */
  automatic: ColumnType<boolean, boolean | undefined, boolean>;
  delivery_status: ColumnType<DeliveryStatus | null, DeliveryStatus | null | undefined, DeliveryStatus | null>;
  delivery_error: ColumnType<string | null, string | null | undefined, string | null>;
  delivery_attempts: ColumnType<number, number | undefined, number>;
  delivered_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}
export interface ChecklistEntry {
  done: boolean;
  by: string;
  at: string;
}
export type DeliveryStatus = 'queued' | 'sent' | 'delivered' | 'failed' | 'suppressed';

export interface AttachmentsTable {
  id: Generated<string>;
  tenant_id: string;
  complaint_id: string;
  message_id: string | null;
  filename: string;
  content_type: string;
  size_bytes: ColumnType<number, number, number>;
  sha256: string;
  created_by: string | null;
  created_at: TimestampDefault;
  removed_at: Timestamp | null;
  removed_by: string | null;
}

export interface EventsTable {
  id: Generated<number>;
  tenant_id: string;
  complaint_id: string | null;
  customer_id: string | null;
  actor_user_id: string | null;
  actor_kind: 'user' | 'system' | 'customer';
  type: string;
  data: JsonDefault<Record<string, unknown>>;
  created_at: TimestampDefault;
}

export interface InboundJournalTable {
  id: Generated<string>;
  tenant_id: string;
  channel: string;
  external_id: string;
  payload: ColumnType<Uint8Array, Uint8Array, Uint8Array>;
  content_type: string;
  status: Generated<'pending' | 'processed' | 'duplicate' | 'quarantined' | 'ignored'>;
  attempts: Generated<number>;
  last_error: string | null;
  message_id: string | null;
  complaint_id: string | null;
  received_at: TimestampDefault;
  processed_at: Timestamp | null;
}

export interface MergeSuggestionsTable {
  id: Generated<string>;
  tenant_id: string;
  customer_id: string;
  other_customer_id: string;
  reason: string;
  evidence: JsonDefault<Record<string, unknown>>;
  complaint_id: string | null;
  message_id: string | null;
  status: Generated<'pending' | 'accepted' | 'rejected'>;
  created_at: TimestampDefault;
  decided_at: Timestamp | null;
  decided_by: string | null;
}

export interface CustomerMergeMoves {
  identityIds: string[];
  complaintIds: string[];
  messageIds: string[];
  suggestionIds: string[];
}

export interface CustomerMergesTable {
  id: Generated<string>;
  tenant_id: string;
  kept_customer_id: string;
  merged_customer_id: string;
  moved: ColumnType<CustomerMergeMoves, string, string>;
  suggestion_id: string | null;
  created_by: string | null;
  created_at: TimestampDefault;
  undone_at: Timestamp | null;
  undone_by: string | null;
}

export interface QualificationsTable {
  id: Generated<string>;
  tenant_id: string;
  complaint_id: string;
  message_id: string;
  model_version: string;
  result: ColumnType<Record<string, unknown>, string, string>;
  applied: boolean;
  created_at: TimestampDefault;
}

export interface TrainingLabelsTable {
  id: Generated<string>;
  tenant_id: string;
  complaint_id: string | null;
  message_id: string | null;
  text: string;
  task: 'kind' | 'cause' | 'product' | 'priority';
  label: string;
  created_by: string | null;
  created_at: TimestampDefault;
}

export interface TenantModelsTable {
  id: Generated<string>;
  tenant_id: string;
  version: number;
  model_version: string;
  base_version: string;
  labels: number;
  model: ColumnType<Uint8Array, Uint8Array, Uint8Array>;
  active: Generated<boolean>;
  created_by: string | null;
  created_at: TimestampDefault;
}

export type NotificationKind = 'priority' | 'ack_due' | 'ack_overdue' | 'answer_due' | 'answer_overdue';

export interface NotificationsTable {
  id: Generated<string>;
  tenant_id: string;
  user_id: string;
  complaint_id: string;
  kind: NotificationKind;
  message: string;
  created_at: TimestampDefault;
  read_at: Timestamp | null;
}

export type ChannelKind = 'email' | 'twilio' | 'slack';
export interface ChannelsTable {
  id: Generated<string>;
  tenant_id: string;
  kind: ChannelKind;
  /** Mailbox address, Twilio E.164 number, Slack team id: unique per kind across tenants. */
  address: string;
  name: string;
  config: JsonDefault<Record<string, unknown>>;
  /** AES-256-GCM sealed JSON (src/secrets.ts); never returned by the API. */
  sealed_secrets: string | null;
  enabled: ColumnType<boolean, boolean | undefined, boolean>;
  health: JsonDefault<Record<string, unknown>>;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

export interface OptOutsTable {
  tenant_id: string;
  channel: string;
  address: string;
  created_at: TimestampDefault;
}

/** Reading state of one mailbox: IMAP checkpoint, backlog import progress, reader lease. */
export interface MailboxStateTable {
  channel_id: string;
  tenant_id: string;
  folder: ColumnType<string, string | undefined, string>;
  uid_validity: number | null;
  last_uid: ColumnType<number, number | undefined, number>;
  import_since: DateOnly | null;
  import_total: ColumnType<number, number | undefined, number>;
  import_done: ColumnType<number, number | undefined, number>;
  import_started_at: Timestamp | null;
  import_finished_at: Timestamp | null;
  lease_owner: string | null;
  lease_until: Timestamp | null;
  updated_at: TimestampDefault;
}

export interface ComplaintPresenceTable {
  tenant_id: string;
  complaint_id: string;
  user_id: string;
  since: Timestamp;
  seen_at: Timestamp;
}

/** Steering rollups (migrations/0012): maintained by triggers on complaints, never written by the code. */
export interface ComplaintFactsTable {
  complaint_id: string;
  tenant_id: string;
  customer_id: string;
  kind: string;
  channel: string;
  cause: string | null;
  product: string | null;
  process_id: string | null;
  assignee_id: string | null;
  status: string;
  outcome: string | null;
  is_open: boolean;
  received_on: DateOnly;
  ack_due_on: DateOnly;
  answer_due_on: DateOnly;
  ack_on: DateOnly | null;
  answer_on: DateOnly | null;
}

export type SteeringDimension = 'all' | 'channel' | 'cause' | 'product' | 'process' | 'agent';

export interface SteeringWeeklyTable {
  tenant_id: string;
  week: DateOnly;
  kind: string;
  dim: SteeringDimension;
  val: string;
  received: number;
  ack_met: number;
  ack_late: number;
  answer_met: number;
  answer_late: number;
  outcome_accepte: number;
  outcome_partiel: number;
  outcome_refuse: number;
}

export interface SteeringWeeklyHistTable {
  tenant_id: string;
  week: DateOnly;
  kind: string;
  dim: SteeringDimension;
  val: string;
  days: number;
  n: number;
}

export interface SteeringSignalsTable {
  id: Generated<string>;
  tenant_id: string;
  kind: 'volume' | 'cluster';
  week: DateOnly;
  key: string;
  dimension: string | null;
  value: string | null;
  label: string;
  count: number;
  baseline_mean: number | null;
  baseline_sd: number | null;
  threshold: number | null;
  trend: JsonDefault<{ week: string; count: number }[]>;
  examples: JsonDefault<{ complaintId: string; reference: string; subject: string; similarity?: number }[]>;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

export type ActionStatus = 'ouverte' | 'en_cours' | 'terminee' | 'abandonnee';
export interface SteeringActionsTable {
  id: Generated<string>;
  tenant_id: string;
  title: string;
  type: 'corrective' | 'preventive';
  root_cause: string;
  cause: string | null;
  product: string | null;
  signal_id: string | null;
  owner_id: string | null;
  due_on: DateOnly | null;
  status: ColumnType<ActionStatus, ActionStatus | undefined, ActionStatus>;
  completed_on: DateOnly | null;
  created_by: string | null;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

export interface SteeringActionComplaintsTable {
  tenant_id: string;
  action_id: string;
  complaint_id: string;
}

export interface SteeringDigestsTable {
  tenant_id: string;
  week: DateOnly;
  status: 'sending' | 'sent' | 'no_channel' | 'failed';
  recipients: JsonDefault<string[]>;
  subject: string;
  body: string;
  error: string | null;
  created_at: TimestampDefault;
  sent_at: Timestamp | null;
}

export interface Database {
  tenants: TenantsTable;
  users: UsersTable;
  sessions: SessionsTable;
  customers: CustomersTable;
  customer_identities: CustomerIdentitiesTable;
  processes: ProcessesTable;
  reference_counters: ReferenceCountersTable;
  complaints: ComplaintsTable;
  messages: MessagesTable;
  attachments: AttachmentsTable;
  events: EventsTable;
  inbound_journal: InboundJournalTable;
  merge_suggestions: MergeSuggestionsTable;
  customer_merges: CustomerMergesTable;
  qualifications: QualificationsTable;
  training_labels: TrainingLabelsTable;
  tenant_models: TenantModelsTable;
  notifications: NotificationsTable;
  channels: ChannelsTable;
  opt_outs: OptOutsTable;
  complaint_presence: ComplaintPresenceTable;
  mailbox_state: MailboxStateTable;
  complaint_facts: ComplaintFactsTable;
  steering_weekly: SteeringWeeklyTable;
  steering_weekly_hist: SteeringWeeklyHistTable;
  steering_signals: SteeringSignalsTable;
  steering_actions: SteeringActionsTable;
  steering_action_complaints: SteeringActionComplaintsTable;
  steering_digests: SteeringDigestsTable;
}

export type Tenant = Selectable<TenantsTable>;
export type User = Selectable<UsersTable>;
export type Customer = Selectable<CustomersTable>;
export type Complaint = Selectable<ComplaintsTable>;
export type NewComplaint = Insertable<ComplaintsTable>;
export type ComplaintUpdate = Updateable<ComplaintsTable>;
export type Message = Selectable<MessagesTable>;
export type Attachment = Selectable<AttachmentsTable>;
export type Event = Selectable<EventsTable>;
export type Process = Selectable<ProcessesTable>;
export type Channel = Selectable<ChannelsTable>;
export type MergeSuggestion = Selectable<MergeSuggestionsTable>;
export type CustomerMerge = Selectable<CustomerMergesTable>;
