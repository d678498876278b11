// make audit: Lighthouse (performance, accessibility, best practices) and axe-core on the
// dashboard, the ledger, a task page, the report form, the indicator board,
// an indicator's page and the wall screen (both themes), my tasks, the
// notifications, the review queue, the weekly comparison and the ranking,
// signed in; the help page (signed in and out), the audit trail and a plan
// preview; and axe on a refused report form shown again (422).
// Environment: AUDIT_URL (the running server), AUDIT_ACCOUNTS (the demo
// accounts file written by `duban-dev dev`), CHROME_PATH, AUDIT_OUT (reports),
// AUDIT_PAGES (only these pages, by name). Exits non-zero when Lighthouse's
// accessibility or best practices is under 100 or axe finds a serious or
// critical violation; performance is printed (a warning under 90).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import lighthouse from 'lighthouse';
import * as chromeLauncher from 'chrome-launcher';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const base = process.env.AUDIT_URL || 'http://127.0.0.1:18080';
const chromePath = process.env.CHROME_PATH || '/usr/bin/chromium';
const out = process.env.AUDIT_OUT || 'testout/audit';
// Accessibility and best practices must be perfect on every page. Lighthouse's
// performance score follows the machine's load (on 2 cores: 90 to 98 for the
// dashboard alone, 69 to 98 across pages while the tests ran beside it), so it
// is printed, with a warning under 90, and fails nothing.
const minScore = 100;
const minPerformance = 90;
fs.mkdirSync(out, { recursive: true });

// accounts: "  username  display  password: PW   (role)" lines.
const accounts = {};
for (const line of fs.readFileSync(process.env.AUDIT_ACCOUNTS, 'utf8').split('\n')) {
  const m = line.match(/^\s*(\S+)\s+.*password:\s*(\S+)/);
  if (m) accounts[m[1]] = m[2];
}

const browser = await chromium.launch({ executablePath: chromePath, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });

