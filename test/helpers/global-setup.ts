import type { TestProject } from 'vitest/node';
import pg from 'pg';
import { migrateToLatest, openDatabase } from '../../src/db/index.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgTemplate: string | null;
  }
}

/**
 * With DATABASE_URL, migrate one template database once; every integration test file then gets a fresh
 * database cloned from it (CREATE DATABASE … TEMPLATE), which takes milliseconds.
 * With REQUIRE_SERVICES=1 (CI), a missing PostgreSQL is a failure, never a silent skip.
 */
export default async function setup(project: TestProject) {
  const url = process.env.DATABASE_URL;
  if (!url) {
    // CI runs the suite twice: on PostgreSQL, then explicitly on the embedded database (TEST_EMBEDDED=1).
    if (process.env.REQUIRE_SERVICES === '1' && process.env.TEST_EMBEDDED !== '1') {
      throw new Error('REQUIRE_SERVICES=1 but DATABASE_URL is not set (set TEST_EMBEDDED=1 to test the embedded database)');
    }
    project.provide('pgTemplate', null);
    return;
  }
  const template = `guichet_tpl_${process.pid}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${template}`);
  await admin.query(`CREATE DATABASE ${template}`);
  const target = new URL(url);
  target.pathname = `/${template}`;
  const handle = await openDatabase({ databaseUrl: target.toString(), poolSize: 1 });
  await migrateToLatest(handle.db);
  await handle.close();
  project.provide('pgTemplate', template);
  return async () => {
    // Drop what the test files left behind (a crashed file cannot clean up after itself).
    const { rows } = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname = $2`,
      [`guichet_t_${process.pid}_%`, template],
    );
    for (const r of rows) await admin.query(`DROP DATABASE IF EXISTS ${r.datname} WITH (FORCE)`);
    await admin.end();
  };
}
