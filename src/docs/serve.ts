/** `docs --serve`: the generated site over plain HTTP, on the loopback interface only. */
import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
};

/** The file under `root` a URL path names, or null when it would leave `root`. */
export function resolveRequestPath(root: string, urlPath: string): string | null {
  let path: string;
  try {
    path = decodeURIComponent(urlPath.split('?')[0]!.split('#')[0]!);
  } catch {
    return null;
  }
  if (path.includes('\0')) return null;
  if (path.endsWith('/')) path += 'index.html';
  const base = resolve(root);
  const file = resolve(join(base, path));
  return file === base || file.startsWith(base + sep) ? file : null;
}

/**
 * Serves `dir` (normally target/docs) on http://<host>:<port>/ — 127.0.0.1 unless told
 * otherwise; port 0 picks a free one (read it from `server.address()` once listening).
 * Read-only: GET and HEAD. Returns the server, already listening or about to; listen
 * errors (EADDRINUSE) arrive as its 'error' event.
 */
export function serveDocs(dir: string, port: number, host = '127.0.0.1'): Server {
  const root = resolve(dir);
  const server = createServer((req, res) => {
    const headers = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headers, Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
      return;
    }
    const file = resolveRequestPath(root, req.url ?? '/');
    let size = -1;
    if (file) {
      try {
        const st = statSync(file);
        if (st.isFile()) size = st.size;
      } catch {
        // not there: 404 below
      }
    }
    if (!file || size < 0) {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream', 'Content-Length': size });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
  });
  server.listen(port, host);
  return server;
}
