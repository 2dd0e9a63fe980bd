// Drives Jupyter Notebook through the standalone gateway as a person would: opens the tree with the link that
// carries the gateway's token and Jupyter's, creates a notebook from the "New" menu, runs a cell, leaves the kernel
// socket idle past the gateway's idle timeout, runs another. Prints one JSON line with what it saw; the test
// (JupyterNotebookTest) makes the assertions.
//
// Usage: node jupyter-check.mjs '<json config>'
//   config: { chromium, userDataDir, screenshotDir, baseDomain, idleMs, routes: [{ name, link }] }
import { launch, instrument, redirects } from './common.mjs';

const cfg = JSON.parse(process.argv[2]);
const WAIT_MS = 30000;

const guard = setTimeout(() => {
  console.log(JSON.stringify({ error: 'jupyter-check did not finish within 200s' }));
  process.exit(2);
}, 200000);

/** Types into the selected cell's editor and runs it with Shift+Enter; waits until output number `n` appears. */
async function runCell(nb, code, n) {
  const editor = nb.locator('.cell.selected .CodeMirror');
  await editor.click({ timeout: WAIT_MS });
  // insertText, not type(): CodeMirror would auto-close the brackets typed key by key.
  await nb.keyboard.insertText(code);
  await nb.keyboard.press('Shift+Enter');
  await nb.locator('.output_subarea').nth(n - 1).waitFor({ timeout: WAIT_MS });
}

async function notebookRoute(context, route) {
  const seen = { sockets: [], console: [] };
  const { clock, stop } = instrument(context, seen);
  const out = { steps: [] };
  const step = (name) => out.steps.push(`${name} @${clock()}ms`);
  try {
    step('open tree');
    const tree = await context.newPage();
    const response = await tree.goto(route.link, { timeout: WAIT_MS });
    out.treeStatus = response.status();
    out.treeRedirects = redirects(response);
    out.treeUrl = tree.url();
    await tree.locator('#new-dropdown-button').waitFor({ timeout: WAIT_MS });

    step('new notebook');
    await tree.click('#new-dropdown-button', { timeout: WAIT_MS });
    const [nb] = await Promise.all([
      context.waitForEvent('page', { timeout: WAIT_MS }),
      tree.click('#kernel-python3 a', { timeout: WAIT_MS }),
    ]);
    await nb.waitForLoadState('load', { timeout: WAIT_MS });
    out.notebookUrl = nb.url();
    step('kernel idle');
    await nb.locator('#kernel_indicator_icon.kernel_idle_icon').waitFor({ timeout: WAIT_MS });

    step('first cell');
    await runCell(nb, 'print(6*7)', 1);
    out.firstOutput = await nb.locator('.output_subarea').nth(0).textContent();
    out.firstOutputAtMs = clock();

    step('idle');
    const frames = () => seen.sockets.filter((s) => s.url.includes('/channels'))
      .reduce((sum, s) => sum + s.received + s.sent, 0);
    const before = frames();
    await nb.waitForTimeout(cfg.idleMs);
    // Messages the app exchanged while "idle" (pings are not frames to the page): 0 means nothing but the
    // gateway's keepalive could have kept the socket open.
    out.idleFrames = frames() - before;

    step('second cell');
    out.secondStartedAtMs = clock();
    await runCell(nb, "print('again', 6*7)", 2);
    out.secondOutput = await nb.locator('.output_subarea').nth(1).textContent();
    out.secondOutputAtMs = clock();
    step('done');
    out.kernelStatus = await nb.locator('#kernel_indicator_icon').getAttribute('class');
    await nb.screenshot({ path: `${cfg.screenshotDir}/jupyter-${route.name}.png` });
  } catch (e) {
    out.error = String(e.message || e).split('\n').slice(0, 3).join(' ');
    for (const [i, page] of context.pages().entries()) {
      await page.screenshot({ path: `${cfg.screenshotDir}/jupyter-${route.name}-failed-${i}.png` }).catch(() => {});
    }
  }
  stop();
  out.sockets = seen.sockets.map(({ frames, ...rest }) => rest);
  out.console = seen.console.slice(-50);
  for (const page of context.pages()) {
    await page.close().catch(() => {});
  }
  return out;
}

const out = {};
let context;
try {
  context = await launch(cfg);
  for (const route of cfg.routes) {
    out[route.name] = await notebookRoute(context, route);
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