// signIn returns a browser context signed in as username (zh-CN interface).
async function signIn(username) {
  const context = await browser.newContext({ bypassCSP: true, locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto(base + '/login?lang=zh-CN');
  await page.fill('#username', username);
  await page.fill('#password', accounts[username]);
  await Promise.all([page.waitForNavigation(), page.click('form button[type=submit]')]);
  if (!(await page.$('[data-testid=current-user]'))) throw new Error('sign-in failed for ' + username);
  return { context, page };
}

const leader = await signIn('leader');
const staff = await signIn('kongtong');
await staff.page.goto(base + '/my');
const reportHref = await staff.page.getAttribute('[data-testid=report-link]', 'href');
// The plan's slug, from where /dashboard leads (the demo plan's is dated).
await leader.page.goto(base + '/dashboard');
const slug = new URL(leader.page.url()).pathname.split('/')[2];
await leader.page.goto(base + '/indicators');
const indicatorHref = await leader.page.getAttribute('[data-testid=indicator-board] tbody td:nth-child(2) a', 'href');
// The wall screen reloads itself by design (a real-time display with no
// input: WCAG 2.2.1's real-time exception, and ?refresh=off turns it off),
// so the meta-refresh rules are not applied to it; every other rule is.
const screenSkips = ['meta-refresh'];
const pages = [
  { name: 'dashboard', who: leader, url: '/dashboard' },
  { name: 'ledger', who: leader, url: '/ledger' },
  { name: 'task', who: leader, url: `/plans/${slug}/tasks/11` },
  { name: 'report-form', who: staff, url: reportHref },
  { name: 'indicators', who: leader, url: '/indicators' },
  { name: 'indicator', who: leader, url: indicatorHref },
  { name: 'screen', who: leader, url: `/plans/${slug}/screen`, skip: screenSkips },
  { name: 'screen-dark', who: leader, url: `/plans/${slug}/screen?theme=dark`, skip: screenSkips },
];

// The help page (signed in and signed out), the audit trail and the preview
// of a revision of the plan's first document (a deadline, units and text
// changed).
const anonContext = await browser.newContext({ bypassCSP: true, locale: 'zh-CN' });
const anon = { context: anonContext, page: await anonContext.newPage() };
const admin = await signIn('admin');
const doc = await admin.context.request.get(`${base}/admin/plans/${slug}/versions/1`);
if (!doc.ok()) throw new Error(`the plan's document: ${doc.status()}`);
const planText = (await doc.text())
  .replace('市级大厅进驻事项1200项以上', '市级大厅进驻事项1300项以上')
  .replace('平凉工业园区(高新区)管委会,市直有关部门', '市大数据中心,市直有关部门')
  .replace(/完成时限:(\d+)年9月底前/, '完成时限:$1年12月底前');
await admin.page.goto(base + '/admin/plans');
await admin.page.selectOption('#plan', slug);
await admin.page.fill('#text', planText);
await Promise.all([admin.page.waitForNavigation(), admin.page.click('[data-testid=seed-form] button[type=submit]')]);
if (!(await admin.page.$('[data-testid=changed]'))) throw new Error('the plan preview shows no changed task: ' + admin.page.url());
const supervisor = await signIn('supervisor');
pages.push(
  { name: 'my', who: staff, url: '/my' },
  { name: 'notifications', who: staff, url: '/notifications' },
  { name: 'review', who: supervisor, url: '/review' },
  { name: 'weekly', who: leader, url: '/weekly' },
  { name: 'ranking', who: leader, url: '/ranking' },
  { name: 'help', who: leader, url: '/help' },
  { name: 'help-signed-out', who: anon, url: '/help' },
  { name: 'audit', who: admin, url: '/admin/audit' },
  { name: 'plan-preview', who: admin, url: new URL(admin.page.url()).pathname },
);

const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
let failed = false;
const rows = [];
// AUDIT_PAGES (comma-separated names) audits only those pages.
const only = (process.env.AUDIT_PAGES || '').split(',').filter(Boolean);
for (const p of pages) {
  if (only.length && !only.includes(p.name)) continue;
  const page = p.who.page;
  await page.goto(base + p.url);
  const finalURL = page.url();
  await page.evaluate(axeSource);
  const rules = Object.fromEntries((p.skip || []).map(id => [id, { enabled: false }]));
  const axe = await page.evaluate((rules) => window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }, rules }), rules);
  const bad = axe.violations.filter(v => v.impact === 'serious' || v.impact === 'critical');
  const cookies = await p.who.context.cookies();
  const cookie = cookies.map(c => `${c.name}=${c.value}`).join('; ');

  // Lighthouse sometimes fails to record a trace (NO_NAVSTART and the
  // like: a runtime error, every score 0); such a run is tried again, twice.
  let lh;
  for (let attempt = 1; ; attempt++) {
    const chrome = await chromeLauncher.launch({ chromePath, chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
    try {
      lh = await lighthouse(finalURL, {
        port: chrome.port, output: 'json', logLevel: 'error',
        onlyCategories: ['performance', 'accessibility', 'best-practices'], skipAudits: p.skip || [],
        extraHeaders: { Cookie: cookie, 'Accept-Language': 'zh-CN' },
        formFactor: 'desktop', screenEmulation: { mobile: false, width: 1350, height: 940, deviceScaleFactor: 1, disabled: false },
      });
    } finally {
      await chrome.kill();
    }
    if (!lh.lhr.runtimeError || attempt === 3) break;
    console.error(`lighthouse ${p.name}: ${lh.lhr.runtimeError.code}, trying again`);
  }
  const perf = Math.round(lh.lhr.categories.performance.score * 100);
  const a11y = Math.round(lh.lhr.categories.accessibility.score * 100);
  const bp = Math.round(lh.lhr.categories['best-practices'].score * 100);
  fs.writeFileSync(path.join(out, `${p.name}.lighthouse.json`), lh.report);
  fs.writeFileSync(path.join(out, `${p.name}.axe.json`), JSON.stringify(axe.violations, null, 2));
  const failedAudits = Object.values(lh.lhr.audits).filter(a => a.score !== null && a.score < 1 && a.scoreDisplayMode === 'binary').map(a => a.id);
  rows.push({ page: p.name, url: finalURL.replace(base, ''), performance: perf, accessibility: a11y, bestPractices: bp, axeSeriousOrCritical: bad.length, axeAll: axe.violations.length, failing: failedAudits.join(' ') });
  if (a11y < minScore || bp < minScore || bad.length > 0) failed = true;
  if (perf < minPerformance) console.warn(`lighthouse ${p.name}: performance ${perf} (under ${minPerformance}: is the machine busy?)`);
  for (const v of bad) console.error(`axe ${p.name}: ${v.impact} ${v.id}: ${v.help} (${v.nodes.length} nodes)`);
}
// A refused form (422) shown again with the message beside the field: axe
// on the page as the browser got it (Lighthouse can only load a page anew).
{
  const page = staff.page;
  const fake = path.join(out, 'fake.pdf');
  fs.writeFileSync(fake, '<!DOCTYPE html><p>not a PDF</p>');
  await page.goto(base + reportHref);
  await page.fill('#progress', '本周完成平台联调');
  await page.setInputFiles('#evidence', fake);
  await Promise.all([page.waitForNavigation(), page.click('[data-testid=submit-report]')]);
  if (!(await page.$('[data-testid=field-error]'))) throw new Error('the refused report form shows no message beside a field');
  await page.evaluate(axeSource);
  const axe = await page.evaluate(() => window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } }));
  const bad = axe.violations.filter(v => v.impact === 'serious' || v.impact === 'critical');
  fs.writeFileSync(path.join(out, 'refused-report.axe.json'), JSON.stringify(axe.violations, null, 2));
  rows.push({ page: 'refused-report (422)', url: reportHref + ' (POST)', performance: '', accessibility: 'axe only', bestPractices: '', axeSeriousOrCritical: bad.length, axeAll: axe.violations.length, failing: axe.violations.map(v => v.id).join(' ') });
  if (bad.length > 0) failed = true;
  for (const v of bad) console.error(`axe refused-report: ${v.impact} ${v.id}: ${v.help} (${v.nodes.length} nodes)`);
}
await browser.close();
console.table(rows);
fs.writeFileSync(path.join(out, 'summary.json'), JSON.stringify(rows, null, 2));
if (failed) {
  console.error(`audit failed: every page needs Lighthouse accessibility and best practices of ${minScore} and no serious or critical axe violation`);
  process.exit(1);
}
console.log('audit passed');
