// A plain static file server for web/ (no dependencies): `node scripts/serve.mjs [port] [root]`.
// What `npm start` runs, so it holds against hostile URLs: a bad escape is answered 400, never
// an uncaught exception; a path is resolved and must stay inside the root (a sibling folder
// that shares the root's prefix included); the page's CSP goes out as a header too, with what
// a <meta> cannot say (frame-ancestors).
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml', '.png': 'image/png',
};

/** index.html's own policy, and frame-ancestors: only this origin may frame the page (embed.html). */
export function contentSecurityPolicy(root) {
  let meta = '';
  try {
    meta = /http-equiv="Content-Security-Policy"\s+content="([^"]*)"/.exec(readFileSync(join(root, 'index.html'), 'utf8'))?.[1] ?? '';
  } catch { /* a root without the page: the policy below alone */ }
  return [meta.trim().replace(/;\s*$/, ''), "frame-ancestors 'self'"].filter(Boolean).join('; ');
}

export function serve(root, port) {
  const base = resolve(root);
  const policy = contentSecurityPolicy(base);
  const headers = (type) => ({ 'content-type': type, 'content-security-policy': policy, 'x-content-type-options': 'nosniff' });
  const refuse = (response, status, text) => response.writeHead(status, headers('text/plain; charset=utf-8')).end(text);
  const server = createServer((request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(response, 405, 'method not allowed');
    let path;
    try {
      path = decodeURIComponent(new URL(request.url, 'http://localhost').pathname);
    } catch {
      return refuse(response, 400, 'bad request: the path is not a valid URL escape');
    }
    if (path.includes('\0')) return refuse(response, 400, 'bad request: NUL in the path');
    let file = resolve(base, '.' + path);
    if (file !== base && !file.startsWith(base + sep)) return refuse(response, 403, 'forbidden');
    try {
      if (statSync(file).isDirectory()) file = join(file, 'index.html');
      if (!statSync(file).isFile()) throw new Error('not a file');
    } catch {
      return refuse(response, 404, 'not found');
    }
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    const size = statSync(file).size;
    // One byte range (RFC 9110 14.2), as the hub serves checkpoints: the page reads a safetensors
    // file's header this way, never its tensor data.
    const range = /^bytes=(\d*)-(\d*)$/.exec(request.headers.range ?? '');
    if (range && (range[1] || range[2])) {
      const start = range[1] ? Number(range[1]) : Math.max(0, size - Number(range[2]));
      const end = range[1] && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
      if (!(start <= end && start < size)) {
        return response.writeHead(416, { ...headers('text/plain; charset=utf-8'), 'content-range': `bytes */${size}` }).end('range not satisfiable');
      }
      response.writeHead(206, { ...headers(type), 'accept-ranges': 'bytes', 'content-range': `bytes ${start}-${end}/${size}`, 'content-length': end - start + 1 });
      if (request.method === 'HEAD') return response.end();
      return createReadStream(file, { start, end }).on('error', () => response.destroy()).pipe(response);
    }
    // No content-length on whole files: streamed as before (the page's bounded reads are tested on it).
    response.writeHead(200, { ...headers(type), 'accept-ranges': 'bytes' });
    if (request.method === 'HEAD') return response.end();
    createReadStream(file).on('error', () => response.destroy()).pipe(response);
  });
  return new Promise((ready) => server.listen(port, '127.0.0.1', () => ready(server)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = Number(process.argv[2] ?? process.env.PORT ?? 8080);
  const root = process.argv[3] ?? join(fileURLToPath(new URL('..', import.meta.url)), 'web');
  const server = await serve(root, port);
  console.log(`LLM memory calculator: http://localhost:${server.address().port}/`);
}
