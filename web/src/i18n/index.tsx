import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { format, isValid, parseISO } from 'date-fns';
import { enGB, fr as frLocale } from 'date-fns/locale';
import { tz } from '@date-fns/tz';
import { fr, type Dictionary } from './fr.ts';
import { en } from './en.ts';

export type Lang = 'fr' | 'en';
const DICTS: Record<Lang, Dictionary> = { fr, en };
const STORAGE_KEY = 'guichet.lang';

/**
 * Instants are shown on the Paris clock, whatever the browser's time zone: the regulatory dates (sent on,
 * deadlines) are Paris calendar dates, and a receipt time must fall on the same day as they do. A calendar
 * date (YYYY-MM-DD) is shown as it is, never shifted.
 */
const PARIS = tz('Europe/Paris');
const CALENDAR_DATE = /^\d{4}-\d{2}-\d{2}$/;

interface I18n {
  lang: Lang;
  t: Dictionary;
  setLang(lang: Lang): void;
  /** 12 mars 2026 (a calendar date as it is; an instant's date in Paris) */
  date(value: string | null | undefined): string;
  /** 12 mars 2026 à 10:02 (Paris time) */
  dateTime(value: string | null | undefined): string;
  /** A number with the language's decimal mark. */
  number(value: number, digits?: number): string;
}

const Ctx = createContext<I18n | null>(null);

function initialLang(): Lang {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (stored === 'fr' || stored === 'en') return stored;
  } catch {
    // storage may be disabled: French by default
  }
  return 'fr';
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const setLang = useCallback((next: Lang) => {
    setLangState(next);
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // not kept across reloads then
    }
  }, []);
  const value = useMemo<I18n>(() => {
    const locale = lang === 'fr' ? frLocale : enGB;
    const parse = (v: string | null | undefined) => {
      if (!v) return null;
      const d = parseISO(v);
      return isValid(d) ? d : null;
    };
    return {
      lang,
      t: DICTS[lang],
      setLang,
      date: (v) => {
        const d = parse(v);
        if (!d) return DICTS[lang].app.none;
        return CALENDAR_DATE.test(v!) ? format(d, 'd MMM yyyy', { locale }) : format(d, 'd MMM yyyy', { locale, in: PARIS });
      },
      dateTime: (v) => {
        const d = parse(v);
        return d ? format(d, lang === 'fr' ? "d MMM yyyy 'à' HH:mm" : "d MMM yyyy 'at' HH:mm", { locale, in: PARIS }) : DICTS[lang].app.none;
      },
      number: (v, digits = 0) => new Intl.NumberFormat(lang === 'fr' ? 'fr-FR' : 'en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(v),
    };
  }, [lang, setLang]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(Ctx);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}

/** A taxonomy label, or the key itself when the dictionary has none (a key added to the API later). */
export function label(map: Record<string, string>, key: string | null | undefined, none = '—'): string {
  if (!key) return none;
  return map[key] ?? key;
}
