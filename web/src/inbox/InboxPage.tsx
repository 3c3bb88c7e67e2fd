import { useEffect, useMemo, useRef, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useComplaints, useSession } from '../api/queries.ts';
import { CAUSES, CHANNELS, KINDS, PRIORITIES, PRODUCTS, SORTS, STATUSES, hasRole, type ComplaintQuery } from '../api/types.ts';
import { useI18n } from '../i18n/index.tsx';
import { ComplaintTable, type ComplaintTableHandle } from '../components/ComplaintTable.tsx';
import { ErrorMessage } from '../components/ErrorMessage.tsx';
import { useSearchUpdate } from '../components/FilterForm.tsx';
import { ShortcutsHelp } from '../components/ShortcutsHelp.tsx';
import { useShortcuts } from '../components/shortcuts.ts';
import { QuarantineList, useQuarantine } from './QuarantineList.tsx';
import { FILTERS, VIEW_QUERY, VIEWS, type Filter, type View } from './views.ts';

const PAGE_SIZE = 25;

function ViewCount({ view }: { view: Exclude<View, 'quarantine'> }) {
  const { t, number } = useI18n();
  const { data } = useComplaints({ ...VIEW_QUERY[view], limit: 1 });
  if (!data) return null;
  if (data.totalCapped) {
    // The server stops counting at 1,000 (a count over a million rows would cost more than the list).
    return (
      <span className="count">
        <span aria-hidden="true">{`${number(1000)}+`}</span>
        <span className="sr-only">{t.inbox.countCapped}</span>
      </span>
    );
  }
  return <span className="count">{data.total}</span>;
}

function QuarantineCount() {
  const { data } = useQuarantine();
  if (!data) return null;
  return <span className="count">{data.nextCursor ? `${data.items.length}+` : data.items.length}</span>;
}

