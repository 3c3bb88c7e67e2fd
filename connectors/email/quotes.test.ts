import { describe, expect, it } from 'vitest';
import { splitHtmlReply, splitReply } from './quotes.ts';

const lines = (...l: string[]) => l.join('\n');

describe('splitReply', () => {
  it('cuts a Gmail French attribution wrapped over two lines and its quote', () => {
    const r = splitReply(
      lines(
        'Toujours pas de nouvelles du remboursement.',
        '',
        'Le lun. 3 mars 2025 à 10:12, Service Réclamations <reclamations@cabinet.example>',
        'a écrit :',
        '> Nous avons bien reçu votre réclamation.',
      ),
    );
    expect(r).toEqual({ newText: 'Toujours pas de nouvelles du remboursement.', stripped: true });
  });

  it('cuts an English Gmail attribution', () => {
    const r = splitReply(lines('Still waiting.', '', 'On Mon, Mar 3, 2025 at 10:12 AM Claims <claims@x.example> wrote:', '> We received it.'));
    expect(r.newText).toBe('Still waiting.');
  });

  it('cuts an Outlook French header block and everything under it', () => {
    const r = splitReply(
      lines(
        'Je conteste ce refus.',
        '',
        '________________________________',
        'De : Cabinet Duval <reclamations@cabinet.example>',
        'Envoyé : lundi 3 mars 2025 10:12',
        'À : Jean Martin <jean.martin@example.fr>',
        'Objet : Votre réclamation',
        '',
        'Madame, Monsieur, nous refusons.',
      ),
    );
    expect(r.newText).toBe('Je conteste ce refus.');
  });

  it('cuts at "-----Message d\'origine-----" and "-----Original Message-----"', () => {
    expect(splitReply(lines('Merci.', '-----Message d\'origine-----', 'De : x', 'texte')).newText).toBe('Merci.');
    expect(splitReply(lines('Thanks.', '-----Original Message-----', 'From: x', 'text')).newText).toBe('Thanks.');
  });

  it('keeps the answers of an interleaved reply and drops the quotes', () => {
    const r = splitReply(lines('Le 3 mars 2025 à 10:12, Cabinet a écrit :', '> Votre numéro de contrat ?', 'AU-2024-118734', '> La date du sinistre ?', 'Le 12 février.'));
    expect(r.newText).toBe('AU-2024-118734\nLe 12 février.');
  });

  it('removes signatures and mobile footers', () => {
    expect(splitReply(lines('Merci de me rappeler.', '', 'Envoyé de mon iPhone')).newText).toBe('Merci de me rappeler.');
    expect(splitReply(lines('Call me back.', '-- ', 'John Smith', '+44 20 7946 0000')).newText).toBe('Call me back.');
    expect(splitReply(lines('Ok.', '', 'Télécharger Outlook pour Android', '', 'De : a@b.fr', 'Envoyé : lundi', 'À : c@d.fr')).newText).toBe('Ok.');
  });

  it('says nothing was stripped from a plain message, and does not take prose for a header', () => {
    const text = lines('Bonjour,', 'Le sinistre a eu lieu le 3 mars. De : mon voisin du dessus.', 'Cordialement,', 'Marie');
    expect(splitReply(text)).toEqual({ newText: text, stripped: false });
    // "Le … a écrit" needs the colon at the end of the line.
    const prose = 'Le gestionnaire a écrit une lettre que je n’ai jamais reçue.';
    expect(splitReply(prose).stripped).toBe(false);
  });
});

describe('splitHtmlReply', () => {
  it('drops a Gmail quote container', () => {
    const r = splitHtmlReply('<div dir="ltr">Je relance.</div><br><div class="gmail_quote"><div class="gmail_attr">Le lun. 3 mars 2025, X a écrit :</div><blockquote>ancien</blockquote></div>');
    expect(r).toEqual({ newText: 'Je relance.', stripped: true });
  });

  it('cuts at Outlook divRplyFwdMsg and drops what follows', () => {
    const r = splitHtmlReply('<div>Merci pour votre retour.</div><hr><div id="divRplyFwdMsg"><b>De :</b> Cabinet<br><b>Envoyé :</b> lundi</div><div>Ancien message</div>');
    expect(r.newText).toBe('Merci pour votre retour.');
  });

  it('drops Apple Mail cite blockquotes and their attribution', () => {
    const r = splitHtmlReply('<div>D’accord.</div><div><br><blockquote type="cite"><div>Le 3 mars 2025 à 10:12, X a écrit :</div><div>ancien</div></blockquote></div>');
    expect(r.newText).toBe('D’accord.');
  });
});
