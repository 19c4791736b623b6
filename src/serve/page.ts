/**
 * The product page: one static HTML page, its script and its style, served at `/` beside
 * the API it reads (and nothing else: no database access of its own).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface PageAsset {
  path: string;
  type: string;
  body: string;
}

const DIR = join(import.meta.dirname, 'page');

export function loadPage(): PageAsset[] {
  return [
    { path: '/', file: 'index.html', type: 'text/html; charset=utf-8' },
    { path: '/page.js', file: 'page.js', type: 'text/javascript; charset=utf-8' },
    { path: '/page.css', file: 'page.css', type: 'text/css; charset=utf-8' },
  ].map((a) => ({ path: a.path, type: a.type, body: readFileSync(join(DIR, a.file), 'utf8') }));
}
