// node http-proxy (npm) as a sandbox gateway in front of one sandbox: the same route prefix and token check as the
// gateway, HTTP relayed with a keep-alive agent and WebSocket upgrades relayed with `ws: true`.
// Usage: node --expose-gc http-proxy.js LISTEN_PORT UPSTREAM_PORT PREFIX TOKEN ADMIN_PORT
'use strict';
const http = require('http');
const httpProxy = require('http-proxy');

const [listenPort, upstreamPort, prefix, token, adminPort] = process.argv.slice(2);
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 256 });
const proxy = httpProxy.createProxyServer({
  target: `http://127.0.0.1:${upstreamPort}`,
  ws: true,
  xfwd: true,
  agent,
});
proxy.on('error', (err, req, res) => {
  if (res && typeof res.writeHead === 'function' && !res.headersSent) {
    res.writeHead(502, { 'content-type': 'application/json' });
    res.end('{"error":"upstream unreachable"}');
  } else if (res && typeof res.destroy === 'function') {
    res.destroy();
  }
});

// Admits a request: right prefix, right token; strips both before relaying.
function admit(req) {
  if (req.headers['x-access-token'] !== token) return false;
  if (!(req.url === prefix || req.url.startsWith(prefix + '/') || req.url.startsWith(prefix + '?'))) return false;
  req.url = req.url.slice(prefix.length) || '/';
  delete req.headers['x-access-token'];
  return true;
}

const server = http.createServer((req, res) => {
  if (!admit(req)) {
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end('{"error":"unauthorized"}');
    return;
  }
  proxy.web(req, res);
});
server.on('upgrade', (req, socket, head) => {
  if (!admit(req)) {
    socket.end('HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\n\r\n');
    return;
  }
  proxy.ws(req, socket, head);
});
server.keepAliveTimeout = 60000;
server.requestTimeout = 0;
server.listen(Number(listenPort), '127.0.0.1', () => console.log(`READY port=${listenPort}`));

// Memory of this process for the suite (heap after a full GC when started with --expose-gc).
http.createServer((req, res) => {
  if (global.gc) global.gc();
  const m = process.memoryUsage();
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external,
    arrayBuffers: m.arrayBuffers }));
}).listen(Number(adminPort), '127.0.0.1');

process.on('SIGTERM', () => process.exit(0));
