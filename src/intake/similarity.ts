/**
 * How much two customer texts speak of the same matter, from 0 to 1: the overlap of their content words
 * (accents folded, short words and common words dropped, words cut to a six-letter stem, so that
 * "remboursement" and "rembourser" meet). The overlap coefficient (shared / smaller set) keeps a short
 * SMS comparable with a long email about the same thing.
 */
const STOPWORDS = new Set(
  (
    'les des une uns aux avec pour par sur dans que qui quoi dont mais ou est sont suis etes etait ete avoir avez ' +
    'avons ont fait faire cette ces son ses mon mes ton tes notre nos votre vos leur leurs elle elles ils nous vous ' +
    'moi toi lui pas plus tres tout tous toute toutes bien aussi encore depuis deja comme alors donc car quand ' +
    'toujours rien jamais encore bonjour madame monsieur merci cordialement salutations sincerement svp bonne journee the and for with that this ' +
    'from have has are was were you your our not but all any can will would please hello dear thanks regards'
  ).split(' '),
);

export function contentStems(text: string): Set<string> {
  const words = text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .split(/[^a-z0-9]+/);
  const stems = new Set<string>();
  for (const w of words) {
    if (w.length < 3 || STOPWORDS.has(w) || /^\d{1,3}$/.test(w)) continue;
    stems.add(w.slice(0, 6));
  }
  return stems;
}

export function textSimilarity(a: string, b: string): number {
  const sa = contentStems(a);
  const sb = contentStems(b);
  if (sa.size === 0 || sb.size === 0) return 0;
  let shared = 0;
  for (const s of sa) if (sb.has(s)) shared++;
  const smaller = Math.min(sa.size, sb.size);
  // Very short texts ("toujours rien") say too little: damp them so they never win alone.
  const damping = smaller < 5 ? smaller / 5 : 1;
  return (shared / smaller) * damping;
}

export interface MatterScore {
  score: number;
  reason: string;
}

/** Same contract number: same matter almost surely; otherwise the texts decide. */
export function matterScore(
  incoming: { text: string; subject: string | null; contractNumbers: string[] },
  open: { subject: string; description: string; contractNumber: string | null },
): MatterScore {
  const text = textSimilarity(`${incoming.subject ?? ''} ${incoming.text}`, `${open.subject} ${open.description}`);
  if (open.contractNumber && incoming.contractNumbers.includes(open.contractNumber)) {
    return { score: Math.max(0.9, text), reason: `même numéro de contrat (${open.contractNumber})` };
  }
  return { score: Number(text.toFixed(3)), reason: 'textes proches' };
}
