import pg from 'pg';

/** Runs one SQL text on its own connection (creating or dropping a benchmark's database). */
export async function adminSql(url: string, text: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}
