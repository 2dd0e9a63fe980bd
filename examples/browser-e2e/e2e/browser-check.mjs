// Drives Debian's chromium (never a downloaded browser) through the standalone gateway and prints one JSON line
// with what the pages showed. Run by BrowserEndToEndTest, which starts the gateway and the foreign-origin page and
// makes the assertions; this script only observes.
//
// Usage: node browser-check.mjs '<json config>'
//   config: { chromium, userDataDir, screenshotDir, gateway, token, demoPort, baseDomain, foreignPage,
//             creds: { victimPage, victimToken, hostileMount, hostileToken } }
import { chromium } from 'playwright-core';

const cfg = JSON.parse(process.argv[2]);
const WAIT_MS = 15000;

// Every wait below is bounded; this guard ends a run that hangs anywhere else (e.g. the browser never starting).
const guard = setTimeout(() => {
  console.log(JSON.stringify({ error: 'browser-check did not finish within 90s' }));
  process.exit(2);
}, 90000);

const args = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
  // Host-style routes need {port}-{id}.{baseDomain} to reach the gateway without touching DNS.
  `--host-resolver-rules=MAP *.${cfg.baseDomain} 127.0.0.1`,
];

/** Loads the demo page, waits for its WebSocket and greeting, sends one message, returns what the page shows. */
async function demoPage(page, url, message, shot) {
  const consoleLines = [];
  page.on('console', (m) => consoleLines.push(m.text()));
  const response = await page.goto(url, { timeout: WAIT_MS });
  const result = { status: response.status(), url: page.url() };
  try {
    await page.locator('#state').filter({ hasText: /^open$/ }).waitFor({ timeout: WAIT_MS });
    await page.locator('#log .received').first().waitFor({ timeout: WAIT_MS });
    await page.fill('#message', message, { timeout: WAIT_MS });
    await page.press('#message', 'Enter', { timeout: WAIT_MS });
    await page.locator('#log .received').filter({ hasText: message }).waitFor({ timeout: WAIT_MS });
  } catch (e) {
    result.waitError = String(e.message || e).split('\n')[0];
  }
  result.state = await page.locator('#state').textContent();
  result.wsUrl = await page.locator('#url').textContent();
  result.log = await page.locator('#log > div').allTextContents();
  result.console = consoleLines;
  await page.screenshot({ path: `${cfg.screenshotDir}/${shot}.png` });
  return result;
}

