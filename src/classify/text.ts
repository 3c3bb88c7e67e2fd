import { createRequire } from 'node:module';

type Stemmer = { stem(word: string): string };
let stemmer: Stemmer | undefined;
/**
 * natural's French Porter stemmer, required on its own: the package's index loads every tool it has
 * (taggers, lexicons, storage back-ends) — about a second and 50 MB — for this one function.
 */
function frenchStemmer(): Stemmer {
  if (!stemmer) {
    const require = createRequire(import.meta.url);
    stemmer = require('natural/lib/natural/stemmers/porter_stemmer_fr') as Stemmer;
  }
  return stemmer;
}

let lastText: string | undefined;
let lastFolded = '';
/** Accents removed, lower case. The last result is kept: one qualification folds the same text five times. */
export function fold(text: string): string {
  if (text === lastText) return lastFolded;
  lastFolded = foldText(text);
  lastText = text;
  return lastFolded;
}

function foldText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae');
}

/** SMS and spoken shorthand customers use, expanded before anything else. */
const SHORTHAND: Record<string, string> = {
  bjr: 'bonjour', bsr: 'bonsoir', slt: 'salut', tjs: 'toujours', tjrs: 'toujours', tt: 'tout', ts: 'tous', pb: 'probleme',
  pbm: 'probleme', pr: 'pour', pk: 'pourquoi', pq: 'pourquoi', prk: 'pourquoi', qd: 'quand', qq: 'quelques', qqn: 'quelqu',
  rdv: 'rendez vous', svp: 'sil vous plait', stp: 'sil te plait', mrc: 'merci', mci: 'merci', dsl: 'desole', rep: 'reponse',
  rembt: 'remboursement', rbt: 'remboursement', remb: 'remboursement', ass: 'assurance', assu: 'assurance', ctrt: 'contrat',
  cb: 'carte bancaire', ac: 'avec', avc: 'avec', bcp: 'beaucoup', jsp: 'sais pas', mm: 'meme', ns: 'nous', vs: 'vous',
  rien: 'rien', ke: 'que', koi: 'quoi', c: 'cest', jai: 'j ai', jsuis: 'je suis', chui: 'je suis', ya: 'il y a',
  mutu: 'mutuelle', veto: 'veterinaire', apt: 'appartement', appart: 'appartement', voit: 'voiture', auj: 'aujourdhui',
};

/** Folded words (accents removed, lower case, shorthand expanded). */
export function words(text: string): string[] {
  const out: string[] = [];
  for (const w of fold(text).split(/[^a-z0-9]+/)) {
    if (!w) continue;
    const expanded = SHORTHAND[w];
    if (expanded) out.push(...expanded.split(' '));
    else out.push(w);
  }
  return out;
}

const STOP = new Set(
  ('le la les un une des de du d l au aux et ou a en dans par pour sur avec sans ce cet cette ces se sa son ses mon ma mes ' +
    'ton ta tes notre nos votre vos leur leurs je tu il elle on nous vous ils elles me te lui y que qui quoi dont est sont ' +
    'suis es etes etait ete etre ai as avons avez ont avait fait faire the of to and in is it i my you your for on be ' +
    'bonjour bonsoir madame monsieur cordialement merci salutations').split(' '),
);

const cache = new Map<string, string>();
/** French stem of a folded word (accent-free stems, so that "degat" and "dégâts" meet). */
export function stem(word: string): string {
  let s = cache.get(word);
  if (s === undefined) {
    s = word.length <= 3 || /\d/.test(word) ? word : frenchStemmer().stem(word);
    if (s.length > 4 && s.endsWith('e')) s = s.slice(0, -1);
    if (cache.size > 200_000) cache.clear();
    cache.set(word, s);
  }
  return s;
}

export function contentStems(text: string): string[] {
  return words(text)
    .filter((w) => !STOP.has(w) && !/^\d{1,2}$/.test(w))
    .map(stem);
}
