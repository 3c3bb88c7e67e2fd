/**
 * Message templates of a process (acknowledgement, holding reply, answer) with named variables:
 * `{{reference}}`. One renderer for every channel; unknown variables are refused when a manager saves a
 * template, and never rendered as blanks.
 */
export const TEMPLATE_VARIABLES = ['reference', 'client', 'date_reception', 'date_reponse', 'cabinet', 'mediateur', 'lien_suivi'] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];
export const TEMPLATE_KINDS = ['acknowledgement', 'holding', 'answer'] as const;
export type TemplateKind = (typeof TEMPLATE_KINDS)[number];

const PLACEHOLDER = /\{\{\s*([a-z_]+)\s*\}\}/g;

/** Variables a template uses that do not exist (empty when the template is valid). */
export function unknownVariables(template: string): string[] {
  const bad = new Set<string>();
  for (const m of template.matchAll(PLACEHOLDER)) if (!(TEMPLATE_VARIABLES as readonly string[]).includes(m[1]!)) bad.add(m[1]!);
  return [...bad];
}

export function renderTemplate(template: string, values: Record<TemplateVariable, string>): string {
  return template.replace(PLACEHOLDER, (_, name: string) => values[name as TemplateVariable] ?? '');
}

export const DEFAULT_TEMPLATES: Record<TemplateKind, string> = {
  acknowledgement:
    'Bonjour {{client}},\n\nNous avons bien reçu votre réclamation du {{date_reception}}, enregistrée sous la référence {{reference}}. ' +
    'Elle est confiée à un conseiller qui l’étudie et vous répondra par écrit au plus tard le {{date_reponse}}. ' +
    'Vous pouvez suivre son avancement ici : {{lien_suivi}}.\n\n' +
    'Si notre réponse ne vous satisfait pas, vous pourrez saisir gratuitement le médiateur : {{mediateur}}.\n\n{{cabinet}}',
  holding:
    'Bonjour {{client}},\n\nVotre réclamation {{reference}} est toujours à l’étude : nous attendons des éléments nécessaires à notre réponse. ' +
    'Nous reviendrons vers vous au plus tard le {{date_reponse}}.\n\n{{cabinet}}',
  answer:
    'Bonjour {{client}},\n\nVoici notre réponse à votre réclamation {{reference}}.\n\n[Votre réponse motivée]\n\n' +
    'Si cette réponse ne vous satisfait pas, vous pouvez saisir le médiateur : {{mediateur}}, ou toute autre voie de recours.\n\n{{cabinet}}',
};