const context = await chromium.launchPersistentContext(cfg.userDataDir, {
  executablePath: cfg.chromium,
  headless: true,
  args,
  timeout: 30000,
});
const out = {};
try {
  const mount = `${cfg.gateway}/api/v1/sandbox/demo/port/${cfg.demoPort}`;

  // 1. The link a person is given: token in the query, then the page lives on the cookie.
  const page = await context.newPage();
  out.pathStyle = await demoPage(page, `${mount}/?liteboxd_token=${encodeURIComponent(cfg.token)}`,
    'hello from chromium', 'path-style');
  out.cookies = (await context.cookies()).map((c) => ({
    name: c.name, domain: c.domain, path: c.path, httpOnly: c.httpOnly, sameSite: c.sameSite, secure: c.secure,
  }));

  // 2. The same page again without the parameter: HTTP and WebSocket authenticated by the cookie alone.
  const again = await context.newPage();
  out.cookieOnly = await demoPage(again, `${mount}/`, 'again, by cookie', 'cookie-only');

  // 3. A page of another origin (same site: another port of 127.0.0.1, so the Lax cookie is sent) tries the
  //    sandbox's WebSocket with the cookie alone, then with an explicit token.
  const foreign = await context.newPage();
  const foreignConsole = [];
  foreign.on('console', (m) => foreignConsole.push(m.text()));
  const wsTarget = `${mount.replace(/^http/, 'ws')}/ws`;
  await foreign.goto(`${cfg.foreignPage}?ws=${encodeURIComponent(wsTarget)}&token=${encodeURIComponent(cfg.token)}`,
    { timeout: WAIT_MS });
  await foreign.locator('body[data-done="1"]').waitFor({ timeout: 30000 });
  out.foreign = JSON.parse(await foreign.locator('#out').textContent());
  out.foreign.console = foreignConsole;
  await foreign.screenshot({ path: `${cfg.screenshotDir}/foreign-origin.png` });

  // 4. Host-style route: the app owns the whole host, so root-relative URLs work.
  const host = `${cfg.demoPort}-demo.${cfg.baseDomain}`;
  const hostPage = await context.newPage();
  out.hostStyle = await demoPage(hostPage,
    `http://${host}:${new URL(cfg.gateway).port}/?liteboxd_token=${encodeURIComponent(cfg.token)}`,
    'hello over a sandbox host', 'host-style');
  out.hostCookies = (await context.cookies(`http://${host}:${new URL(cfg.gateway).port}/`))
    .map((c) => ({ name: c.name, domain: c.domain, path: c.path, httpOnly: c.httpOnly, sameSite: c.sameSite }));

  // 5. Two sandboxes of one user on one origin (a second, path-style gateway): a victim app and a hostile one.
  const c = cfg.creds;
  out.creds = {};
  //  a. Logging in to the victim by link leaves no token in the address bar, nor in any Referer.
  const login = await context.newPage();
  const loginResponse = await login.goto(
    `${c.victimPage}?keep=1&liteboxd_token=${encodeURIComponent(c.victimToken)}&z=%7E`, { timeout: WAIT_MS });
  out.creds.loginStatus = loginResponse.status();
  out.creds.loginUrl = login.url();
  await login.locator('body[data-pixel="1"]').waitFor({ timeout: WAIT_MS });
  await login.click('#next', { timeout: WAIT_MS });
  await login.locator('#referrer[data-done="1"]').waitFor({ timeout: WAIT_MS });
  out.creds.nextReferrer = await login.locator('#referrer').textContent();
  //  b. The user opens their hostile sandbox, whose page plants cookies on the victim's paths; the victim still
  //     opens by cookie, and after another link login.
  const hostile = await context.newPage();
  await hostile.goto(`${c.hostileMount}/plant.html?liteboxd_token=${encodeURIComponent(c.hostileToken)}`
    + `&victim=${encodeURIComponent(new URL(c.victimPage).pathname)}`, { timeout: WAIT_MS });
  await hostile.locator('body[data-done="1"]').waitFor({ timeout: WAIT_MS });
  out.creds.planted = JSON.parse(await hostile.locator('#out').textContent());
  out.creds.victimTokenCookies = (await context.cookies(c.victimPage))
    .filter((cookie) => cookie.name === 'liteboxd_token').length;
  const victimAgain = async (url) => {
    const p = await context.newPage();
    const r = await p.goto(url, { timeout: WAIT_MS });
    const marker = await p.locator('#marker').textContent({ timeout: 2000 }).catch(() => null);
    const result = { status: r.status(), marker };
    await p.close();
    return result;
  };
  out.creds.afterPlant = await victimAgain(c.victimPage);
  await victimAgain(`${c.victimPage}?liteboxd_token=${encodeURIComponent(c.victimToken)}`);
  out.creds.afterRelogin = await victimAgain(c.victimPage);
  //  c. Last, since a registration would see every later request: a service worker for the whole origin.
  const sw = await context.newPage();
  await sw.goto(`${c.hostileMount}/sw.html`, { timeout: WAIT_MS });
  await sw.locator('body[data-done="1"]').waitFor({ timeout: WAIT_MS });
  out.creds.serviceWorker = JSON.parse(await sw.locator('#out').textContent());
} catch (e) {
  out.error = String(e.stack || e);
} finally {
  await context.close();
  clearTimeout(guard);
}
console.log(JSON.stringify(out));
process.exit(out.error ? 1 : 0);
