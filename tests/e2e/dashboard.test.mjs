// The staff dashboard end to end in headless Chromium: log in, see a call in progress
// appear without reload, complete a task, open a call, book from the agenda, switch to
// English, and look at the admin pages. Screenshots go to $E2E_ARTIFACTS.
//
// Environment: WEB_E2E_SERVER (the web_e2e_server binary), PERMANENCE_BIN (the permanence
// program, whose `chat` places a call in the same database), E2E_ARTIFACTS (a folder),
// CHROMIUM (default /usr/bin/chromium). The machine has no network: the browser is
// Debian's, started with every background service off.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const serverBinary = process.env.WEB_E2E_SERVER;
const artifacts = process.env.E2E_ARTIFACTS || join(process.cwd(), 'e2e-artifacts');
const PASSWORD = 'mot de passe de test';
const STEP_TIMEOUT_MS = 15000;

assert.ok(serverBinary, 'WEB_E2E_SERVER must name the web_e2e_server binary');
const permanence = process.env.PERMANENCE_BIN;
assert.ok(permanence, 'PERMANENCE_BIN must name the permanence program');
mkdirSync(artifacts, { recursive: true });

/* Start the test server and return { port, send(command), stop() }. */
async function startServer(dir) {
  const child = spawn(serverBinary, [join(dir, 'e2e.db')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const waiting = [];
  lines.on('line', (line) => { const next = waiting.shift(); if (next) next(line); });
  const nextLine = () => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the test server did not answer')), STEP_TIMEOUT_MS);
    waiting.push((line) => { clearTimeout(timer); resolve(line); });
  });
  const first = await nextLine();
  const match = /^port (\d+)$/.exec(first);
  assert.ok(match, 'unexpected first line from the test server: ' + first);
  return {
    port: Number(match[1]),
    async send(command) {
      child.stdin.write(command + '\n');
      const answer = await nextLine();
      assert.equal(answer, 'ok', command + ' -> ' + answer);
    },
    stop() {
      return new Promise((resolve) => {
        child.on('exit', (code) => resolve(code));
        child.stdin.end('quit\n');
      });
    },
  };
}

const results = [];
async function step(name, run) {
  try {
    await run();
    results.push([name, true]);
    console.log('PASS ' + name);
  } catch (error) {
    results.push([name, false]);
    console.log('FAIL ' + name + ': ' + (error && error.stack ? error.stack : error));
  }
}

async function shot(page, name) {
  await page.screenshot({ path: join(artifacts, name + '.png'), fullPage: false });
}

async function login(page, base, user) {
  await page.goto(base + '/');
  await page.getByLabel(/Identifiant|User name/).fill(user);
  await page.getByLabel(/Mot de passe|Password/).fill(PASSWORD);
  await page.getByRole('button', { name: /Se connecter|Log in/ }).click();
  await page.waitForSelector('#nav a');
}

// The browser runs in a zone whose day differs from the practice's (Europe/Paris) at the
// time of the run, so a page that took "today" from the browser would show the wrong day.
function parisDay(date) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(date);
}
const parisHour = Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hour: '2-digit', hourCycle: 'h23' }).format(new Date()));
const browserZone = parisHour >= 12 ? 'Pacific/Kiritimati' : 'Pacific/Pago_Pago';

const dir = mkdtempSync(join(tmpdir(), 'permanence-e2e-'));
const server = await startServer(dir);
const base = 'http://127.0.0.1:' + server.port;
const context = await chromium.launchPersistentContext(join(dir, 'chromium-profile'), {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
  viewport: { width: 1366, height: 768 },
  locale: 'fr-FR',
  timezoneId: browserZone,
});
context.setDefaultTimeout(STEP_TIMEOUT_MS);
const page = context.pages()[0] || await context.newPage();
const pageErrors = [];
page.on('pageerror', (error) => pageErrors.push(String(error)));

await step('login page in French', async () => {
  await page.goto(base + '/');
  await page.waitForSelector('#login-title');
  assert.equal(await page.textContent('#login-title'), 'Connexion au tableau de bord');
  await shot(page, '01-login');
});

