import { useEffect, useRef } from 'react';

/** Single-key shortcuts, ignored while the user types in a field or holds a modifier. */
export function useShortcuts(handlers: Record<string, (event: KeyboardEvent) => void>, enabled = true): void {
  const ref = useRef(handlers);
  ref.current = handlers;
  useEffect(() => {
    if (!enabled) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
      const target = event.target as HTMLElement | null;
      const typing = target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
      if (typing && event.key !== 'Escape') return;
      const handler = ref.current[event.key];
      if (handler) {
        handler(event);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [enabled]);
}
