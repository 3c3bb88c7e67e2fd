import { z } from 'zod';

/** Per-tenant intake settings (tenants.settings.intake), with the defaults a new tenant gets. */
export const intakeSettingsSchema = z.object({
  /** A message from the same customer about the same matter within this many days joins the open complaint. */
  duplicateWindowDays: z.number().int().min(0).max(90).default(14),
  /** Similarity (0–1) from which two texts are taken for the same matter. */
  duplicateThreshold: z.number().min(0).max(1).default(0.5),
  /** An SMS or chat from the same number/thread joins the open complaint for this many days. */
  conversationWindowDays: z.number().int().min(0).max(365).default(30),
});
export type IntakeSettings = z.infer<typeof intakeSettingsSchema>;

export function intakeSettingsOf(settings: Record<string, unknown> | null | undefined): IntakeSettings {
  const parsed = intakeSettingsSchema.safeParse((settings ?? {}).intake ?? {});
  return parsed.success ? parsed.data : intakeSettingsSchema.parse({});
}
