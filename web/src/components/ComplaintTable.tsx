import { forwardRef, useImperativeHandle, useRef } from 'react';
import { Link } from 'react-router';
import type { ComplaintListItem } from '../api/types.ts';
import { label, useI18n } from '../i18n/index.tsx';
import { AckDeadline, AnswerDeadline, PriorityBadge, StatusBadge } from './Badges.tsx';

export interface ComplaintTableHandle {
  /** Focuses the link of row `index` (keyboard navigation). */
  focusRow(index: number): void;
}

interface Props {
  items: ComplaintListItem[];
  selected?: number;
  onSelect?: (index: number) => void;
  caption: string;
  showCustomer?: boolean;
}

/** The list of complaints: one row per file, the reference is the link that opens it. */
export const ComplaintTable = forwardRef<ComplaintTableHandle, Props>(function ComplaintTable({ items, selected = -1, onSelect, caption, showCustomer = true }, ref) {
  const { t } = useI18n();
  const links = useRef<(HTMLAnchorElement | null)[]>([]);
  useImperativeHandle(ref, () => ({
    focusRow(index: number) {
      links.current[index]?.focus();
    },
  }));
  const c = t.inbox.columns;
  return (
    <div className="table-wrap">
      <table className="complaints">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{c.reference}</th>
            {showCustomer && <th scope="col">{c.customer}</th>}
            <th scope="col">{c.subject}</th>
            <th scope="col" className="col-channel">{c.channel}</th>
            <th scope="col">{c.status}</th>
            <th scope="col" className="col-priority">{c.priority}</th>
            <th scope="col">{c.ack}</th>
            <th scope="col">{c.answer}</th>
            <th scope="col" className="col-assignee">{c.assignee}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((item, i) => (
            <tr key={item.id} className={i === selected ? 'selected' : undefined} aria-current={i === selected ? 'true' : undefined} onClick={() => onSelect?.(i)}>
              <th scope="row">
                <Link
                  to={`/reclamations/${item.id}`}
                  ref={(el) => {
                    links.current[i] = el;
                  }}
                  onFocus={() => onSelect?.(i)}
                  className="ref"
                >
                  {item.reference}
                </Link>
                {item.triageReason && <span className="tag tag-warn">{t.inbox.triageTag}</span>}
              </th>
              {showCustomer && <td>{item.customerName}</td>}
              <td className="subject">
                <span>{item.subject}</span>
                <span className="small muted">
                  {label(t.taxonomy.kind, item.kind)}
                  {item.product ? ` · ${label(t.taxonomy.product, item.product)}` : ''}
                  {item.cause ? ` · ${label(t.taxonomy.cause, item.cause)}` : ''}
                  <span className="tablet-only">
                    {' · '}
                    {item.assigneeName ? `${t.inbox.columns.assignee} ${item.assigneeName}` : t.inbox.unassigned}
                  </span>
                </span>
              </td>
              <td className="col-channel">{label(t.taxonomy.channel, item.channel)}</td>
              <td>
                <StatusBadge status={item.status} />
              </td>
              <td className="col-priority">
                <PriorityBadge priority={item.priority} />
              </td>
              <td>
                <AckDeadline c={item} compact />
              </td>
              <td>
                <AnswerDeadline c={item} compact />
              </td>
              <td className="col-assignee">{item.assigneeName ?? <span className="muted">{t.inbox.unassigned}</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
});
