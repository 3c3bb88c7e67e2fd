import { useState } from 'react';
import { useI18n } from '../i18n/index.tsx';
import { useShortcuts } from './shortcuts.ts';

/** The page's keyboard shortcuts, written on the page (a disclosure that "?" opens and closes). */
export function ShortcutsHelp({ items }: { items: [string, string][] }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  useShortcuts({ '?': () => setOpen((o) => !o) });
  return (
    <details className="shortcuts" open={open} onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
      <summary>{t.app.shortcuts}</summary>
      <dl>
        {items.map(([keysText, what]) => (
          <div key={keysText}>
            <dt>
              {keysText.split(' / ').map((k, i) => (
                <span key={k}>
                  {i > 0 && ' / '}
                  <kbd>{k}</kbd>
                </span>
              ))}
            </dt>
            <dd>{what}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}