export function InboxPage() {
  const { t } = useI18n();
  const [params, update] = useSearchUpdate();
  const [, setParams] = useSearchParams();
  const navigate = useNavigate();
  const session = useSession().data;
  const myTeams = session?.user.teams ?? [];
  const view: View = (VIEWS as readonly string[]).includes(params.get('vue') ?? '') ? (params.get('vue') as View) : 'open';
  const sort = (SORTS as readonly string[]).includes(params.get('tri') ?? '') ? (params.get('tri') as ComplaintQuery['sort']) : undefined;
  const q = params.get('q') ?? '';
  const filters = Object.fromEntries(FILTERS.map((f) => [f, params.get(f) ?? ''])) as Record<Filter, string>;

  const [search, setSearch] = useState(q);
  useEffect(() => setSearch(q), [q]);
  const searchRef = useRef<HTMLInputElement>(null);
  const table = useRef<ComplaintTableHandle>(null);

  const baseQuery = useMemo<ComplaintQuery>(() => {
    if (view === 'quarantine') return {};
    const query: ComplaintQuery = { ...VIEW_QUERY[view], limit: PAGE_SIZE };
    for (const f of FILTERS) if (filters[f]) query[f] = filters[f];
    if (q) query.q = q;
    if (sort) query.sort = sort;
    return query;
  }, [view, q, sort, ...FILTERS.map((f) => filters[f])]);

  // Cursor pagination: the cursors of the pages seen, reset whenever the question changes.
  const [cursors, setCursors] = useState<string[]>([]);
  const queryKey = JSON.stringify(baseQuery);
  useEffect(() => setCursors([]), [queryKey]);
  const cursor = cursors[cursors.length - 1];
  const list = useComplaints(cursor ? { ...baseQuery, cursor } : baseQuery, { enabled: view !== 'quarantine' });
  const items = view === 'quarantine' ? [] : (list.data?.items ?? []);

  const [selected, setSelected] = useState(0);
  useEffect(() => setSelected(0), [queryKey, cursor]);

  const move = (delta: number) => {
    if (items.length === 0) return;
    const i = Math.min(items.length - 1, Math.max(0, selected + delta));
    setSelected(i);
    table.current?.focusRow(i);
  };
  const nextPage = () => {
    if (list.data?.nextCursor) setCursors((c) => [...c, list.data!.nextCursor!]);
  };
  const previousPage = () => setCursors((c) => c.slice(0, -1));

  useShortcuts({
    j: () => move(1),
    ArrowDown: (e) => {
      if (items.length) {
        e.preventDefault();
        move(1);
      }
    },
    k: () => move(-1),
    ArrowUp: (e) => {
      if (items.length) {
        e.preventDefault();
        move(-1);
      }
    },
    Enter: (e) => {
      const target = e.target as HTMLElement;
      if (target.tagName === 'A' || target.tagName === 'BUTTON') return;
      const item = items[selected];
      if (item) void navigate(`/reclamations/${item.id}`);
    },
    '/': (e) => {
      e.preventDefault();
      searchRef.current?.focus();
      searchRef.current?.select();
    },
    Escape: () => {
      if (document.activeElement === searchRef.current) searchRef.current?.blur();
    },
    n: nextPage,
    p: previousPage,
    ...Object.fromEntries(VIEWS.map((v, i) => [String(i + 1), () => update({ vue: v === 'open' ? null : v })])),
  });

  const hasFilters = FILTERS.some((f) => filters[f]) || !!q || !!sort;
  const options: Record<Filter, readonly string[]> = { status: STATUSES, kind: KINDS, cause: CAUSES, product: PRODUCTS, channel: CHANNELS, priority: PRIORITIES };
  const labels: Record<Filter, Record<string, string>> = {
    status: t.taxonomy.status,
    kind: t.taxonomy.kind,
    cause: t.taxonomy.cause,
    product: t.taxonomy.product,
    channel: t.taxonomy.channel,
    priority: t.taxonomy.priority,
  };
  const filterLabels: Record<Filter, string> = {
    status: t.complaint.status,
    kind: t.complaint.kind,
    cause: t.complaint.cause,
    product: t.complaint.product,
    channel: t.complaint.channel,
    priority: t.complaint.priority,
  };

  return (
    <div className="inbox">
      <div className="page-head">
        <h1>{t.inbox.title}</h1>
        <ShortcutsHelp items={t.inbox.shortcuts} />
      </div>

      <nav aria-label={t.inbox.views} className="views">
        <ul>
          {VIEWS.map((v, i) => (
            <li key={v}>
              <button
                type="button"
                className="view"
                aria-pressed={v === view}
                title={t.inbox.viewHelp[v]}
                onClick={() => update({ vue: v === 'open' ? null : v })}
              >
                <span className="view-key" aria-hidden="true">
                  {i + 1}
                </span>
                {t.inbox.view[v]} {v === 'quarantine' ? <QuarantineCount /> : <ViewCount view={v} />}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <p className="muted small view-help">
        {t.inbox.viewHelp[view]}
        {view === 'team' && myTeams.length > 0 && ` ${t.inbox.yourTeams(myTeams)}`}
      </p>

      {view === 'quarantine' ? (
        <QuarantineList canReplay={session?.user.role === 'manager' || session?.user.role === 'admin'} />
      ) : (
        <>
          <form
            className="filters"
            role="search"
            aria-label={t.inbox.filters}
            onSubmit={(e) => {
              e.preventDefault();
              update({ q: search.trim() || null });
            }}
          >
            <label className="field search">
              <span>{t.inbox.search}</span>
              <span className="search-box">
                <input ref={searchRef} type="search" name="q" value={search} placeholder={t.inbox.searchPlaceholder} onChange={(e) => setSearch(e.target.value)} />
                <button type="submit" className="button secondary">
                  {t.inbox.search}
                </button>
              </span>
            </label>
            {FILTERS.map((f) => (
              <label key={f} className="field">
                <span>{filterLabels[f]}</span>
                <select name={f} value={filters[f]} onChange={(e) => update({ [f]: e.target.value || null })}>
                  <option value="">{t.inbox.anyValue}</option>
                  {options[f].map((o) => (
                    <option key={o} value={o}>
                      {labels[f][o] ?? o}
                    </option>
                  ))}
                </select>
              </label>
            ))}
            <label className="field">
              <span>{t.inbox.sort}</span>
              <select name="tri" value={sort ?? ''} onChange={(e) => update({ tri: e.target.value || null })}>
                <option value="">{t.inbox.sorts['-receivedAt']}</option>
                {SORTS.filter((s) => s !== '-receivedAt').map((s) => (
                  <option key={s} value={s}>
                    {t.inbox.sorts[s]}
                  </option>
                ))}
              </select>
            </label>
            {hasFilters && (
              <button type="button" className="button link" onClick={() => setParams(view === 'open' ? {} : { vue: view })}>
                {t.inbox.resetFilters}
              </button>
            )}
          </form>

          {list.isError ? (
            <ErrorMessage error={list.error} onRetry={() => void list.refetch()} />
          ) : (
            <>
              <p className="total" aria-live="polite">
                {list.data ? (list.data.totalCapped ? t.inbox.totalCapped : t.inbox.total(list.data.total)) : t.app.loading}
              </p>
              {list.data && items.length === 0 ? (
                view === 'team' && myTeams.length === 0 ? (
                  <p className="empty no-team">
                    {t.inbox.noTeam}
                    {hasRole(session?.user, 'admin') && (
                      <>
                        {' '}
                        <Link to="/parametres?onglet=users">{t.inbox.noTeamLink}</Link>
                      </>
                    )}
                  </p>
                ) : (
                  <p className="empty">{t.inbox.empty}</p>
                )
              ) : (
                <ComplaintTable ref={table} items={items} selected={selected} onSelect={setSelected} caption={`${t.inbox.title} — ${t.inbox.view[view]}`} />
              )}
              <nav className="pager" aria-label={t.inbox.page(cursors.length + 1)}>
                <button type="button" className="button secondary" disabled={cursors.length === 0} onClick={previousPage}>
                  {t.inbox.previous}
                </button>
                <span>{t.inbox.page(cursors.length + 1)}</span>
                <button type="button" className="button secondary" disabled={!list.data?.nextCursor} onClick={nextPage}>
                  {t.inbox.next}
                </button>
              </nav>
            </>
          )}
        </>
      )}
    </div>
  );
}
