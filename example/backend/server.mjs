// The example Shisha Log API: a small Node HTTP server with /health, deployed to the Lightsail container service.
// Routes answer with or without the /api prefix (CloudFront may forward /api/* as is, or strip it).
import http from 'node:http';

const port = Number(process.env.PORT ?? 8080);
const version = process.env.APP_VERSION ?? 'dev';
const sessions = [
  { id: 1, flavor: 'Double Apple', rating: 5 },
  { id: 2, flavor: 'ミント', rating: 4 },
];

function send(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text); // Node sends no body for HEAD
}

const routes = { '/health': () => ({ status: 'ok', version }), '/v1/sessions': () => ({ sessions }) };

export const server = http.createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname.replace(/^\/api(?=\/)/, '');
  const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
  if (!route) return send(res, 404, { error: 'not found', path });
  if (req.method !== 'GET' && req.method !== 'HEAD')
    return send(res, 405, { error: 'method not allowed', path }, { allow: 'GET, HEAD' });
  send(res, 200, route());
});

if (import.meta.url === `file://${process.argv[1]}`) {
  server.listen(port, '0.0.0.0', () => console.log(`shisha-log api ${version} listening on :${port}`));
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => server.close(() => process.exit(0)));
}
