import { defineConfig } from 'vitest/config';

// Unit tests sit beside the code; integration tests (real database, HTTP through inject) live in test/.
// Each integration file opens its own database (PGlite in memory, or a fresh PostgreSQL database cloned
// from a migrated template when DATABASE_URL is set), so files run in parallel on separate workers.
export default defineConfig({
  test: {
    env: { DOTENV_CONFIG_QUIET: 'true', LOG_LEVEL: 'silent' },
    pool: 'forks',
    maxWorkers: 2,
    // Generous: CI machines are small and shared; a slow test is still a passing one, a stuck one fails.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: ['test/helpers/global-setup.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['src/**/*.test.ts', 'connectors/**/*.test.ts', 'workers/**/*.test.ts'] } },
      { extends: true, test: { name: 'integration', include: ['test/integration/**/*.test.ts'] } },
      // A page reaches its new state after a request, a refetch and a render, on a machine busy with the other
      // test files: expect.poll's default of one second is too short there. A poll still fails on a state
      // that never comes; it only waits longer for one that does.
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], testTimeout: 180_000, expect: { poll: { timeout: 15_000 } } } },
    ],
  },
});
