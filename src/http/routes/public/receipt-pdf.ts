/**
 * The dated copy of a complaint made through the online form (REGULATION.md: "a complaint made through
 * an online form gets a dated copy"), as a PDF. pdfkit's built-in Helvetica only encodes WinAnsi
 * (Windows-1252): every text goes through toWinAnsi first.
 */
import PDFDocument from 'pdfkit';

export interface ReceiptPdfInput {
  tenantName: string;
  tenantOrias?: string | null | undefined;
  /** Null when the submission did not open a complaint of its own (joined a file, held for an agent). */
  reference: string | null;
  /** `2 mars 2026 à 14 h 05` (Europe/Paris). */
  receivedAtText: string;
  /** `2 mai 2026`, null when unknown. */
  answerDueText: string | null;
  /** One short paragraph saying what became of the submission. */
  statusText: string;
  fields: { label: string; value: string }[];
  attachments: { name: string; sizeText: string }[];
}

/** Characters of Windows-1252 above 0x7F that are not in Latin-1 (0x80–0x9F block). */
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');
const REPLACEMENTS: Record<string, string> = {
  '\u202f': ' ', // narrow no-break space (date-fns, Intl)
  '\u2009': ' ',
  '\u2007': ' ',
  '\u2002': ' ',
  '\u2003': ' ',
  '\u200b': '',
  '\u2011': '-',
  '\u2010': '-',
  '\u2212': '-',
  '\u2032': "'",
  '\u2033': '"',
  '\u00a0': ' ',
};

/** Text that Helvetica (WinAnsi) can show: known look-alikes replaced, anything else becomes `?`. */
export function toWinAnsi(text: string): string {
  let out = '';
  for (const ch of text.normalize('NFC')) {
    if (ch in REPLACEMENTS) {
      out += REPLACEMENTS[ch];
      continue;
    }
    const code = ch.codePointAt(0)!;
    if (ch === '\n' || ch === '\t') out += ch;
    else if (ch === '\r') continue;
    else if ((code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRA.has(ch)) out += ch;
    else out += '?';
  }
  return out;
}

export async function renderReceiptPdf(input: ReceiptPdfInput): Promise<Buffer> {
  const t = toWinAnsi;
  const doc = new PDFDocument({
    size: 'A4',
    margin: 56,
    lang: 'fr-FR',
    info: {
      Title: t(input.reference ? `Copie datée de la réclamation ${input.reference}` : 'Copie datée de votre réclamation'),
      Author: t(input.tenantName),
      Subject: t(`Réclamation reçue le ${input.receivedAtText}`),
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const width = doc.page.width - doc.page.margins.left - doc.page.margins.right;
  doc.font('Helvetica-Bold').fontSize(11).fillColor('#0b3d91').text(t(input.tenantName), { width });
  if (input.tenantOrias) doc.font('Helvetica').fontSize(9).fillColor('#333333').text(t(`ORIAS ${input.tenantOrias}`));
  doc.moveDown(1.2);
  doc.font('Helvetica-Bold').fontSize(17).fillColor('#111111').text(t('Copie datée de votre réclamation'), { width });
  doc.moveDown(0.6);

  const line = (label: string, value: string) => {
    doc.font('Helvetica-Bold').fontSize(11).fillColor('#111111').text(t(`${label} : `), { continued: true });
    doc.font('Helvetica').text(t(value));
  };
  if (input.reference) line('Référence', input.reference);
  line('Reçue le', `${input.receivedAtText} (heure de Paris)`);
  if (input.answerDueText) line('Réponse au plus tard le', input.answerDueText);
  doc.moveDown(0.4);
  doc.font('Helvetica').fontSize(10.5).fillColor('#222222').text(t(input.statusText), { width });

  doc.moveDown(1);
  doc.font('Helvetica-Bold').fontSize(13).fillColor('#111111').text(t('Ce que vous avez envoyé'));
  doc.moveDown(0.4);
  for (const f of input.fields) {
    doc.font('Helvetica-Bold').fontSize(10.5).fillColor('#111111').text(t(f.label));
    doc.font('Helvetica').fontSize(10.5).fillColor('#222222').text(t(f.value), { width });
    doc.moveDown(0.4);
  }

  doc.moveDown(0.6);
  doc.font('Helvetica-Bold').fontSize(13).fillColor('#111111').text(t('Pièces jointes'));
  doc.moveDown(0.3);
  doc.font('Helvetica').fontSize(10.5).fillColor('#222222');
  if (input.attachments.length === 0) doc.text(t('Aucune pièce jointe.'));
  for (const a of input.attachments) doc.text(t(`•  ${a.name} (${a.sizeText})`), { width });

  doc.moveDown(1.5);
  doc
    .font('Helvetica')
    .fontSize(8.5)
    .fillColor('#444444')
    .text(
      t(
        'Copie établie automatiquement à la réception de votre réclamation déposée en ligne. ' +
          'Conformément à la recommandation ACPR 2024-R-02, votre réclamation fait l’objet d’un accusé de réception ' +
          'sous 10 jours ouvrables et d’une réponse dans un délai maximal de deux mois à compter de son envoi. ' +
          'Conservez ce document : il atteste de la date de votre réclamation.',
      ),
      { width },
    );
  doc.end();
  return done;
}
