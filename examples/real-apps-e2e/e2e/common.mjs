// Shared by the real-app scripts: Debian's chromium (never a downloaded browser) with the flags this machine needs,
// and a record of every WebSocket a page opens, so the tests can tell which sockets went through the gateway.
import { chromium } from 'playwright-core';

export async function launch(cfg) {
  return chromium.launchPersistentContext(cfg.userDataDir, {
    executablePath: cfg.chromium,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync',
      // Host routes need {port}-{id}.{baseDomain} to reach the gateway without touching DNS.
      `--host-resolver-rules=MAP *.${cfg.baseDomain} 127.0.0.1`,
    ],
    timeout: 30000,
  });
}

/**
 * Records sockets and console lines of every page of the context, from now until stop(), into `into`
 * ({sockets: [], console: []}); clock() is the time since, in ms.
 */
export function instrument(context, into) {
  const started = Date.now();
  const watch = (page) => {
    page.on('console', (m) => into.console.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => into.console.push(`pageerror: ${e.message}`));
    page.on('websocket', (ws) => {
      const record = { url: ws.url(), openedAtMs: Date.now() - started, received: 0, sent: 0, frames: [] };
      into.sockets.push(record);
      ws.on('framereceived', (f) => {
        record.received += 1;
        keep(record, '<', f.payload);
      });
      ws.on('framesent', (f) => {
        record.sent += 1;
        keep(record, '>', f.payload);
      });
      ws.on('socketerror', (e) => { record.error = String(e); });
      ws.on('close', () => { record.closedAtMs = Date.now() - started; });
    });
  };
  context.pages().forEach(watch);
  context.on('page', watch);
  return { clock: () => Date.now() - started, stop: () => context.off('page', watch) };
}

function keep(record, direction, payload) {
  if (record.frames.length < 200) {
    const text = typeof payload === 'string' ? payload : `(binary ${payload.length} bytes)`;
    record.frames.push(`${direction} ${text.slice(0, 300)}`);
  }
}

/** The redirect chain that led to a response, oldest first, as "status url". */
export function redirects(response) {
  const chain = [];
  for (let r = response.request().redirectedFrom(); r; r = r.redirectedFrom()) {
    chain.unshift(r.url());
  }
  return chain;
}

/** Waits until `check()` is true, polling, at most `ms`; returns whether it became true. */
export async function until(check, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) {
      return true;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}
