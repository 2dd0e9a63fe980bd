// Drives a Vite dev server through the standalone gateway: opens the page with the gateway's token link, waits for
// Vite's HMR client to connect ("[vite] connected."), edits a module on disk and waits for the page to show the
// edit without a reload. Prints one JSON line with what it saw; the test (ViteDevServerTest) makes the assertions.
//
// Usage: node vite-check.mjs '<json config>'
//   config: { chromium, userDataDir, screenshotDir, baseDomain, routes: [{ name, link, messageFile }] }
import { writeFileSync } from 'node:fs';
import { launch, instrument, redirects, until } from './common.mjs';

const cfg = JSON.parse(process.argv[2]);
const WAIT_MS = 30000;

const guard = setTimeout(() => {
  console.log(JSON.stringify({ error: 'vite-check did not finish within 150s' }));
  process.exit(2);
}, 150000);

async function hmrRoute(context, route) {
  const seen = { sockets: [], console: [] };
  const { clock, stop } = instrument(context, seen);
  const out = { steps: [] };
  const step = (name) => out.steps.push(`${name} @${clock()}ms`);
  const page = await context.newPage();
  try {
    step('open page');
    const response = await page.goto(route.link, { timeout: WAIT_MS });
    out.status = response.status();
    out.redirects = redirects(response);
    out.url = page.url();
    await page.locator('#message').filter({ hasText: 'hello from vite' }).waitFor({ timeout: WAIT_MS });
    out.before = await page.locator('#message').textContent();
    out.loadedBefore = await page.locator('#loaded').textContent();

    step('hmr connected');
    out.connected = await until(() => seen.console.some((line) => line.includes('[vite] connected.')), WAIT_MS);

    step('edit');
    out.edited = `edited on disk at ${Date.now()}`;
    writeFileSync(route.messageFile, `export const message = ${JSON.stringify(out.edited)};\n`);
    await page.locator('#message').filter({ hasText: out.edited }).waitFor({ timeout: WAIT_MS });
    out.after = await page.locator('#message').textContent();
    out.loadedAfter = await page.locator('#loaded').textContent();
    step('done');
    await page.screenshot({ path: `${cfg.screenshotDir}/vite-${route.name}.png` });
  } catch (e) {
    out.error = String(e.message || e).split('\n').slice(0, 3).join(' ');
    await page.screenshot({ path: `${cfg.screenshotDir}/vite-${route.name}-failed.png` }).catch(() => {});
  }
  stop();
  out.sockets = seen.sockets;
  out.console = seen.console.slice(-50);
  await page.close().catch(() => {});
  return out;
}

const out = {};
let context;
try {
  context = await launch(cfg);
  for (const route of cfg.routes) {
    out[route.name] = await hmrRoute(context, route);
  }
} catch (e) {
  out.error = String(e.stack || e);
} finally {
  if (context) {
    await context.close().catch(() => {});
  }
  clearTimeout(guard);
}
console.log(JSON.stringify(out));
process.exit(out.error ? 1 : 0);
