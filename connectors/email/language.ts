/**
 * French or English, by counting frequent function words. Answers only when one language clearly
 * dominates (at least 3 hits and twice the other's count); short or mixed texts stay null.
 * Words spelled alike in both languages ("a", "on", "me", "son") are left out.
 */
const FRENCH = new Set(
  'le la les des du et est je vous nous une un pour pas que qui dans sur mon ma mes votre vos avec ce cette ces au aux il elle ils ne plus mais ou être avoir été suis sont avez ai bonjour merci cordialement madame monsieur depuis toujours aucun aucune notre'.split(' '),
);
const ENGLISH = new Set(
  'the and is to of in for you your my we not that this with have has been are was were i please thank thanks regards hello dear would could since still any our from it they them will'.split(' '),
);

export function detectLanguage(text: string | null | undefined): 'fr' | 'en' | null {
  if (!text) return null;
  let fr = 0;
  let en = 0;
  for (const word of text.toLowerCase().replace(/’/g, "'").split(/[^\p{L}']+/u)) {
    // "l'assurance", "j'ai", "d'un": the French elision counts as a French word.
    if (/^(?:[ldjmnstc]|qu)'/u.test(word)) fr++;
    if (FRENCH.has(word)) fr++;
    if (ENGLISH.has(word)) en++;
  }
  if (fr >= 3 && fr >= 2 * en) return 'fr';
  if (en >= 3 && en >= 2 * fr) return 'en';
  return null;
}