await step('wrong password says attempts left', async () => {
  await page.getByLabel('Identifiant').fill('secretaire');
  await page.getByLabel('Mot de passe').fill('pas le bon mot de passe');
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.waitForSelector('#status.error');
  assert.match(await page.textContent('#status'), /Essais restants avant blocage : 4/);
});

await step('secretary sees the emergency task first', async () => {
  await login(page, base, 'secretaire');
  await page.waitForSelector('.task');
  const first = page.locator('.task').first();
  assert.match(await first.textContent(), /Urgence vitale/);
  assert.match(await first.textContent(), /Douleur thoracique/);
  assert.equal(await first.locator('a.tel').getAttribute('href'), 'tel:+33612345678');
});

await step('a call in progress appears without reload', async () => {
  await page.waitForSelector('#live-list .live-empty');
  await server.send('live live-e2e speaking emergency douleur dans la poitrine, essoufflement');
  const card = page.locator('[data-call="live-e2e"]');
  await card.waitFor();
  assert.match(await card.textContent(), /Compris jusqu'ici : douleur dans la poitrine/);
  assert.match(await card.textContent(), /urgence vitale/);
  await shot(page, '02-home-live-call');
  await server.send('end live-e2e');
  await page.locator('[data-call="live-e2e"]').waitFor({ state: 'detached' });
});

await step('secretary completes the task', async () => {
  const task = page.locator('.task').first();
  await task.getByRole('button', { name: 'Terminé' }).click();
  await page.waitForSelector('text=Tâche terminée.');
  await page.waitForSelector('text=Rien à faire : toutes les tâches sont terminées.');
});

await step('call detail shows the transcript', async () => {
  await page.goto(base + '/#/calls');
  await page.waitForSelector('table tbody tr');
  await page.locator('table tbody tr a').first().click();
  await page.waitForSelector('.transcript');
  assert.match(await page.textContent('.transcript'), /douleur dans la poitrine/);
  assert.match(await page.textContent('main'), /douleur thoracique/);
  assert.equal(await page.locator('main .task').count(), 1);
  assert.doesNotMatch(await page.textContent('main'), /\[object /);
  await shot(page, '03-call-detail');
});

await step('a call made with permanence chat leaves its task', async () => {
  /* A prescription renewal request, through the real conversation engine. */
  const said = [
    'bonjour, je voudrais renouveler mon ordonnance',
    'Nguyen',
    'mon traitement pour la tension',
    'non merci',
  ].join('\n') + '\n';
  const chat = spawnSync(permanence, ['chat', '--db', join(dir, 'e2e.db'), '--caller', '+33698765432'],
    { input: said, encoding: 'utf8', timeout: STEP_TIMEOUT_MS });
  assert.equal(chat.status, 0, 'permanence chat failed: ' + chat.stderr);
  assert.match(chat.stdout, /renouvellement/);
  await page.goto(base + '/#/home');
  const task = page.locator('.task', { hasText: 'Ordonnance' }).first();
  await task.waitFor();
  assert.match(await task.textContent(), /Nguyen/);
  assert.equal(await task.locator('a.tel').getAttribute('href'), 'tel:+33698765432');
  await task.getByRole('link', { name: /voir l'appel/i }).click();
  await page.waitForSelector('.transcript');
  assert.match(await page.textContent('.transcript'), /renouveler mon ordonnance/);
  assert.match(await page.textContent('.transcript'), /traitement pour la tension/);
  const main = await page.textContent('main');
  assert.match(main, /Motif : ordonnance/);
  assert.match(main, /Tâche créée : Ordonnance/);
  assert.match(await page.locator('.transcript li').first().textContent(), /\(décroche\)/);
  assert.doesNotMatch(main, /\{"kind"/);
  await shot(page, '04-chat-call-detail');
  await page.goto(base + '/#/home');
  await page.locator('.task', { hasText: 'Ordonnance' }).first().getByRole('button', { name: 'Terminé' }).click();
  await page.waitForSelector('text=Rien à faire : toutes les tâches sont terminées.');
});

await step('booking from the agenda', async () => {
  await page.goto(base + '/#/agenda');
  await page.waitForSelector('.agenda-day');
  await page.selectOption('#agenda-mode', 'week');
  await page.fill('#book-last', 'Durand');
  await page.fill('#book-first', 'Sophie');
  await page.fill('#book-birth', '1985-04-12');
  await page.getByRole('button', { name: 'Chercher des créneaux' }).click();
  const slot = page.locator('.panel .slots button').first();
  await slot.waitFor();
  const label = (await slot.textContent()).trim();
  await slot.click();
  await page.waitForSelector('text=Rendez-vous pris');
  assert.match(await page.textContent('#status'), new RegExp(label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  await shot(page, '05-agenda-week');
});

await step('a refused booking shows the rule', async () => {
  await page.fill('#book-last', 'Inconnu');
  await page.fill('#book-first', 'Nouveau');
  await page.fill('#book-birth', '1990-01-01');
  await page.selectOption('#book-type', 'consultation');
  await page.getByRole('button', { name: 'Chercher des créneaux' }).click();
  const slot = page.locator('.panel .slots button').first();
  await slot.waitFor();
  await slot.click();
  await page.waitForSelector('#status.error');
  assert.match(await page.textContent('#status'), /nouveau|première/i);
});

await step('switch to English', async () => {
  await page.goto(base + '/#/home');
  await page.getByRole('button', { name: 'English' }).click();
  await page.waitForSelector('#nav a:has-text("Calls")');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.match(await page.textContent('main h1'), /What is left to do/);
  await page.locator('#show-done').check();
  await page.waitForSelector('.badge.done');
  await shot(page, '06-home-english');
  await page.getByRole('button', { name: 'Français' }).click();
  await page.waitForSelector('#nav a:has-text("Appels")');
});

await step('tablet layout', async () => {
  await page.setViewportSize({ width: 768, height: 1024 });
  await page.goto(base + '/#/agenda');
  await page.waitForSelector('.agenda-day');
  await shot(page, '07-agenda-tablet');
  await page.setViewportSize({ width: 1366, height: 768 });
});

await step('secretary cannot open the settings', async () => {
  assert.equal(await page.locator('#nav a[href="#/settings"]').count(), 0);
  const status = await page.evaluate(async () => (await fetch('/api/v1/settings')).status);
  assert.equal(status, 403);
  await page.getByRole('button', { name: 'Se déconnecter' }).click();
  await page.waitForSelector('#login-title');
});

await step('admin pages: settings, statistics, audit', async () => {
  await login(page, base, 'admin');
  await page.goto(base + '/#/settings');
  await page.waitForSelector('#setting-secretariat-hours');
  await page.fill('#setting-secretariat-hours', 'tous les jours');
  await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
  await page.waitForSelector('#status.error');
  assert.match(await page.textContent('#status'), /Réglage refusé/);
  await page.fill('#setting-secretariat-hours', '1-5 08:30-12:30,14:00-18:00');
  await page.fill('#setting-greeting-fr', 'Cabinet médical des Tilleuls, bonjour.');
  await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
  await page.waitForSelector('#status:has-text("Enregistré.")');
  await shot(page, '08-settings');
  await page.goto(base + '/#/stats');
  await page.waitForSelector('.chart svg');
  assert.equal(await page.inputValue('#stats-to'), parisDay(new Date()));
  await shot(page, '09-stats');
  await page.goto(base + '/#/audit');
  await page.waitForSelector('table tbody tr');
  assert.match(await page.textContent('table'), /secretaire/);
  await shot(page, '10-audit');
});

await step('no script errors', async () => {
  assert.deepEqual(pageErrors, []);
});

await context.close();
const serverExit = await server.stop();
await step('test server stopped cleanly', async () => { assert.equal(serverExit, 0); });
rmSync(dir, { recursive: true, force: true });

const failed = results.filter(([, ok]) => !ok).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
