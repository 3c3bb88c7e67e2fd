import type { paths } from './schema';

/** Response bodies by path, method and status, read from the generated OpenAPI types. */
type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
export type ResponseOf<P extends keyof paths, M extends keyof paths[P], S extends number = 200> = paths[P][M] extends {
  responses: infer R;
}
  ? S extends keyof R
    ? Json<R[S]>
    : never
  : never;
export type BodyOf<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  requestBody?: { content: { 'application/json': infer B } };
}
  ? B
  : never;
export type QueryOf<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

export type Session = ResponseOf<'/api/auth/me', 'get'>;
export type User = Session['user'];
export type Role = User['role'];
export type ComplaintList = ResponseOf<'/api/complaints', 'get'>;
export type ComplaintListItem = ComplaintList['items'][number];
export type ComplaintQuery = QueryOf<'/api/complaints', 'get'>;
export type ComplaintDetail = ResponseOf<'/api/complaints/{complaintId}', 'get'>;
export type Complaint = ComplaintDetail['complaint'];
export type Deadlines = Complaint['deadlines'];
export type Message = ComplaintDetail['messages'][number];
export type Attachment = ComplaintDetail['attachments'][number];
export type TimelineItem = ComplaintDetail['timeline'][number];
export type ComplaintEvent = ComplaintDetail['events'][number];
export type Patch = BodyOf<'/api/complaints/{complaintId}', 'patch'>;
export type CustomerFile = ResponseOf<'/api/customers/{customerId}', 'get'>;
export type MergeSuggestion = ResponseOf<'/api/merge-suggestions', 'get'>['items'][number];
export type QuarantineItem = ResponseOf<'/api/inbound/quarantine', 'get'>['items'][number];
export type Channel = ResponseOf<'/api/channels', 'get'>['items'][number];
export type ChannelInput = BodyOf<'/api/channels', 'post'>;
export type Process = ResponseOf<'/api/processes', 'get'>['items'][number];
export type ProcessPatch = BodyOf<'/api/processes/{processId}', 'patch'>;
export type TenantSettings = ResponseOf<'/api/settings', 'get'>;
export type Notification = ResponseOf<'/api/notifications', 'get'>['items'][number];

export const STATUSES = ['nouvelle', 'en_cours', 'en_attente', 'resolue', 'cloturee'] as const satisfies readonly Complaint['status'][];
export const OPEN_STATUSES = ['nouvelle', 'en_cours', 'en_attente'] as const satisfies readonly Complaint['status'][];
export const KINDS = ['reclamation', 'demande'] as const satisfies readonly Complaint['kind'][];
export const CAUSES = [
  'accueil', 'vente', 'information', 'refus_souscription', 'tarification',
  'delai', 'qualite_reponse', 'indemnisation', 'resiliation', 'gestion_contrat', 'autre',
] as const satisfies readonly NonNullable<Complaint['cause']>[];
export const PRODUCTS = [
  'auto', 'moto', 'habitation', 'sante', 'prevoyance', 'vie', 'credit', 'animaux', 'rc_pro', 'voyage', 'protection_juridique', 'autre',
] as const satisfies readonly NonNullable<Complaint['product']>[];
export const PRIORITIES = ['normale', 'haute', 'urgente'] as const satisfies readonly Complaint['priority'][];
export const CHANNELS = ['email', 'webform', 'sms', 'voice', 'slack', 'letter', 'phone', 'in_person'] as const satisfies readonly Complaint['channel'][];
export const OUTCOMES = ['accepte', 'partiel', 'refuse'] as const satisfies readonly NonNullable<Complaint['outcome']>[];
export const ROLES = ['agent', 'manager', 'admin'] as const satisfies readonly Role[];
export const SORTS = ['-receivedAt', 'receivedAt', 'answerDueOn', '-answerDueOn', 'ackDueOn', 'reference', '-reference'] as const satisfies readonly NonNullable<ComplaintQuery['sort']>[];

const RANK: Record<Role, number> = { agent: 0, manager: 1, admin: 2 };
export function hasRole(user: User | null | undefined, role: Role): boolean {
  return !!user && RANK[user.role] >= RANK[role];
}

// --- Steering (managers and admins) ------------------------------------------------------------------
export type Dashboard = ResponseOf<'/api/dashboard', 'get'>;
export type DashboardQuery = QueryOf<'/api/dashboard', 'get'>;
export type DeadlineFigures = Dashboard['deadlines']['acknowledgement'];
export type DashboardMetric = paths['/api/dashboard/lists/{metric}']['get']['parameters']['path']['metric'];
export type DashboardList = ResponseOf<'/api/dashboard/lists/{metric}', 'get'>;
export type RegisterQuery = QueryOf<'/api/register', 'get'>;
export type RegisterPage = ResponseOf<'/api/register', 'get'>;
export type RegisterRow = RegisterPage['items'][number];
export type ActionList = ResponseOf<'/api/actions', 'get'>;
export type ActionItem = ActionList['items'][number];
export type ActionDetail = ResponseOf<'/api/actions/{actionId}', 'get'>;
export type ActionInput = BodyOf<'/api/actions', 'post'>;
export type ActionPatch = BodyOf<'/api/actions/{actionId}', 'patch'>;
export type ActionStatus = ActionItem['status'];
export type Signal = ResponseOf<'/api/signals', 'get'>['items'][number];
export type AuditQuery = QueryOf<'/api/audit', 'get'>;
export type AuditEntry = ResponseOf<'/api/audit', 'get'>['items'][number];

export const ACTION_STATUSES = ['ouverte', 'en_cours', 'terminee', 'abandonnee'] as const satisfies readonly ActionStatus[];
export const ACTION_TYPES = ['corrective', 'preventive'] as const satisfies readonly ActionItem['type'][];
