import { z } from 'zod';

// Validation messages speak French first, everywhere zod runs (config, HTTP, CLI).
z.config(z.locales.fr());
