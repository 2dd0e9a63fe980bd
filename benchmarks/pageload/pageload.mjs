// The page-load figure: Debian's headless chromium (never a downloaded browser), driven by playwright-core, loads the
// upstream's dev-server-shaped page (index.html, one entry module importing 300 small ES modules, then one
// WebSocket that the upstream greets) through one contender, and prints one line `RESULT {json}`.
//
// Usage: node pageload.mjs '<json config>'
//   config: { chromium, url, token (optional), repeats, warmups (optional), modules }
// Each load runs in a fresh browser context (no cache, no open connections from the previous load), after
// unrecorded loads (`warmups`, default 2) that warm the browser, the proxy and the upstream. Times are from the
// navigation's start: `load` is the navigation entry's loadEventStart, the WebSocket's first message is
// performance.now() in its onmessage.
import { chromium } from 'playwright-core';

const cfg = JSON.parse(process.argv[2]);
const WAIT_MS = 30000;

const guard = setTimeout(() => {
  console.log(`RESULT ${JSON.stringify({ error: 'page load did not finish within 240 s' })}`);
  process.exit(2);
}, 240000);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? null : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const browser = await chromium.launch({
  executablePath: cfg.chromium,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
  timeout: WAIT_MS,
});
const out = { repeats: 0, loadMs: [], wsFirstMs: [], requests: [] };
try {
  const warm = cfg.warmups ?? 2;
  for (let i = 0; i < warm + cfg.repeats; i++) {
    // The token goes in a header, as every contender checks it there; Chromium sends extra headers on the
    // WebSocket handshake too.
    const context = await browser.newContext(cfg.token ? { extraHTTPHeaders: { 'X-Access-Token': cfg.token } } : {});
    try {
      const page = await context.newPage();
      let requests = 0;
      let failed = 0;
      page.on('requestfinished', () => { requests += 1; });
      page.on('requestfailed', () => { failed += 1; });
      const response = await page.goto(cfg.url, { waitUntil: 'load', timeout: WAIT_MS });
      if (response.status() !== 200) {
        throw new Error(`page answered ${response.status()}`);
      }
      await page.waitForFunction(() => window.__wsFirst !== undefined || window.__wsError, null,
        { timeout: WAIT_MS });
      const t = await page.evaluate(() => ({
        load: performance.getEntriesByType('navigation')[0].loadEventStart,
        ws: window.__wsFirst,
        wsError: window.__wsError === true,
        modules: window.__modules,
      }));
      if (t.wsError || t.modules !== cfg.modules || failed > 0) {
        throw new Error(`incomplete load: ${JSON.stringify({ ...t, failed, requests })}`);
      }
      if (i >= warm) {
        out.loadMs.push(t.load);
        out.wsFirstMs.push(t.ws);
        out.requests.push(requests);
        out.repeats += 1;
      }
    } finally {
      await context.close();
    }
  }
  out.loadP50Ms = median(out.loadMs);
  out.wsFirstP50Ms = median(out.wsFirstMs);
} catch (e) {
  out.error = String(e && e.message ? e.message : e).split('\n')[0];
} finally {
  await browser.close();
  clearTimeout(guard);
}
console.log(`RESULT ${JSON.stringify(out)}`);
process.exit(out.error ? 1 : 0);
