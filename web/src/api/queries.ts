import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api, ApiError, resetCsrf, unwrap } from './client.ts';
import type { AuditQuery, ComplaintQuery, DashboardQuery, RegisterQuery, Session } from './types.ts';

/** Query keys: one place, so that mutations and live updates invalidate the right data. */
export const keys = {
  session: ['session'] as const,
  complaints: ['complaints'] as const,
  complaintList: (q: ComplaintQuery) => ['complaints', q] as const,
  complaint: (id: string) => ['complaint', id] as const,
  customer: (id: string) => ['customer', id] as const,
  customerSearch: (q: string) => ['customer-search', q] as const,
  users: ['users'] as const,
  mergeSuggestions: ['merge-suggestions'] as const,
  quarantine: ['quarantine'] as const,
  channels: ['channels'] as const,
  processes: ['processes'] as const,
  settings: ['settings'] as const,
  notifications: ['notifications'] as const,
  /** Steering figures and lists: every one of them may move when a complaint changes. */
  steering: ['steering'] as const,
  dashboard: (q: DashboardQuery) => ['steering', 'dashboard', q] as const,
  dashboardList: (metric: string, q: DashboardQuery & { page?: number }) => ['steering', 'dashboard-list', metric, q] as const,
  register: (q: RegisterQuery) => ['steering', 'register', q] as const,
  actions: ['steering', 'actions'] as const,
  actionList: (q: Record<string, unknown>) => ['steering', 'actions', 'list', q] as const,
  action: (id: string) => ['steering', 'actions', 'one', id] as const,
  signals: ['steering', 'signals'] as const,
  audit: (q: AuditQuery) => ['steering', 'audit', q] as const,
};

export function useSession() {
  return useQuery({
    queryKey: keys.session,
    queryFn: async (): Promise<Session | null> => {
      try {
        return await unwrap(api.GET('/api/auth/me'));
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) return null;
        throw err;
      }
    },
    staleTime: 5 * 60_000,
  });
}

export function useLogin() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { email: string; password: string }) => unwrap(api.POST('/api/auth/login', { body })),
    onSuccess: (session) => {
      resetCsrf();
      qc.clear();
      qc.setQueryData(keys.session, session);
    },
  });
}

export function useLogout() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/auth/logout')),
    onSettled: () => {
      resetCsrf();
      qc.clear();
      qc.setQueryData(keys.session, null);
    },
  });
}

export function useComplaints(query: ComplaintQuery, options: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: keys.complaintList(query),
    queryFn: () => unwrap(api.GET('/api/complaints', { params: { query } })),
    placeholderData: (previous) => previous,
    enabled: options.enabled ?? true,
  });
}

export function useComplaint(id: string) {
  return useQuery({ queryKey: keys.complaint(id), queryFn: () => unwrap(api.GET('/api/complaints/{complaintId}', { params: { path: { complaintId: id } } })) });
}

export function useUsers() {
  return useQuery({ queryKey: keys.users, queryFn: () => unwrap(api.GET('/api/users')), staleTime: 60_000 });
}

export function useCustomer(id: string) {
  return useQuery({ queryKey: keys.customer(id), queryFn: () => unwrap(api.GET('/api/customers/{customerId}', { params: { path: { customerId: id } } })) });
}

export function useMergeSuggestions() {
  return useQuery({ queryKey: keys.mergeSuggestions, queryFn: () => unwrap(api.GET('/api/merge-suggestions')) });
}

export function useNotifications(enabled: boolean) {
  return useQuery({ queryKey: keys.notifications, queryFn: () => unwrap(api.GET('/api/notifications', { params: { query: { limit: 50 } } })), enabled, refetchInterval: 60_000 });
}

/** What a change to one complaint makes stale: the file itself, every list, the alerts. */
export function invalidateComplaint(qc: QueryClient, id: string): Promise<unknown> {
  return Promise.all([
    qc.invalidateQueries({ queryKey: keys.complaint(id) }),
    qc.invalidateQueries({ queryKey: keys.complaints }),
    qc.invalidateQueries({ queryKey: ['customer'] }),
    qc.invalidateQueries({ queryKey: keys.notifications }),
    qc.invalidateQueries({ queryKey: keys.steering }),
  ]);
}
