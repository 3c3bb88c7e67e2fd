/**
 * Run by `npm start` before the server: builds the console (web/dist) when it is missing or older than
 * its sources, so that `npm ci && npm start` gives a working console. Fast when nothing changed (a few
 * file stats). Without vite (production install without dev dependencies) it says so and lets the api start.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const web = fileURLToPath(new URL('..', import.meta.url));
const builtIndex = path.join(web, 'dist', 'index.html');

function newestMtime(entry: string): number {
  if (!existsSync(entry)) return 0;
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(entry)) newest = Math.max(newest, newestMtime(path.join(entry, name)));
  return newest;
}

export function consoleIsStale(): boolean {
  if (!existsSync(builtIndex)) return true;
  const built = statSync(builtIndex).mtimeMs;
  const sources = Math.max(
    newestMtime(path.join(web, 'src')),
    newestMtime(path.join(web, 'public')),
    newestMtime(path.join(web, 'index.html')),
    newestMtime(path.join(web, 'vite.config.ts')),
  );
  return sources > built;
}

export async function buildConsole(): Promise<void> {
  const { build } = await import('vite');
  // Always React's production build, even when called from a test runner (NODE_ENV=test).
  const before = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: path.join(web, 'vite.config.ts'), mode: 'production', logLevel: 'warn' });
  } finally {
    if (before === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = before;
  }
}

async function main(): Promise<void> {
  if (!consoleIsStale()) return;
  let vite = true;
  try {
    await import('vite');
  } catch {
    vite = false;
  }
  if (!vite) {
    console.warn('Console non construite et vite absent (dépendances de développement non installées) : lancez « npm ci » puis « npm run build:web ».');
    return;
  }
  console.warn('Construction de la console (web/dist)…');
  const started = Date.now();
  await buildConsole();
  console.warn(`Console construite en ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
