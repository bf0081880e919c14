// hotcc serve end to end, in Debian's chromium driven by playwright-core: a user runs
// `hotcc serve app.cpp`, opens the printed address, edits app.cpp on disk and watches the page.
//
//   node serve_e2e.mjs --hotcc PATH/TO/hotcc [--artifacts DIR]
//
// Checks: the page runs the program (#output); an edit reaches the running page while its frame
// counter keeps counting; a syntax error shows an overlay while the old code keeps running, and
// the fix clears it; a page opened late gets the main module and the patch chain; two pages both
// get a patch; a changed signature falls back to a full reload that says why. Saves a screenshot.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const argument = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : fallback;
};
const hotcc = path.resolve(argument('--hotcc', path.join(here, '../../build/hotcc')));
const artifacts = argument('--artifacts', process.cwd());

let chromium;
try {
  ({ chromium } = await import(path.join(here, 'node_modules/playwright-core/index.mjs')));
} catch (e) {
  console.error('FAIL: playwright-core is not installed in tests/browser (tools/bootstrap.sh runs npm ci there)');
  process.exit(1);
}

class TestFailure extends Error {}
function check(condition, message) {
  if (!condition) throw new TestFailure(message);
}

// ---- the server ----
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hotcc-serve-e2e-'));
const source = path.join(dir, 'app.cpp');
let text = fs.readFileSync(path.join(here, 'serve_app/app.cpp'), 'utf8');
fs.writeFileSync(source, text);
// Saves as an editor does: the file rewritten in place.
function save(newText) {
  text = newText;
  fs.writeFileSync(source, text);
}
function edit(from, to) {
  check(text.includes(from), `test bug: ${JSON.stringify(from)} is not in app.cpp`);
  save(text.replace(from, to));
}

let serverLog = '';
function startServer(port) {
  const child = spawn(hotcc, ['serve', 'app.cpp', '--port', String(port)], { cwd: dir });
  child.stderr.on('data', (d) => { serverLog += d; });
  child.stdout.on('data', (d) => { serverLog += d; });
  return child;
}
let server = startServer(0);

async function until(what, predicate, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // A page that is navigating (a reload) has no document to read yet: not there yet.
    const value = await Promise.resolve().then(predicate).catch(() => null);
    if (value) return value;
    if (Date.now() > deadline) throw new TestFailure(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--no-first-run'],
});

// A page and what it logged to its console.
async function openPage(url, name) {
  const page = await browser.newPage();
  page.consoleLines = [];
  page.on('console', (m) => page.consoleLines.push(m.text()));
  page.on('pageerror', (e) => page.consoleLines.push('pageerror: ' + e.message));
  page.name = name;
  await page.goto(url);
  return page;
}

// The last "value V frame N" line of #output.
async function lastValue(page) {
  const output = (await page.textContent('#output')) || '';
  const lines = [...output.matchAll(/value (-?\d+) frame (\d+)/g)];
  if (!lines.length) return null;
  const last = lines[lines.length - 1];
  return { value: Number(last[1]), frame: Number(last[2]) };
}

async function waitForValue(page, value, what) {
  return until(`${page.name} to show value ${value} (${what})`, async () => {
    const last = await lastValue(page);
    return last && last.value === value ? last : null;
  });
}

async function overlayText(page) {
  return page.evaluate(() => {
    const overlay = document.getElementById('hotcc-overlay');
    return overlay ? overlay.textContent : null;
  });
}

