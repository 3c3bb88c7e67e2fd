import { OPEN_STATUSES, type ComplaintQuery } from '../api/types.ts';

export const VIEWS = ['open', 'mine', 'team', 'unassigned', 'overdue', 'triage', 'all', 'quarantine'] as const;
export type View = (typeof VIEWS)[number];

const open = OPEN_STATUSES.join(',');

/** What each view asks the API for; filters chosen by the agent come on top. */
export const VIEW_QUERY: Record<Exclude<View, 'quarantine'>, ComplaintQuery> = {
  open: { status: open },
  mine: { status: open, assignee: 'me' },
  /** The caller's teams: their processes, and what is assigned to a member (the server resolves both). */
  team: { status: open, myTeams: 'true' },
  unassigned: { status: open, assignee: 'none' },
  overdue: { overdue: 'true' },
  triage: { triage: 'true', status: open },
  all: {},
};

export const FILTERS = ['status', 'kind', 'cause', 'product', 'channel', 'priority'] as const;
export type Filter = (typeof FILTERS)[number];
