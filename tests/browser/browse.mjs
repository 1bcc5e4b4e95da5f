// The browser test (issue 6): Debian's headless Chromium, driven by
// playwright-core, uses `preheat serve` like a person would: searches,
// opens a result, follows an in-link, opens /broken, /stats and /timeline.
// Every step checks what the page shows and saves a screenshot (test
// artefacts). Any console error, page error or failed request fails it.
//
// Usage: node browse.mjs BASE_URL SEED_URL ARTEFACT_DIR
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';

const [base, seed, out] = process.argv.slice(2);
if (!base || !seed || !out) {
  console.error('usage: node browse.mjs BASE_URL SEED_URL ARTEFACT_DIR');
  process.exit(2);
}
mkdirSync(out, { recursive: true });

function check(condition, what) {
  if (!condition) throw new Error('browser test: ' + what);
  console.log('ok - ' + what);
}

// Flags: no sandbox (CI runs as root), and none of Chromium's own network
// traffic (this machine reaches nothing but loopback and a few registries).
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync'],
});
const problems = [];
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  page.on('console', (m) => { if (m.type() === 'error') problems.push('console: ' + m.text()); });
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  page.on('requestfailed', (r) => problems.push('request failed: ' + r.url()));
  page.on('response', (r) => { if (r.status() >= 500) problems.push(r.status() + ' ' + r.url()); });
  const shot = async (name) => page.screenshot({ path: `${out}/${name}.png`, fullPage: true });

  // A word of the seed page's title: what a person who saw the site would type.
  const seedPage = await (await fetch(`${base}api/page?url=${encodeURIComponent(seed)}`)).json();
  const word = seedPage.title.split(/\s+/).filter((w) => /^[a-z]{4,}$/i.test(w)).pop();
  check(word, `the seed page has a title word to search for ("${seedPage.title}")`);

  // 1. The search box on /.
  await page.goto(base);
  check(await page.locator('nav input[name=q]').count() === 1, 'every page has a search box in its navigation');
  const box = page.locator('form:not(.navsearch) input[name=q]');
  check(await box.count() === 1, '/ shows a search box');
  await box.fill(word);
  await box.press('Enter');
  await page.waitForURL(/\/search\?/);
  const results = page.locator('a[href^="/page?url="]');
  const n = await results.count();
  check(n >= 1, `searching "${word}" lists results (${n})`);
  check((await page.content()).toLowerCase().includes(word.toLowerCase()), 'the results show the word');
  await shot('1-search');

  // 2. Open the first result: the page view.
  const firstTitle = (await results.first().innerText()).trim();
  await results.first().click();
  await page.waitForURL(/\/page\?url=/);
  check(await page.locator('h1').count() === 1, `a result opens its page view ("${firstTitle}")`);
  const inLinksHeading = page.locator('h2', { hasText: 'Linked from' });
  check(await inLinksHeading.count() === 1, 'the page view lists its in-links');
  await shot('2-page');

  // 3. Follow an in-link: the table right after "Linked from".
  const inLink = page.locator('h2:has-text("Linked from") + table a[href^="/page?url="]').first();
  check(await inLink.count() === 1, 'the page has at least one in-link');
  const target = await inLink.getAttribute('href');
  await inLink.click();
  await page.waitForURL((u) => u.toString().endsWith(target));
  check(await page.locator('h2', { hasText: 'Links' }).count() >= 1, 'following an in-link opens the linking page');
  await shot('3-in-link');

  // 4. /broken from the navigation: the testsite's 500 fault is there.
  await page.click('nav a[href="/broken"]');
  await page.waitForURL(/\/broken$/);
  const brokenText = await page.locator('body').innerText();
  check(brokenText.includes('500'), '/broken lists the failing target (a 500)');
  await shot('4-broken');

  // 5. /stats: the charts are drawn (inline SVG with bars).
  await page.click('nav a[href="/stats"]');
  await page.waitForURL(/\/stats$/);
  const charts = page.locator('svg.chart');
  check(await charts.count() >= 3, `/stats draws its charts (${await charts.count()})`);
  check(await page.locator('svg.chart rect').count() >= 2, 'the charts have bars');
  const box0 = await charts.first().boundingBox();
  check(box0 && box0.width > 300 && box0.height > 80, 'the first chart is laid out at a readable size');
  await shot('5-stats');

  // 6. /timeline: the run's fetches.
  await page.click('nav a[href="/timeline"]');
  await page.waitForURL(/\/timeline$/);
  check(await page.locator('svg.chart').count() === 2, '/timeline draws the in-flight chart and the fetches');
  await shot('6-timeline');

  check(problems.length === 0, 'no console error, page error, failed request or 5xx: ' + problems.join('; '));
} finally {
  await browser.close();
}