let failed = false;
try {
  const url = await until('the server\'s "hotcc: open http" line', () => {
    const match = serverLog.match(/^hotcc: open (http\S+)/m);
    return match ? match[1] : null;
  }, 120000);

  // 1. The page runs main and the frame loop.
  const page1 = await openPage(url, 'page 1');
  const before = await until('page 1 to have run 30 frames', async () => {
    const last = await lastValue(page1);
    return last && last.frame >= 30 ? last : null;
  });
  check(before.value === 1, `page 1 shows value ${before.value}, expected 1`);

  // 2. An edit reaches the running page; the frame counter carries on.
  edit('int value() { return 1; }', 'int value() { return 2; }');
  const after = await waitForValue(page1, 2, 'the first patch');
  check(after.frame > before.frame,
        `the frame counter restarted: ${after.frame} after the patch, ${before.frame} before`);
  await until('the console line for patch 1',
              () => page1.consoleLines.some((l) => /^\[hotcc\] patch 1: value — applied in [\d.]+ ms$/.test(l)));
  check(/hotcc: patch 1: value \(1 compiled\) → 1 page, \d/.test(serverLog),
        'the server did not say "hotcc: patch 1: value (1 compiled) → 1 page, ..."\n' + serverLog);

  // 3. A syntax error: an overlay with file:line:col; the page keeps running patch 1.
  edit('int value() { return 2; }', 'int value() { return 3 }');
  const overlay = await until('the error overlay', () => overlayText(page1));
  check(/app\.cpp:11:\d+: error: expected ';'/.test(overlay),
        `the overlay does not give app.cpp:11:col and the error: ${overlay}`);
  check(overlay.includes('keeps running patch 1'), `the overlay does not say what runs: ${overlay}`);
  check(page1.consoleLines.some((l) => l.includes("error: expected ';'")),
        'the error did not reach the browser console');
  const during = await lastValue(page1);
  const later = await until('page 1 to keep counting under the overlay', async () => {
    const last = await lastValue(page1);
    return last && last.frame >= during.frame + 20 ? last : null;
  });
  check(later.value === 2, `under the overlay the page shows value ${later.value}, expected 2`);
  check(/app\.cpp:11:\d+: error: expected ';'/.test(serverLog) &&
        /pages keep running patch 1/.test(serverLog),
        'the terminal did not show the error and "pages keep running patch 1"\n' + serverLog);

  // 4. The fix: the overlay goes, the new value runs, the counter carries on.
  edit('int value() { return 3 }', 'int value() { return 3; }');
  const fixed = await waitForValue(page1, 3, 'the fix');
  check(fixed.frame > later.frame, 'the frame counter restarted after the fix');
  check((await overlayText(page1)) === null, 'the overlay is still there after the fix');
  await page1.screenshot({ path: path.join(artifacts, 'serve_page.png') });

  // 5. A page opened late gets the main module and the chain; both pages get the next patch.
  const page2 = await openPage(url, 'page 2');
  await waitForValue(page2, 3, 'the patch chain, opened late');
  edit('int value() { return 3; }', 'int value() { return 4; }');
  await waitForValue(page1, 4, 'a patch with two pages open');
  await waitForValue(page2, 4, 'a patch with two pages open');
  check(/hotcc: patch 3: value \(1 compiled\) → 2 pages/.test(serverLog),
        'the server did not say the patch reached 2 pages\n' + serverLog);

  // 6. A patch that traps in the page (integer division by zero): the program stops there; the
  //    overlay and the terminal say so, with the patch that was running.
  edit('int value() { return 4; }', 'int value() { volatile int zero = 0; return 4 / zero; }');
  const trapped = await until('the overlay saying the program stopped',
                              async () => ((await overlayText(page1)) || '').includes('the program stopped') && overlayText(page1));
  check(/running patch 4/.test(trapped) && /divide by zero/i.test(trapped),
        `the overlay does not say which patch trapped and why: ${trapped}`);
  await until('the terminal to say the program stopped in page 1',
              () => /hotcc: page \d+: the program stopped \(running patch 4\)/.test(serverLog) &&
                    /divide by zero/i.test(serverLog));
  edit('int value() { volatile int zero = 0; return 4 / zero; }', 'int value() { return 4; }');

  // 7. A changed signature: no patch carries it; the main module is rebuilt, every page reloads
  //    (state lost), and the terminal and the console say why.
  const counted = await lastValue(page1);
  edit('int value() { return 4; }', 'long value() { return 5; }');
  edit('std::printf("value %d frame %ld\\n"', 'std::printf("value %ld frame %ld\\n"');
  await waitForValue(page1, 5, 'the full reload');
  await waitForValue(page2, 5, 'the full reload');
  check(/rebuilt the main module in [\d.]+ s; 2 pages reload \(their state is lost\)/.test(serverLog),
        'the terminal did not say the main module was rebuilt and 2 pages reload\n' + serverLog);
  check(/signature/.test(serverLog), 'the terminal did not say the signature changed\n' + serverLog);
  check(page1.consoleLines.some((l) => l.startsWith('[hotcc] this page was reloaded onto a new build')),
        'the console did not say why the page reloaded');
  const reloaded = await lastValue(page1);
  check(reloaded.frame < counted.frame + 1000, 'implausible frame count after the reload');
  // After the reload, patches work again on the new main module.
  edit('long value() { return 5; }', 'long value() { return 6; }');
  await waitForValue(page1, 6, 'a patch after the full reload');
  await waitForValue(page2, 6, 'a patch after the full reload');
  await page1.screenshot({ path: path.join(artifacts, 'serve_page_after_reload.png') });

  // 8. The server restarts (same port): the open pages reconnect, find a new build and reload
  //    onto it.
  const buildBefore = await page1.evaluate(() => window.hotccStats.build);
  const stopped = new Promise((r) => server.once('exit', r));
  server.kill('SIGINT');
  await stopped;
  check(/hotcc: stopped serving/.test(serverLog), 'the server did not stop cleanly on Ctrl-C\n' + serverLog);
  serverLog = '';
  server = startServer(new URL(url).port);
  await until('the restarted server', () => /^hotcc: open http/m.test(serverLog), 120000);
  for (const page of [page1, page2])
    await until(`${page.name} to reload onto the restarted server's build`, async () => {
      const build = await page.evaluate(() => window.hotccStats && window.hotccStats.build);
      return build && build !== buildBefore;
    });
  await waitForValue(page1, 6, 'after the server restarted');
  check(page1.consoleLines.some((l) => l.includes('[hotcc] lost the server; reconnecting')),
        'page 1 did not say it lost the server');

  // 9. A page of the user's own (--shell, emcc's {{{ SCRIPT }}}), with a style sheet beside it:
  //    served, the program runs in it, and saving the shell reloads the page onto the new one.
  fs.mkdirSync(path.join(dir, 'web'));
  const shellPath = path.join(dir, 'web', 'page.html');
  const shell = (title) => `<!doctype html><html><head><link rel="stylesheet" href="style.css">
<title>${title}</title></head><body><h1 id="title">${title}</h1><canvas id="canvas" width="200"
height="100"></canvas><pre id="output"></pre>{{{ SCRIPT }}}</body></html>\n`;
  fs.writeFileSync(shellPath, shell('My game'));
  fs.writeFileSync(path.join(dir, 'web', 'style.css'), 'h1 { color: rgb(10, 200, 30); }\n');
  const stoppedAgain = new Promise((r) => server.once('exit', r));
  server.kill('SIGINT');
  await stoppedAgain;
  serverLog = '';
  server = spawn(hotcc, ['serve', 'app.cpp', '--port', '0', '--shell', shellPath], { cwd: dir });
  server.stderr.on('data', (d) => { serverLog += d; });
  const shellUrl = await until('the --shell server', () => {
    const match = serverLog.match(/^hotcc: open (http\S+)/m);
    return match ? match[1] : null;
  }, 120000);
  const page3 = await openPage(shellUrl, 'the --shell page');
  await waitForValue(page3, 6, 'the program running in the user\'s shell page');
  check((await page3.textContent('#title')) === 'My game', 'the shell page\'s own content is missing');
  const colour = await page3.evaluate(() => getComputedStyle(document.getElementById('title')).color);
  check(colour === 'rgb(10, 200, 30)', `style.css beside the shell was not applied (colour ${colour})`);
  fs.writeFileSync(shellPath, shell('My game, edited'));
  await until('the page to reload onto the saved shell',
              async () => (await page3.textContent('#title')) === 'My game, edited');
  await waitForValue(page3, 6, 'the program running again after the shell reload');
  check(/hotcc: the shell page changed — 1 page reload/.test(serverLog),
        'the terminal did not say the shell page changed\n' + serverLog);

  const errors = [...page1.consoleLines, ...page2.consoleLines]
    .filter((l) => l.startsWith('pageerror') && !/divide by zero/.test(l));  // step 6's trap
  check(errors.length === 0, 'the pages threw:\n' + errors.join('\n'));
  console.log('PASS: hotcc serve in chromium: patches, overlay, late page, two pages, a trap reported, full reload, server restart, a --shell page');
} catch (e) {
  failed = true;
  console.error('FAIL: ' + (e instanceof TestFailure ? e.message : e.stack));
  console.error('--- hotcc serve said:\n' + serverLog);
} finally {
  await browser.close();
  server.kill('SIGINT');
  await new Promise((r) => setTimeout(r, 300));
  fs.rmSync(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
