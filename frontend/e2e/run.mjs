// End-to-end: the built dashboard, served by `cognitrack serve --demo`, in
// Debian's Chromium. Every number checked comes from the GraphQL API.
//   COGNITRACK_BIN      the server binary (default ../target/debug/cognitrack)
//   CHROMIUM            the browser (default /usr/bin/chromium)
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Decimal from 'decimal.js';
import { chromium } from 'playwright-core';
import { graphql, startServer } from './server.mjs';

const frontendDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = resolve(frontendDir, process.env.COGNITRACK_BIN ?? '../target/debug/cognitrack');
const dist = resolve(frontendDir, 'dist');
const screenshots = resolve(frontendDir, '../docs/screenshots');

let server;
let browser;
let page;

const ROW_FIELDS = `date group { model projectId } inputTokens outputTokens numModelRequests costUsd pricedCostUsd unpricedBuckets`;

/** The dashboard's default range: the last 30 UTC days. */
function lastDays(days) {
  const to = new Date().toISOString().slice(0, 10);
  const from = new Date(Date.parse(`${to}T00:00:00Z`) - (days - 1) * 86_400_000).toISOString().slice(0, 10);
  return { from, to };
}

function totals(rows) {
  return {
    cost: rows.reduce((sum, r) => sum.plus(r.pricedCostUsd), new Decimal(0)).toFixed(),
    tokens: String(rows.reduce((sum, r) => sum + r.inputTokens + r.outputTokens, 0)),
  };
}

async function usage(filter, groupBy) {
  const data = await graphql(
    server.baseUrl,
    server.adminToken,
    `query ($filter: UsageFilter!, $groupBy: [UsageDimension!]) { dailyUsage(filter: $filter, groupBy: $groupBy) { ${ROW_FIELDS} } }`,
    { filter, groupBy },
  );
  return data.dailyUsage;
}

/** Waits until a stat card shows the exact value, and says what it showed if not. */
async function expectStat(testId, expected) {
  const selector = `[data-testid="${testId}"] .stat-value`;
  try {
    await page.waitForFunction(
      ([sel, value]) => document.querySelector(sel)?.getAttribute('data-value') === value,
      [selector, expected],
      { timeout: 15_000 },
    );
  } catch {
    assert.equal(await page.locator(selector).getAttribute('data-value'), expected, `${testId} on screen`);
  }
}

/** The series names of the chart legend inside `scope`, once it has any. */
async function legendLabels(scope) {
  const items = scope.locator('.chart-legend-item:not(.chart-legend-note) .chart-legend-label');
  await items.first().waitFor();
  return items.allTextContents();
}

/** Legend label → swatch colour, for the chart legend inside `scope`. */
async function legendColors(scope) {
  await scope.locator('.chart-legend-item:not(.chart-legend-note)').first().waitFor();
  return new Map(
    await scope
      .locator('.chart-legend-item:not(.chart-legend-note)')
      .evaluateAll((items) => items.map((li) => [li.querySelector('.chart-legend-label').textContent, li.dataset.color])),
  );
}

/**
 * Clicks a destructive button (red outline), cancels its dialog once (nothing
 * happens), then confirms: the dialog names `what`.
 */
async function confirmDestructive(buttonName, dialogTitle, what) {
  const button = page.getByRole('button', { name: buttonName });
  const border = await button.evaluate((b) => getComputedStyle(b).borderTopColor);
  assert.equal(border, 'rgb(180, 35, 24)', `${buttonName} has the danger outline`);
  await button.click();
  const dialog = page.getByRole('dialog', { name: dialogTitle });
  await dialog.waitFor();
  assert.ok((await dialog.textContent()).includes(what), `the dialog names ${what}`);
  assert.equal(await dialog.getByRole('button', { name: 'Cancel' }).evaluate((b) => b === document.activeElement), true, 'Cancel has focus');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'detached' });
  assert.equal(await button.count(), 1, 'cancelling removes nothing');
  await button.click();
  await dialog.getByRole('button', { name: buttonName.split(' ')[0] }).click();
}

async function signIn(token) {
  await page.goto('/');
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function signOut() {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
}

/** Ticks a value in one of the explorer's multi-selects. */
async function pick(filterLabel, value) {
  const filter = page.locator('details.multi-select', { has: page.locator('.multi-select-label', { hasText: filterLabel }) });
  await filter.locator('summary').click();
  await filter.getByRole('checkbox', { name: value, exact: true }).check();
  await filter.locator('summary').click();
}

function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n') {
      row.push(cell.replace(/\r$/, ''));
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  const [header, ...body] = rows;
  return body.map((values) => Object.fromEntries(header.map((h, i) => [h, values[i]])));
}

before(async () => {
  assert.ok(existsSync(resolve(dist, 'index.html')), 'frontend/dist is missing: run `npm run build` first');
  assert.ok(existsSync(bin), `no server binary at ${bin}: run \`cargo build --bin cognitrack\` or set COGNITRACK_BIN`);
  mkdirSync(screenshots, { recursive: true });
  server = await startServer({ bin });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const context = await browser.newContext({
    baseURL: server.baseUrl,
    viewport: { width: 1366, height: 900 },
    acceptDownloads: true,
  });
  page = await context.newPage();
  page.on('pageerror', (error) => console.error('page error:', error.message));
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the binary serves the dashboard built into it', async () => {
  const built = readFileSync(resolve(dist, 'index.html'), 'utf8');
  const index = await fetch(`${server.baseUrl}/`);
  assert.equal(index.status, 200);
  assert.equal(await index.text(), built);
  const route = await fetch(`${server.baseUrl}/explorer`);
  assert.equal(await route.text(), built, 'a client-side route gets index.html');
  const script = /src="\/(assets\/[^"]+\.js)"/.exec(built)?.[1];
  assert.ok(script, 'index.html names its script');
  const asset = await fetch(`${server.baseUrl}/${script}`);
  assert.equal(asset.status, 200);
  assert.match(asset.headers.get('cache-control') ?? '', /immutable/);
  assert.equal(await asset.text(), readFileSync(resolve(dist, script), 'utf8'));
  assert.equal((await fetch(`${server.baseUrl}/assets/missing.js`)).status, 404);
});

test('a malformed or refused token leads back to the sign-in screen', async () => {
  await signIn('not-a-token');
  await page.getByText('This is not a JWT').waitFor();

  await signIn(server.forgedToken);
  await page.getByRole('heading', { name: 'Session ended' }).waitFor();
  await page.getByTestId('auth-notice').getByText('rejected your token').waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem('cognitrack.token')), null, 'the token is dropped');
});

test('a viewer sees no admin controls', async () => {
  await signIn(server.viewerToken);
  await page.getByTestId('role').getByText('viewer').waitFor();
  await page.goto('/pricing');
  await page.getByRole('heading', { name: 'Prices of models in use' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Sync prices now' }).count(), 0);
  assert.equal(await page.getByRole('heading', { name: 'Set a price override' }).count(), 0);
  assert.equal(await page.getByRole('heading', { name: 'Reprice stored usage' }).count(), 0);
  await page.getByRole('region', { name: 'Unit rate versions, newest first' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Set unit rates' }).count(), 0);
  await page.goto('/reconciliation?view=parity');
  await page.getByRole('heading', { name: 'CSV parity reports' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Upload and compare' }).count(), 0);
  await page.goto('/ingestion');
  await page.getByRole('heading', { name: 'Runs' }).waitFor();
  assert.equal(await page.getByRole('heading', { name: 'Archive' }).count(), 0);
  assert.equal(await page.getByRole('button', { name: 'Run backfill' }).count(), 0);
  assert.equal(await page.getByRole('button', { name: 'Add connection' }).count(), 0);
  assert.equal(await page.getByRole('button', { name: /^Test connection/ }).count(), 0);
  await page.goto('/budgets');
  await page.getByRole('heading', { name: 'Alert history' }).waitFor();
  assert.equal(await page.getByRole('heading', { name: 'New budget' }).count(), 0);
  assert.equal(await page.getByRole('button', { name: 'Evaluate now' }).count(), 0);
  assert.equal(await page.getByRole('heading', { name: 'Alert webhooks' }).count(), 0);
  await signOut();
});

test('an admin sees the admin controls', async () => {
  await signIn(server.adminToken);
  await page.getByTestId('role').getByText('admin').waitFor();
  await page.goto('/pricing');
  await page.getByRole('button', { name: 'Sync prices now' }).waitFor();
  await page.getByRole('heading', { name: 'Set a price override' }).waitFor();
  await page.getByRole('button', { name: 'Preview (dry run)' }).waitFor();
  await page.getByRole('button', { name: 'Set unit rates' }).waitFor();
  await page.goto('/ingestion');
  await page.getByRole('button', { name: 'Run backfill' }).waitFor();
});

test('an admin counts what archival would move, as the API counts it', async () => {
  await page.goto('/ingestion');
  const form = page.getByRole('form', { name: 'Archive old data' });
  await form.getByLabel('Older than (days)').fill('20');
  await form.getByRole('button', { name: 'Count (dry run)' }).click();
  const { runArchival: expected } = await graphql(
    server.baseUrl,
    server.adminToken,
    `mutation { runArchival(olderThanDays: 20, dryRun: true) { cutoff usageBuckets sessions interactions } }`,
  );
  const status = page.getByTestId('archive-status');
  await status.getByText(expected.cutoff).waitFor();
  const text = await status.textContent();
  const moved = expected.usageBuckets + expected.sessions + expected.interactions;
  if (moved === 0) assert.match(text, /^Nothing to archive/);
  else {
    for (const n of [expected.usageBuckets, expected.sessions, expected.interactions]) {
      assert.ok(text.includes(n.toLocaleString('en-US')), `${n} in "${text}"`);
    }
    await page.getByRole('button', { name: `Archive days before ${expected.cutoff}` }).waitFor();
  }
});

test('an admin adds, tests and removes a provider connection; the key is never echoed', async () => {
  await page.goto('/ingestion');
  await page.getByRole('button', { name: 'Test connection demo-openai' }).click();
  await page.getByText(/^OK: /).waitFor();

  const form = page.locator('form', { has: page.getByRole('button', { name: 'Add connection' }) });
  await form.getByLabel('Connection name').fill('e2e-openai');
  const key = form.getByLabel('Admin key');
  assert.equal(await key.getAttribute('type'), 'password');
  await key.fill('sk-admin-e2e-secret');
  await form.getByLabel('Base URL (optional)').fill('http://127.0.0.1:9/v1');
  await form.getByRole('button', { name: 'Add connection' }).click();
  await form.getByText(/^Added e2e-openai/).waitFor();
  assert.equal(await key.inputValue(), '', 'the key field is cleared');
  assert.equal(await page.getByText('sk-admin-e2e-secret').count(), 0, 'the key is not shown');
  const { providerConnections } = await graphql(
    server.baseUrl,
    server.adminToken,
    `{ providerConnections { name keySource baseUrl } }`,
  );
  assert.deepEqual(
    providerConnections.find((c) => c.name === 'e2e-openai'),
    { name: 'e2e-openai', keySource: 'STORED', baseUrl: 'http://127.0.0.1:9/v1' },
  );
  await confirmDestructive('Remove connection e2e-openai', 'Remove the connection “e2e-openai”?', 'e2e-openai');
  await page.getByRole('button', { name: 'Remove connection e2e-openai' }).waitFor({ state: 'detached' });
  const { providerConnections: left } = await graphql(server.baseUrl, server.adminToken, `{ providerConnections { name } }`);
  assert.ok(!left.some((c) => c.name === 'e2e-openai'), 'the API no longer lists the connection');
});

test('an admin adds a webhook, sees its secret once, and deletes it', async () => {
  await page.goto('/budgets');
  const form = page.getByRole('form', { name: 'New webhook' });
  await form.getByLabel('Webhook name').fill('e2e hook');
  await form.getByLabel('URL (http or https)').fill('https://hooks.example.com/e2e');
  await form.getByRole('button', { name: 'Add webhook' }).click();
  const secret = await page.getByTestId('webhook-secret').locator('code').textContent();
  assert.match(secret, /^whsec_[0-9a-f]{32,}$/);
  const { webhooks } = await graphql(server.baseUrl, server.adminToken, `{ webhooks { nodes { name url } } }`);
  assert.deepEqual(webhooks.nodes, [{ name: 'e2e hook', url: 'https://hooks.example.com/e2e' }]);
  await page.getByRole('button', { name: 'I have saved it' }).click();
  assert.equal(await page.getByTestId('webhook-secret').count(), 0, 'the secret is gone once dismissed');
  await confirmDestructive('Delete webhook e2e hook', 'Delete the webhook “e2e hook”?', 'https://hooks.example.com/e2e');
  await page.getByText('No webhooks').waitFor();
});

/** The budgets this suite creates (the overview's budget burn is checked for each). */
const E2E_BUDGETS = ['e2e monthly'];

test('an admin creates a budget and sees its spend', async () => {
  await page.goto('/budgets');
  const form = page.locator('form', { has: page.getByRole('button', { name: 'Create budget' }) });
  await form.getByLabel('Name').fill(E2E_BUDGETS[0]);
  await form.getByLabel('Amount (USD)').fill('250');
  await form.getByRole('button', { name: 'Create budget' }).click();
  const card = page.getByRole('listitem', { name: E2E_BUDGETS[0] });
  await card.waitFor();
  const { budgets } = await graphql(
    server.baseUrl,
    server.adminToken,
    `{ budgets(first: 200) { nodes { name amountUsd current { spendUsd percentUsed } } } }`,
  );
  const budget = budgets.nodes.find((b) => b.name === E2E_BUDGETS[0]);
  assert.ok(budget, 'the budget is stored');
  assert.equal(await card.locator('.budget-figures strong').getAttribute('title'), budget.current.spendUsd);
  await card.getByText(`(${new Decimal(budget.current.percentUsed).toFixed(1)}%)`).first().waitFor();
});

test('the overview totals are the API totals', async () => {
  const range = lastDays(30);
  await page.goto(`/?${new URLSearchParams(range)}`);
  const expected = totals(await usage(range));
  await expectStat('total-cost', expected.cost);
  await expectStat('total-tokens', expected.tokens);
  await page.locator('.recharts-bar-rectangle').first().waitFor();
  await page.getByTestId('month-to-date').waitFor();
  await page.getByTestId('computed-usd').waitFor();
  await page.waitForFunction(() => document.querySelector('.status-loading') === null);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.screenshot({ path: resolve(screenshots, 'overview.png') });
  await page.setViewportSize({ width: 1366, height: 900 });
});

test('the explorer filters by project and tier, and the back button undoes it', async () => {
  const range = lastDays(30);
  // A project with usage in more than one tier, so the tier filter changes the
  // numbers; of its tiers the one with the most models, for a telling chart.
  const { dailyUsage: combos } = await graphql(
    server.baseUrl,
    server.adminToken,
    `query ($f: UsageFilter!) { dailyUsage(filter: $f, groupBy: [PROJECT, SERVICE_TIER, MODEL]) { group { projectId serviceTier model } inputTokens } }`,
    { f: range },
  );
  const modelsByTier = new Map(); // project -> tier -> models
  for (const { group, inputTokens } of combos) {
    if (!group.projectId || !group.serviceTier || inputTokens === 0) continue;
    const tiers = modelsByTier.get(group.projectId) ?? new Map();
    tiers.set(group.serviceTier, (tiers.get(group.serviceTier) ?? new Set()).add(group.model));
    modelsByTier.set(group.projectId, tiers);
  }
  // The demo refreshes the simulator's inventory: projects (and Anthropic workspaces) have names.
  const inventory = await graphql(
    server.baseUrl,
    server.adminToken,
    `{ projects: inventory(kind: "project") { externalId name } workspaces: inventory(kind: "workspace") { externalId name } }`,
  );
  const projectNames = new Map([...inventory.projects, ...inventory.workspaces].map((i) => [i.externalId, i.name]));
  for (const id of modelsByTier.keys()) if (!projectNames.get(id)) modelsByTier.delete(id);
  assert.ok(modelsByTier.size > 0, 'the demo data has a named project with a service tier');
  const [project, tiers] = [...modelsByTier].find(([, t]) => t.size > 1) ?? [...modelsByTier][0];
  const tier = [...tiers].sort((a, b) => b[1].size - a[1].size)[0][0];
  const projectName = projectNames.get(project);

  await page.goto(`/explorer?${new URLSearchParams({ ...range, group: 'model' })}`);
  await expectStat('total-cost', totals(await usage(range, ['MODEL'])).cost);

  // The filter lists the project by its inventory name, the id in its tooltip.
  await pick('Project', projectName);
  const projectFilter = page.locator('details.multi-select', { has: page.locator('.multi-select-label', { hasText: 'Project' }) });
  assert.equal(await projectFilter.locator('.multi-select-value').textContent(), projectName);
  assert.equal(await projectFilter.locator('.multi-select-value').getAttribute('title'), project);
  assert.equal(await page.getByText(project, { exact: true }).count(), 0, 'the raw id is not shown as text');
  const projectOnly = totals(await usage({ ...range, projectIds: [project] }, ['MODEL']));
  await expectStat('total-cost', projectOnly.cost);
  await expectStat('total-tokens', projectOnly.tokens);

  await pick('Tier', tier);
  const filter = { ...range, projectIds: [project], serviceTiers: [tier] };
  const rows = await usage(filter, ['MODEL']);
  const expected = totals(rows);
  await expectStat('total-cost', expected.cost);
  await expectStat('total-tokens', expected.tokens);
  const url = new URL(page.url());
  assert.deepEqual(url.searchParams.getAll('project'), [project]);
  assert.deepEqual(url.searchParams.getAll('tier'), [tier]);

  // The chart stacks exactly the models with spend under this filter.
  const modelsWithSpend = [...new Set(rows.filter((r) => !new Decimal(r.pricedCostUsd).isZero()).map((r) => r.group.model || '(not reported)'))];
  const legend = await legendLabels(page.getByRole('region', { name: 'Per day' }));
  if (modelsWithSpend.length <= 8) assert.deepEqual(legend.sort(), modelsWithSpend.sort());
  else assert.equal(legend.length, 8);
  await page.screenshot({ path: resolve(screenshots, 'explorer.png') });

  await page.goBack();
  await expectStat('total-cost', projectOnly.cost);
  assert.deepEqual(new URL(page.url()).searchParams.getAll('tier'), []);
  await page.goForward();
  await expectStat('total-cost', expected.cost);
});

test('the exports hold exactly the rows of the current view', async () => {
  const url = new URL(page.url());
  const filter = {
    from: url.searchParams.get('from'),
    to: url.searchParams.get('to'),
    projectIds: url.searchParams.getAll('project'),
    serviceTiers: url.searchParams.getAll('tier'),
  };
  const rows = await usage(filter, ['MODEL']);

  const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
  const csv = parseCsv(readFileSync(await csvDownload.path(), 'utf8'));
  assert.equal(csv.length, rows.length, 'one CSV line per row');
  csv.forEach((line, i) => {
    const row = rows[i];
    assert.equal(line.date, row.date);
    assert.equal(line.model, row.group.model);
    assert.equal(line.inputTokens, String(row.inputTokens));
    assert.equal(line.outputTokens, String(row.outputTokens));
    assert.equal(line.numModelRequests, String(row.numModelRequests));
    assert.equal(line.costUsd, row.costUsd ?? '');
    assert.equal(line.pricedCostUsd, row.pricedCostUsd);
  });

  const [jsonDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON' }).click()]);
  const json = JSON.parse(readFileSync(await jsonDownload.path(), 'utf8'));
  assert.deepEqual(json.filter, filter);
  assert.deepEqual(json.groupBy, ['MODEL']);
  assert.deepEqual(
    json.rows.map((r) => [r.date, r.model, r.inputTokens, r.outputTokens, r.costUsd, r.pricedCostUsd, r.unpricedBuckets]),
    rows.map((r) => [r.date, r.group.model, r.inputTokens, r.outputTokens, r.costUsd, r.pricedCostUsd, r.unpricedBuckets]),
  );

  // The server's streamed export: every raw bucket behind the same filters.
  const [bucketDownload] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Raw buckets (CSV)' }).click(),
  ]);
  const buckets = parseCsv(readFileSync(await bucketDownload.path(), 'utf8'));
  assert.ok(buckets.length > 0);
  const sum = (lines, field) => lines.reduce((total, line) => total + Number(line[field]), 0);
  assert.equal(sum(buckets, 'input_tokens'), rows.reduce((total, r) => total + r.inputTokens, 0), 'bucket tokens add up to the view');
  for (const line of buckets) {
    assert.ok(filter.projectIds.includes(line.project_id), line.project_id);
    assert.ok(filter.serviceTiers.includes(line.service_tier), line.service_tier);
  }
});

test('the explorer names projects in its table and legend, and exports ids with names', async () => {
  const range = lastDays(30);
  // Anthropic reports its workspace as the project.
  const { projects, workspaces } = await graphql(
    server.baseUrl,
    server.adminToken,
    `{ projects: inventory(kind: "project") { externalId name } workspaces: inventory(kind: "workspace") { externalId name } }`,
  );
  const names = new Map([...projects, ...workspaces].map((p) => [p.externalId, p.name]));
  const rows = await usage(range, ['PROJECT']);
  const shown = [...new Set(rows.filter((r) => !new Decimal(r.pricedCostUsd).isZero()).map((r) => r.group.projectId))];
  const named = shown.filter((id) => names.get(id));
  assert.ok(named.length > 0, 'some project with spend has a name');

  await page.goto(`/explorer?${new URLSearchParams({ ...range, group: 'project' })}`);
  await expectStat('total-cost', totals(rows).cost);
  const legend = await legendLabels(page.getByRole('region', { name: 'Per day' }));
  for (const id of named) assert.ok(legend.includes(names.get(id)), `legend names ${id} "${names.get(id)}": ${legend}`);
  const cell = page.locator('table tbody td span[title]', { hasText: names.get(named[0]) }).first();
  assert.equal(await cell.getAttribute('title'), named[0]);

  const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
  const csv = parseCsv(readFileSync(await csvDownload.path(), 'utf8'));
  assert.equal(csv.length, rows.length);
  for (const line of csv) assert.equal(line.projectName, names.get(line.projectId) ?? '', `name of ${line.projectId}`);
});

test('sessions filter by user and drill down to a session and its cost breakdown', async () => {
  await page.goto('/sessions');
  const firstLink = page.locator('table tbody tr').first().getByRole('link');
  await firstLink.click();
  await page.waitForURL(/\/sessions\/[^/]+$/);
  const id = decodeURIComponent(new URL(page.url()).pathname.split('/').pop());
  const { session } = await graphql(
    server.baseUrl,
    server.adminToken,
    `query ($id: ID!) { session(id: $id) { userId interactionCount totalCostUsd
       interactions(first: 500) { nodes { priced aiTokensUsd dbOpsUsd apiCallsUsd computeUsd } } } }`,
    { id },
  );
  await expectStat('session-cost', session.totalCostUsd);
  await expectStat('session-interactions', String(session.interactionCount));
  const priced = session.interactions.nodes.filter((i) => i.priced);
  const sum = (field) => priced.reduce((s, i) => s.plus(i[field]), new Decimal(0)).toFixed();
  await expectStat('breakdown-tokens', sum('aiTokensUsd'));
  await expectStat('breakdown-dbOps', sum('dbOpsUsd'));
  await expectStat('breakdown-apiCalls', sum('apiCallsUsd'));
  await expectStat('breakdown-compute', sum('computeUsd'));
  assert.equal(await page.locator('table tbody tr').count(), session.interactions.nodes.length);
  await page.screenshot({ path: resolve(screenshots, 'session.png'), fullPage: true });

  await page.goto('/sessions');
  await page.getByLabel('User id').fill(session.userId);
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.waitForURL((u) => u.searchParams.get('user') === session.userId);
  const { sessions } = await graphql(
    server.baseUrl,
    server.adminToken,
    `query ($u: String) { sessions(filter: { userId: $u }, first: 25) { nodes { id } } }`,
    { u: session.userId },
  );
  // The previous page's rows stay on screen until the answer arrives.
  await page.waitForFunction(
    ([n, user]) => {
      const cells = [...document.querySelectorAll('table tbody tr td:nth-child(2)')];
      return cells.length === n && cells.every((cell) => cell.textContent === user);
    },
    [sessions.nodes.length, session.userId],
  );
});

const SESSION_PAGE = 25;

/** One page of sessions as the API orders it. */
async function sessionPage({ filter = null, orderBy = null, after = null } = {}) {
  const { sessions } = await graphql(
    server.baseUrl,
    server.adminToken,
    `query ($filter: SessionFilter, $orderBy: SessionOrderBy, $after: String) {
       sessions(filter: $filter, orderBy: $orderBy, first: ${SESSION_PAGE}, after: $after) {
         totalCount pageInfo { hasNextPage endCursor } edges { node { id totalCostUsd totalTokens } } } }`,
    { filter, orderBy, after },
  );
  return { ...sessions, ids: sessions.edges.map((e) => e.node.id) };
}

/** Waits until the sessions table shows exactly these session ids, in this order; says what it showed if not. */
async function expectSessionRows(ids) {
  const shown = () =>
    page.locator('table tbody tr td:first-child a').evaluateAll((as) =>
      as.map((a) => decodeURIComponent(new URL(a.href).pathname.split('/').pop())),
    );
  try {
    await page.waitForFunction(
      (expected) =>
        JSON.stringify(
          [...document.querySelectorAll('table tbody tr td:first-child a')].map((a) =>
            decodeURIComponent(new URL(a.href).pathname.split('/').pop()),
          ),
        ) === JSON.stringify(expected),
      ids,
      { timeout: 15_000 },
    );
  } catch {
    assert.deepEqual(await shown(), ids, 'session rows on screen');
  }
}

test('the sessions pager pages on the server: page 2 has other rows, says "Page 2 of M", and Previous returns', async () => {
  const first = await sessionPage();
  assert.ok(first.pageInfo.hasNextPage && Number(first.totalCount) > SESSION_PAGE, 'the demo has more than one page of sessions');
  const second = await sessionPage({ after: first.pageInfo.endCursor });
  assert.ok(second.ids.length > 0, 'page 2 has rows');
  assert.ok(second.ids.every((id) => !first.ids.includes(id)), 'page 2 holds other sessions than page 1');
  const pages = Math.ceil(Number(first.totalCount) / SESSION_PAGE);
  const label = page.getByTestId('page-label');

  await page.goto('/sessions');
  await expectSessionRows(first.ids);
  await page.getByTestId('page-label').filter({ hasText: `Page 1 of ${pages}` }).waitFor();
  assert.equal(await page.locator('nav.pager').count(), 1, 'one pager, the server\'s');
  await page.getByRole('navigation', { name: 'Session pages' }).getByRole('button', { name: 'Next' }).click();
  await expectSessionRows(second.ids);
  assert.equal(await label.textContent(), `Page 2 of ${pages}`);
  await page.getByRole('navigation', { name: 'Session pages' }).getByRole('button', { name: 'Previous' }).click();
  await expectSessionRows(first.ids);
  assert.equal(await label.textContent(), `Page 1 of ${pages}`);
});

test('sorting sessions by cost or tokens is done by the server, in the API order, both ways', async () => {
  await page.goto('/sessions');
  await expectSessionRows((await sessionPage()).ids);
  const header = (name) => page.locator('table thead th', { has: page.getByRole('button', { name, exact: true }) });

  await header('Cost').getByRole('button').click();
  const costDesc = await sessionPage({ orderBy: { field: 'COST', descending: true } });
  await expectSessionRows(costDesc.ids);
  assert.equal(await header('Cost').getAttribute('aria-sort'), 'descending');
  assert.equal(await header('Started').getAttribute('aria-sort'), null);
  const costs = costDesc.edges.map((e) => new Decimal(e.node.totalCostUsd));
  assert.ok(costs.every((c, i) => i === 0 || costs[i - 1].gte(c)), 'the API orders by cost, largest first');

  await header('Cost').getByRole('button').click();
  await expectSessionRows((await sessionPage({ orderBy: { field: 'COST', descending: false } })).ids);
  assert.equal(await header('Cost').getAttribute('aria-sort'), 'ascending');

  await header('Tokens').getByRole('button').click();
  const tokens = await sessionPage({ orderBy: { field: 'TOKENS', descending: true } });
  await expectSessionRows(tokens.ids);
  assert.equal(await header('Tokens').getAttribute('aria-sort'), 'descending');
  const tokenCells = await page.locator('table tbody tr td:last-child').allTextContents();
  assert.deepEqual(tokenCells, tokens.edges.map((e) => Number(e.node.totalTokens).toLocaleString('en-US')), 'tokens with the table count format');

  // A new order starts again from page 1.
  await page.getByRole('navigation', { name: 'Session pages' }).getByRole('button', { name: 'Next' }).click();
  await expectSessionRows((await sessionPage({ orderBy: { field: 'TOKENS', descending: true }, after: tokens.pageInfo.endCursor })).ids);
  await header('Cost').getByRole('button').click();
  await expectSessionRows(costDesc.ids);
  assert.match(await page.getByTestId('page-label').textContent(), /^Page 1 of /);
});

test('the overview links to the most expensive sessions of its range, in the API order', async () => {
  const range = lastDays(30);
  await page.goto(`/?${new URLSearchParams(range)}`);
  await page.getByRole('link', { name: 'Most expensive sessions' }).click();
  await page.waitForURL((u) => u.pathname === '/sessions' && u.searchParams.get('view') === 'expensive');
  const expensive = await sessionPage({ filter: range, orderBy: { field: 'COST', descending: true } });
  assert.ok(expensive.ids.length > 0, 'the range has sessions');
  await expectSessionRows(expensive.ids);
  await page.getByTestId('expensive-title').filter({ hasText: `${range.from} → ${range.to}` }).waitFor();
  const titles = await page.locator('table tbody tr td:nth-last-child(2) span').evaluateAll((els) => els.map((e) => e.title));
  assert.deepEqual(titles, expensive.edges.map((e) => e.node.totalCostUsd));
  assert.equal(await page.getByRole('button', { name: 'Most expensive' }).getAttribute('aria-pressed'), 'true');
});

/** chrono's `num_days_from_ce` of a `YYYY-MM-DD` day (0001-01-01 is day 1). */
function daysFromCe(day) {
  const [y, m, d] = day.split('-').map(Number);
  return Math.floor(Date.UTC(y, m - 1, d) / 86_400_000) + 719_163;
}

function addDays(day, days) {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The demo's latest runaway day (tripled usage) before today, and a range around it to today. */
function runawayRange() {
  const today = new Date().toISOString().slice(0, 10);
  let day = addDays(today, -1);
  while (daysFromCe(day) % 45 !== 0) day = addDays(day, -1);
  return { day, range: { from: addDays(day, -3), to: today } };
}

async function anomalies(range, dimension) {
  const data = await graphql(
    server.baseUrl,
    server.adminToken,
    `query ($from: Date!, $to: Date!, $d: AnomalyDimension!) { usageAnomalies(from: $from, to: $to, dimension: $d) { date value spike costUsd } }`,
    { ...range, d: dimension },
  );
  return data.usageAnomalies;
}

test("the overview's month to date, last month and computed vs billed are the API sums", async () => {
  const today = new Date().toISOString().slice(0, 10);
  const first = `${today.slice(0, 7)}-01`;
  const previousLast = addDays(first, -1);
  const range = lastDays(30);
  await page.goto(`/?${new URLSearchParams(range)}`);
  await expectStat('month-to-date', totals(await usage({ from: first, to: today })).cost);
  await expectStat('previous-month', totals(await usage({ from: `${previousLast.slice(0, 7)}-01`, to: previousLast })).cost);
  const { costReconciliation } = await graphql(
    server.baseUrl,
    server.adminToken,
    `query ($from: Date!, $to: Date!) { costReconciliation(from: $from, to: $to) { billedUsd computedUsd } }`,
    range,
  );
  assert.ok(costReconciliation.length > 0, 'the demo has billed costs');
  const sum = (field) => costReconciliation.reduce((s, r) => s.plus(r[field]), new Decimal(0));
  await expectStat('computed-usd', sum('computedUsd').toFixed());
  await expectStat('billed-usd', sum('billedUsd').toFixed());
  await expectStat('billed-gap', sum('computedUsd').minus(sum('billedUsd')).toFixed());
  const { budgets } = await graphql(server.baseUrl, server.adminToken, `{ budgets(first: 100) { nodes { name } } }`);
  assert.ok(budgets.nodes.length > 0, 'a budget exists (created by an earlier test)');
  const burn = page.getByTestId('budget-burn').locator('.rank-label');
  assert.deepEqual(await burn.allTextContents(), budgets.nodes.map((b) => b.name));
});

/**
 * Money as the dashboard shows it, written here from its stated rule rather than
 * taken from the page's code: whole cents rounded half up ("$1,234.57"), a
 * non-zero amount under a cent "<$0.01", a real minus sign.
 */
function cents(value) {
  const amount = new Decimal(value);
  const minus = '\u2212';
  if (!amount.isZero() && amount.abs().lessThan('0.01')) return `${amount.isNegative() ? minus : ''}<$0.01`;
  const rounded = amount.toFixed(2, Decimal.ROUND_HALF_UP);
  const [whole, fraction] = rounded.replace('-', '').split('.');
  const negative = rounded.startsWith('-') && !/^-0\.00$/.test(rounded);
  return `${negative ? minus : ''}$${BigInt(whole).toLocaleString('en-US')}.${fraction}`;
}

/** A percentage with one decimal ("12.5%"), rounded half up. */
function percent(value) {
  const d = new Decimal(value);
  const rounded = d.toDecimalPlaces(1, Decimal.ROUND_HALF_UP);
  return `${rounded.isNegative() && !rounded.isZero() ? '\u2212' : ''}${rounded.abs().toFixed(1)}%`;
}

function daysInMonthOf(day) {
  const [y, m] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/**
 * What the overview shows, read in the page: `kind` is "stat" (a stat card's
 * text), "budget" (a budget burn item's figures) or "movers" (a movers list's
 * id, label, exact and shown change per item). With `want`, whether it equals it.
 * One self-contained function: Playwright sends its source to the page.
 */
function overviewShows([kind, key, want]) {
  let got = null;
  if (kind === 'stat') got = document.querySelector(`[data-testid="${key}"] .stat-value`)?.textContent ?? null;
  else if (kind === 'budget') {
    const item = [...document.querySelectorAll('[data-testid="budget-burn"] > li')].find((li) => li.querySelector('.rank-label')?.textContent === key);
    const numeric = item?.querySelector('.rank-row .numeric');
    got = item && {
      spendTitle: numeric?.querySelector('span[title]')?.getAttribute('title') ?? null,
      figures: numeric?.textContent ?? null,
      forecast: item.querySelector('.muted.small')?.textContent.split(' · ')[0] ?? null,
      meter: item.querySelector('meter')?.getAttribute('aria-label') ?? null,
    };
  } else if (kind === 'movers') {
    got = [...document.querySelectorAll(`[data-testid="${key}"] > li`)].map((li) => [
      li.dataset.id,
      li.querySelector('.rank-label')?.textContent,
      li.querySelector('.change')?.getAttribute('title'),
      li.querySelector('.change')?.textContent,
    ]);
  }
  return want === undefined ? got : JSON.stringify(got) === JSON.stringify(want);
}

/** Waits until the overview shows `expected` (see `overviewShows`); says what it showed if not. */
async function expectOverview(kind, key, expected, message) {
  try {
    await page.waitForFunction(overviewShows, [kind, key, expected], { timeout: 15_000 });
  } catch {
    assert.deepEqual(await page.evaluate(overviewShows, [kind, key]), expected, message);
  }
}

test("the overview's run-rate forecast is the complete days' API spend ÷ complete days × days in the month", async () => {
  const today = new Date().toISOString().slice(0, 10);
  const first = `${today.slice(0, 7)}-01`;
  const yesterday = addDays(today, -1);
  const days = daysInMonthOf(today);
  await page.goto(`/?${new URLSearchParams(lastDays(30))}`);
  const card = page.getByTestId('month-forecast');
  if (today === first) {
    // The 1st: no day of the month is complete, so there is no run-rate.
    await expectOverview('stat', 'month-forecast', '—', 'no forecast on the 1st');
    await card.getByText('no complete day this month yet').waitFor();
    return;
  }
  const complete = await usage({ from: first, to: yesterday });
  const completeDays = Number(today.slice(8)) - 1;
  const spend = complete.reduce((sum, r) => sum.plus(r.pricedCostUsd), new Decimal(0));
  assert.ok(complete.every((r) => r.date >= first && r.date < today), 'the API answers only the complete days asked for');
  const forecast = spend.times(days).dividedBy(completeDays);
  await expectOverview('stat', 'month-forecast', cents(forecast), `forecast of ${spend.toFixed()} over ${completeDays} of ${days} days`);
  await card.getByText(`run-rate: ${completeDays} complete days' spend ÷ ${completeDays} × ${days} days`).waitFor();
  // The exact figure behind the cents agrees too (to far below a cent).
  const exact = new Decimal(await card.locator('.stat-value').getAttribute('data-value'));
  assert.ok(exact.minus(forecast).abs().lessThan('1e-9'), `exact forecast ${exact} vs ${forecast}`);
});

test("the overview's budget burn shows each budget's spend, percentage and forecast as the API has them", async () => {
  const { budgets } = await graphql(
    server.baseUrl,
    server.adminToken,
    `{ budgets(first: 100) { nodes { id name amountUsd current { spendUsd percentUsed forecastUsd forecastPercentUsed } } } }`,
  );
  const created = budgets.nodes.filter((b) => E2E_BUDGETS.includes(b.name));
  assert.equal(created.length, E2E_BUDGETS.length, 'every budget the suite created is listed (an earlier test creates them)');
  await page.goto(`/?${new URLSearchParams(lastDays(30))}`);
  await page.getByTestId('budget-burn').waitFor();
  for (const b of created) {
    const c = b.current;
    await expectOverview(
      'budget',
      b.name,
      {
        spendTitle: c.spendUsd,
        figures: `${cents(c.spendUsd)} of ${cents(b.amountUsd)} (${percent(c.percentUsed)})`,
        forecast: `forecast ${cents(c.forecastUsd)} (${percent(c.forecastPercentUsed)})`,
        meter: `${b.name}: ${percent(c.percentUsed)} used`,
      },
      `budget burn of ${b.name}`,
    );
  }
});

test('the overview lists the biggest movers per model and project, computed from the API over complete days', async () => {
  const range = lastDays(30);
  const today = range.to;
  // The range's complete days (today left out) against the period of that length before them.
  const compared = { from: range.from, to: addDays(today, -1) };
  const length = Math.round((Date.parse(compared.to) - Date.parse(compared.from)) / 86_400_000) + 1;
  const previous = { from: addDays(compared.from, -length), to: addDays(compared.from, -1) };
  const { projects, workspaces } = await graphql(
    server.baseUrl,
    server.adminToken,
    `{ projects: inventory(kind: "project") { externalId name } workspaces: inventory(kind: "workspace") { externalId name } }`,
  );
  const names = new Map();
  for (const item of [...projects, ...workspaces]) if (item.name.trim() && !names.has(item.externalId)) names.set(item.externalId, item.name.trim());

  const expectedMovers = async (dimension) => {
    const field = dimension === 'MODEL' ? 'model' : 'projectId';
    const spend = (rows) => {
      const sums = new Map();
      for (const r of rows) sums.set(r.group[field] ?? '', (sums.get(r.group[field] ?? '') ?? new Decimal(0)).plus(r.pricedCostUsd));
      return sums;
    };
    const now = spend(await usage(compared, [dimension]));
    const before = spend(await usage(previous, [dimension]));
    const label = (id) => (dimension === 'MODEL' ? id || '(not reported)' : id ? (names.get(id) ?? id) : '(no project)');
    return [...new Set([...now.keys(), ...before.keys()])]
      .map((id) => ({ id, label: label(id), change: (now.get(id) ?? new Decimal(0)).minus(before.get(id) ?? new Decimal(0)) }))
      .filter((m) => !m.change.isZero())
      .sort((a, b) => b.change.abs().comparedTo(a.change.abs()) || a.label.localeCompare(b.label))
      .slice(0, 5)
      .map((m) => [m.id, m.label, m.change.toFixed(), `${m.change.isNegative() ? '\u2212' : '+'}${cents(m.change.abs())}`]);
  };
  const models = await expectedMovers('MODEL');
  const projectMovers = await expectedMovers('PROJECT');
  assert.ok(models.length > 0, 'some model spent differently than in the previous period');
  assert.ok(projectMovers.length > 0, 'some project spent differently than in the previous period');
  assert.ok(projectMovers.some(([id]) => names.has(id)), 'some moving project has an inventory name');

  await page.goto(`/?${new URLSearchParams(range)}`);
  await page.getByRole('region', { name: 'Biggest movers: models' }).getByTestId('movers-model').waitFor();
  await expectOverview('movers', 'movers-model', models, 'model movers');
  await page.getByRole('region', { name: 'Biggest movers: projects' }).getByTestId('movers-project').waitFor();
  await expectOverview('movers', 'movers-project', projectMovers, 'project movers');
  // A named project keeps its raw id in the tooltip.
  const [namedId, namedLabel] = projectMovers.find(([id]) => names.has(id));
  assert.equal(await page.locator(`[data-testid="movers-project"] > li[data-id="${namedId}"] .rank-label`).getAttribute('title'), namedId, namedLabel);
});

test("the demo's runaway day is an unusual day on the overview, linked to the explorer, which outlines it", async () => {
  const { day, range } = runawayRange();
  const byModel = await anomalies(range, 'MODEL');
  const byProject = await anomalies(range, 'PROJECT');
  const spike = byModel.find((a) => a.date === day && a.spike);
  assert.ok(spike, `the API flags a model spike on the runaway day ${day}`);

  await page.goto(`/?${new URLSearchParams(range)}`);
  const table = page.getByRole('region', { name: 'Unusual days per model and project' });
  const row = table.locator('tbody tr', { has: page.locator(`[data-value="${spike.value}"]`) }).filter({ hasText: day });
  await row.first().waitFor();
  assert.equal(await table.locator('tbody tr').count(), byModel.length + byProject.length, 'every anomaly the API lists');
  assert.match(await row.first().textContent(), /spike/);

  await row.first().getByTestId('anomaly-link').click();
  await page.waitForURL((u) => u.pathname === '/explorer' && u.searchParams.get('from') === day && u.searchParams.get('model') === spike.value);

  // The explorer over the range, grouped by model, outlines the spike and lists it.
  await page.goto(`/explorer?${new URLSearchParams({ ...range, group: 'model' })}`);
  const item = page.getByTestId('chart-anomalies').locator(`li[data-date="${day}"][data-value="${spike.value}"]`);
  await item.waitFor();
  assert.match(await item.textContent(), /spike/);
  const listed = await page.getByTestId('chart-anomalies').locator('li').count();
  assert.ok(listed >= 1 && listed <= byModel.length, `${listed} listed of ${byModel.length} model anomalies`);
  // A drop to $0 draws no bar to outline; the runaway spike does.
  const outlined = await page.locator('.chart path[stroke="#111827"]').count();
  assert.ok(outlined >= 1 && outlined <= listed, `${outlined} outlined bars for ${listed} listed days`);
  assert.match(await page.locator('.chart figcaption').textContent(), new RegExp(`Unusual days, outlined: .*${day}`));
});

const REVISION_FIELDS = `id connectionId provider usageType date revisedAt bucketsAdded bucketsChanged bucketsRemoved inputTokensDelta outputTokensDelta numModelRequestsDelta costUsdDelta`;

/** Every revision of `range` and the connections' names, from the API. */
async function revisionsOf(range) {
  const data = await graphql(
    server.baseUrl,
    server.adminToken,
    `query ($from: Date!, $to: Date!) { usageRevisions(from: $from, to: $to) { ${REVISION_FIELDS} } providerConnections { id name } }`,
    range,
  );
  return { revisions: data.usageRevisions, names: new Map(data.providerConnections.map((c) => [String(c.id), c.name])) };
}

/** The demo's restated day: the first revision the API lists over the demo's 90 days, and a range around it. */
async function revisedDay() {
  const today = new Date().toISOString().slice(0, 10);
  const { revisions } = await revisionsOf(lastDays(90));
  assert.ok(revisions.length > 0, 'the demo restates a day, so the API lists a revision');
  const day = revisions[0].date;
  assert.ok(day < today, `a revised day is a complete day (${day})`);
  // The day near the right edge, so the chart's tooltip opens to its left and leaves its bar in view.
  const to = addDays(day, 3) < today ? addDays(day, 3) : today;
  const range = { from: addDays(day, -20), to };
  return { day, range, ...(await revisionsOf(range)) };
}

const signedCount = (n) => (n === 0 ? '±0' : `${n < 0 ? '−' : '+'}${Math.abs(n).toLocaleString('en-US')}`);
const signedUsd = (amount) => {
  const d = new Decimal(amount);
  if (d.isZero()) return '$0.00';
  const cents = d.abs().lessThan('0.01') ? '<$0.01' : `$${Number(d.abs().toFixed(2)).toLocaleString('en-US', { minimumFractionDigits: 2 })}`;
  return `${d.isNegative() ? '−' : '+'}${cents}`;
};

/** Each revision row inside `scope` holds the API's revision, field by field, in the API's order. */
async function expectRevisionRows(scope, expected, names) {
  const rows = scope.locator('[data-testid="revision"]');
  await rows.first().waitFor();
  const shown = await rows.evaluateAll((trs) =>
    trs.map((tr) => {
      const cell = (field) => tr.querySelector(`[data-field="${field}"]`);
      return {
        id: Number(tr.dataset.id),
        date: tr.dataset.date,
        connection: cell('connection').textContent,
        usageType: cell('usageType').textContent,
        added: Number(cell('rows').dataset.added),
        changed: Number(cell('rows').dataset.changed),
        removed: Number(cell('rows').dataset.removed),
        input: Number(cell('inputTokensDelta').dataset.value),
        inputText: cell('inputTokensDelta').textContent,
        output: Number(cell('outputTokensDelta').dataset.value),
        outputText: cell('outputTokensDelta').textContent,
        requests: Number(cell('numModelRequestsDelta').dataset.value),
        cost: cell('costUsdDelta').dataset.value,
        costText: cell('costUsdDelta').textContent,
        revisedAt: cell('revisedAt').dataset.value,
      };
    }),
  );
  assert.deepEqual(
    shown,
    expected.map((r) => ({
      id: r.id,
      date: r.date,
      connection: names.get(String(r.connectionId)),
      usageType: r.usageType,
      added: r.bucketsAdded,
      changed: r.bucketsChanged,
      removed: r.bucketsRemoved,
      input: r.inputTokensDelta,
      inputText: signedCount(r.inputTokensDelta),
      output: r.outputTokensDelta,
      outputText: signedCount(r.outputTokensDelta),
      requests: r.numModelRequestsDelta,
      cost: r.costUsdDelta,
      costText: signedUsd(r.costUsdDelta),
      revisedAt: r.revisedAt,
    })),
  );
}

/** The box holding every element of `locators`, in the viewport's coordinates or (`inPage`) the page's. */
async function unionBox(target, locators, inPage = false) {
  const scrollY = inPage ? await target.evaluate(() => window.scrollY) : 0;
  const boxes = [];
  for (const locator of locators) boxes.push(await locator.boundingBox());
  const top = Math.min(...boxes.map((b) => b.y)) + scrollY;
  const bottom = Math.max(...boxes.map((b) => b.y + b.height)) + scrollY;
  const left = Math.min(...boxes.map((b) => b.x));
  const right = Math.max(...boxes.map((b) => b.x + b.width));
  return { x: Math.max(0, left - 12), y: Math.max(0, top - 12), width: right - left + 24, height: bottom - top + 24 };
}

test('a revised day is marked on the overview chart with what changed and when, as the API lists it', async () => {
  const { day, range, revisions, names } = await revisedDay();
  const days = [...new Set(revisions.map((r) => r.date))];
  const ofDay = revisions.filter((r) => r.date === day);
  assert.ok(ofDay.length > 0, `the API lists ${day}'s revisions over ${range.from}..${range.to}`);
  await page.setViewportSize({ width: 1440, height: 900 });
  try {
    await page.goto(`/?${new URLSearchParams(range)}`);

    const chart = page.locator('section', { has: page.locator('#chart-title') });
    const marker = chart.locator(`[data-testid="revised-marker"][data-date="${day}"]`);
    await marker.waitFor();
    assert.deepEqual(
      await chart.locator('[data-testid="revised-marker"]').evaluateAll((gs) => gs.map((g) => g.dataset.date).sort()),
      days.sort(),
      'one mark per revised day the API lists, on that day',
    );
    await chart.getByTestId('revised-note').waitFor();

    // The list under the chart: the day, and every revision with its deltas and time.
    const listed = page.getByTestId('revised-days');
    const item = listed.locator(`[data-testid="revised-day"][data-date="${day}"]`);
    await item.waitFor();
    assert.equal(await listed.locator('[data-testid="revised-day"]').count(), days.length);
    await expectRevisionRows(item, ofDay, names);
    const dayCost = ofDay.reduce((sum, r) => sum.plus(r.costUsdDelta), new Decimal(0)).toFixed();
    assert.equal(await item.getByTestId('revised-day-cost').getAttribute('data-value'), dayCost);

    // Hovering the day's bar shows the changes in the chart's tooltip.
    await page.waitForFunction(() => document.querySelector('.status-loading') === null);
    // Below the sticky top bar.
    await chart.evaluate((el) => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 72));
    const box = await marker.locator('circle').boundingBox();
    const canvas = await chart.locator('.chart-canvas').boundingBox();
    await page.mouse.move(box.x + box.width / 2, canvas.y + canvas.height * 0.6);
    const tooltip = chart.getByTestId('tooltip-revised');
    await tooltip.waitFor();
    const text = await tooltip.textContent();
    for (const r of ofDay) {
      for (const part of [
        names.get(String(r.connectionId)),
        r.usageType,
        `input ${signedCount(r.inputTokensDelta)}`,
        `output ${signedCount(r.outputTokensDelta)}`,
        `cost ${signedUsd(r.costUsdDelta)}`,
      ]) {
        assert.ok(text.includes(part), `the tooltip says "${part}": ${text}`);
      }
    }
    await page.screenshot({ path: resolve(screenshots, 'revised-day.png'), clip: await unionBox(page, [chart, listed]) });
  } finally {
    await page.setViewportSize({ width: 1366, height: 900 });
  }
});

test('the explorer badges the revised day in its table, and only that day', async () => {
  const { day, range, revisions, names } = await revisedDay();
  const days = [...new Set(revisions.map((r) => r.date))].sort();
  await page.goto(`/explorer?${new URLSearchParams(range)}`);
  await page.locator(`.chart [data-testid="revised-marker"][data-date="${day}"]`).waitFor();
  const table = page.getByRole('table', { name: 'Daily usage rows for the current filter' });
  const badge = table.locator(`[data-testid="revised-badge"][data-date="${day}"]`);
  await badge.waitFor();
  assert.deepEqual(await table.locator('[data-testid="revised-badge"]').evaluateAll((bs) => bs.map((b) => b.dataset.date).sort()), days);
  const title = await badge.getAttribute('title');
  for (const r of revisions.filter((x) => x.date === day)) {
    const line = `${names.get(String(r.connectionId))} · ${r.usageType}: input ${signedCount(r.inputTokensDelta)}, output ${signedCount(r.outputTokensDelta)} tokens, cost ${signedUsd(r.costUsdDelta)}`;
    assert.ok(title.includes(line), `the badge says "${line}": ${title}`);
    assert.match(title, /revised \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
  }
});

const CLOSE_FIELDS = `id period provider firstDay lastDay closedAt closedBy reopenedAt reopenedBy costUsd inputTokens outputTokens adjustmentsCostUsd adjustments { ${REVISION_FIELDS} }`;

async function periodCloses() {
  const data = await graphql(server.baseUrl, server.adminToken, `{ periodCloses { ${CLOSE_FIELDS} } providerConnections { id name } }`);
  return { closes: data.periodCloses, names: new Map(data.providerConnections.map((c) => [String(c.id), c.name])) };
}

/** Waits until a stat card inside `scope` shows the exact value. */
async function expectStatIn(scope, testId, expected) {
  const value = scope.getByTestId(testId).locator('.stat-value');
  await value.waitFor();
  assert.equal(await value.getAttribute('data-value'), expected, `${testId} on screen`);
}

test("the closes page shows the demo's closed month, its frozen totals and its adjustment as the API has them", async () => {
  const { day } = await revisedDay();
  const { closes, names } = await periodCloses();
  const close = closes.find((c) => c.adjustments.length > 0);
  assert.ok(close, 'the demo closes a month and restates one of its days after');
  assert.ok(close.firstDay <= day && day <= close.lastDay, `the revised day ${day} is in the closed month ${close.period}`);
  assert.ok(close.adjustments.some((a) => a.date === day), 'the revision is an adjustment of the close');
  assert.ok(new Decimal(close.costUsd).greaterThan(0), 'the close froze some spend');

  await page.goto('/closes');
  await page.getByRole('heading', { level: 1, name: 'Month-end closes' }).waitFor();
  const nav = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Closes' });
  assert.equal(await nav.getAttribute('aria-current'), 'page');
  const card = page.locator(`[data-testid="period-close"][data-id="${close.id}"]`);
  await card.waitFor();
  assert.equal(await page.getByTestId('period-close').count(), closes.length, 'every close the API lists');
  assert.equal(await card.getAttribute('data-period'), close.period);
  assert.equal(await card.getAttribute('data-scope'), close.provider ?? 'all');
  await expectStatIn(card, 'close-cost', close.costUsd);
  await expectStatIn(card, 'close-input', String(close.inputTokens));
  await expectStatIn(card, 'close-output', String(close.outputTokens));
  await expectStatIn(card, 'close-adjustments-cost', close.adjustmentsCostUsd);
  assert.equal(await card.getByTestId('close-status').textContent(), close.reopenedAt ? 'reopened' : 'closed');
  const closed = await card.getByTestId('close-closed').textContent();
  assert.ok(closed.includes(close.closedBy), `names who closed it: ${closed}`);
  assert.equal(await card.getByTestId('close-closed').locator('time').getAttribute('datetime'), close.closedAt);
  assert.match(await card.getByTestId('close-adjusted').textContent(), new RegExp(`^${close.adjustments.length} adjustments?$`));
  await expectRevisionRows(card.getByTestId('close-adjustments'), close.adjustments, names);

  await page.evaluate(() => window.scrollTo(0, 0));
  await page.setViewportSize({ width: 1440, height: 900 });
  const header = page.locator('.page-header');
  await page.screenshot({ path: resolve(screenshots, 'closed-month.png'), fullPage: true, clip: await unionBox(page, [header, card], true) });
  await page.setViewportSize({ width: 1366, height: 900 });
});

test('an admin closes a month and reopens it; a refused close shows the server error; a viewer only reads', async () => {
  const today = new Date().toISOString().slice(0, 10);
  const { closes: before } = await periodCloses();
  const demo = before.find((c) => c.adjustments.length > 0);
  assert.ok(demo, 'the demo close is listed');
  // Two months back: over, and not closed by the demo.
  const firstOfThis = `${today.slice(0, 7)}-01`;
  const period = addDays(addDays(firstOfThis, -1).slice(0, 7) + '-01', -1).slice(0, 7);
  assert.equal(before.filter((c) => c.period === period).length, 0, `${period} is not closed yet`);

  await page.goto('/closes');
  const form = page.locator('form', { has: page.getByRole('button', { name: 'Close period' }) });
  await form.getByLabel('Month (UTC)').fill(period);
  await form.getByLabel('Provider').selectOption('openai');
  await form.getByRole('button', { name: 'Close period' }).click();
  await form.getByRole('status').getByText(`Closed ${period} for openai.`).waitFor();
  const { closes: after } = await periodCloses();
  const made = after.find((c) => c.period === period && c.provider === 'openai');
  assert.ok(made, 'the API lists the new close');
  assert.equal(made.closedBy, 'e2e-admin');
  const card = page.locator(`[data-testid="period-close"][data-id="${made.id}"]`);
  await card.waitFor();
  await expectStatIn(card, 'close-cost', made.costUsd);
  assert.equal(await card.getByTestId('close-status').textContent(), 'closed');

  // The demo month is already closed for every provider: the server's refusal is shown.
  await form.getByLabel('Month (UTC)').fill(demo.period);
  await form.getByLabel('Provider').selectOption('');
  await form.getByRole('button', { name: 'Close period' }).click();
  const alert = form.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.textContent(), new RegExp(`${demo.period} is already closed`));

  await confirmDestructive(`Reopen ${period} · openai`, `Reopen the close of ${period} · openai?`, period);
  await page.waitForFunction(
    (id) => document.querySelector(`[data-testid="period-close"][data-id="${id}"] [data-testid="close-status"]`)?.textContent === 'reopened',
    made.id,
  );
  const { closes: reopened } = await periodCloses();
  const mine = reopened.find((c) => c.id === made.id);
  assert.equal(mine.reopenedBy, 'e2e-admin');
  assert.ok((await card.getByTestId('close-reopened').textContent()).includes('e2e-admin'));
  assert.equal(await card.getByRole('button', { name: /^Reopen/ }).count(), 0, 'a reopened close cannot be reopened');

  const context = await browser.newContext({ baseURL: server.baseUrl, viewport: { width: 1366, height: 900 } });
  await context.addInitScript((token) => sessionStorage.setItem('cognitrack.token', token), server.viewerToken);
  const viewer = await context.newPage();
  try {
    await viewer.goto('/closes');
    const demoCard = viewer.locator(`[data-testid="period-close"][data-id="${demo.id}"]`);
    await demoCard.locator('[data-testid="revision"]').first().waitFor();
    assert.equal(await viewer.getByTestId('period-close').count(), reopened.length);
    assert.equal(await viewer.getByRole('button', { name: 'Close period' }).count(), 0);
    assert.equal(await viewer.getByRole('button', { name: /^Reopen/ }).count(), 0);
  } finally {
    await context.close();
  }
});

test('the reconciliation page shows billed vs computed for the default range', async () => {
  const range = lastDays(30);
  await page.goto('/reconciliation');
  const { costReconciliation: rows, projects } = await graphql(
    server.baseUrl,
    server.adminToken,
    `query ($from: Date!, $to: Date!) {
       costReconciliation(from: $from, to: $to, groupBy: [PROJECT]) { provider date projectId billedUsd computedUsd withinTolerance }
       projects: inventory(kind: "project") { externalId name } }`,
    range,
  );
  assert.ok(rows.length > 0, 'the demo bills something');
  const sum = (field) => rows.reduce((s, r) => s.plus(r[field]), new Decimal(0)).toFixed();
  await expectStat('recon-billed', sum('billedUsd'));
  await expectStat('recon-computed', sum('computedUsd'));
  await expectStat('recon-outside', String(rows.filter((r) => !r.withinTolerance).length));
  const table = page.getByRole('region', { name: 'Billed and computed cost per day and project' });
  if (rows.length > 50) await page.getByText(`Page 1 of ${Math.ceil(rows.length / 50)} (${rows.length} rows)`).waitFor();
  else assert.equal(await table.locator('tbody tr').count(), rows.length);
  // The newest day first; its projects by name.
  const newest = rows.map((r) => r.date).sort().at(-1);
  const named = rows.find((r) => r.date === newest && projects.some((p) => p.externalId === r.projectId && p.name));
  if (named) {
    const name = projects.find((p) => p.externalId === named.projectId).name;
    assert.equal(await table.locator(`tbody span[data-id="${named.projectId}"]`).first().textContent(), name);
  }
  await page.locator('.recharts-bar-rectangle').first().waitFor();
  await page.screenshot({ path: resolve(screenshots, 'reconciliation.png') });
});

const ATTRIBUTION_AMOUNT = `tokens costUsd`;

test('the attribution tab shows the API coverage and totals for the default range', async () => {
  const range = lastDays(30);
  await page.goto('/reconciliation');
  await page.getByRole('navigation', { name: 'Reconciliation views' }).getByRole('link', { name: 'Attribution' }).click();
  await page.waitForURL((u) => u.searchParams.get('view') === 'attribution');
  const { attribution, projects, workspaces } = await graphql(
    server.baseUrl,
    server.adminToken,
    `query ($from: Date!, $to: Date!) {
       attribution(from: $from, to: $to) { totals {
         provider { ${ATTRIBUTION_AMOUNT} } app { ${ATTRIBUTION_AMOUNT} } matched { ${ATTRIBUTION_AMOUNT} }
         providerOnly { ${ATTRIBUTION_AMOUNT} } appOnly { ${ATTRIBUTION_AMOUNT} } mismatchedKeys coveragePercent } }
       byProject: attribution(from: $from, to: $to, groupBy: [PROVIDER, PROJECT]) { rows { group { provider projectId } matched { tokens } } }
       projects: inventory(kind: "project") { externalId name } workspaces: inventory(kind: "workspace") { externalId name } }`,
    range,
  ).then((d) => ({ ...d, attribution: { ...d.attribution, byProject: d.byProject.rows } }));
  const t = attribution.totals;
  assert.ok(t.coveragePercent > 0, 'the demo sessions report usage the provider has');
  await expectStat('attr-coverage', String(t.coveragePercent));
  await expectStat('attr-provider', String(t.provider.tokens));
  for (const key of ['matched', 'providerOnly', 'appOnly']) await expectStat(`attr-${key}`, String(t[key].tokens));
  await expectStat('attr-mismatched', String(t.mismatchedKeys));

  // One row per provider and project, each named with its id visible.
  const table = page.getByRole('region', { name: 'Attribution per project' });
  const groups = new Set(attribution.byProject.map((r) => `${r.group.provider}/${r.group.projectId}`));
  assert.equal(await table.locator('tbody tr').count(), groups.size);
  const names = new Map([...projects, ...workspaces].map((p) => [p.externalId, p.name]));
  const matched = attribution.byProject.find((r) => r.matched.tokens > 0 && names.get(r.group.projectId));
  assert.ok(matched, 'a named project has matched usage');
  const cell = table.locator(`span.identity[data-id="${matched.group.projectId}"]`).first();
  assert.equal(await cell.locator('span').first().textContent(), names.get(matched.group.projectId));
  assert.equal(await cell.locator('code').textContent(), matched.group.projectId);
  await page.locator('.recharts-bar-rectangle').first().waitFor();
  await page.screenshot({ path: resolve(screenshots, 'attribution.png'), fullPage: true });

  await page.getByRole('group', { name: 'Attribution measure' }).getByRole('button', { name: 'Cost' }).click();
  await page.waitForURL((u) => u.searchParams.get('measure') === 'cost');
  await expectStat('attr-provider', new Decimal(t.provider.costUsd).toFixed());
  for (const key of ['matched', 'providerOnly', 'appOnly']) await expectStat(`attr-${key}`, new Decimal(t[key].costUsd).toFixed());
  await expectStat('attr-coverage', String(t.coveragePercent));
});

test('an admin uploads a CSV export; the report the API stored is listed and opens with its counts', async () => {
  const day = lastDays(2).from; // yesterday: a complete day
  const data = await graphql(
    server.baseUrl,
    server.adminToken,
    `query ($f: UsageFilter!) {
       usageBuckets(filter: $f, first: 100) { nodes { usageType windowStart windowEnd projectId apiKeyId userId model batch serviceTier
         inputTokens outputTokens inputCachedTokens numModelRequests } }
       providerConnections { name provider } }`,
    { f: { from: day, to: day, providers: ['openai'] } },
  );
  const windows = data.usageBuckets.nodes.filter((b) => b.usageType === 'completions').slice(0, 3);
  assert.ok(windows.length > 0, 'the demo stored OpenAI completions yesterday');
  const connection = data.providerConnections.find((c) => c.provider === 'openai').name;
  const header =
    'start_time,end_time,start_time_iso,end_time_iso,project_id,num_model_requests,user_id,api_key_id,model,batch,service_tier,input_tokens,output_tokens,input_cached_tokens';
  const lines = windows.map((w) =>
    [
      Date.parse(w.windowStart) / 1000,
      Date.parse(w.windowEnd) / 1000,
      w.windowStart,
      w.windowEnd,
      w.projectId,
      w.numModelRequests,
      w.userId,
      w.apiKeyId,
      w.model,
      // The export's batch column: "true", "false", or empty when not reported.
      { BATCH: 'true', INTERACTIVE: 'false', NOT_REPORTED: '' }[w.batch],
      w.serviceTier,
      w.inputTokens,
      w.outputTokens,
      w.inputCachedTokens,
    ].join(','),
  );
  const csv = `${header}\n${lines.join('\n')}\n`;

  await page.goto('/reconciliation?view=parity');
  const form = page.getByRole('form', { name: 'Compare a CSV export' });
  await form.getByLabel('CSV file').setInputFiles({ name: 'e2e-export.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await form.getByLabel('Provider').selectOption('openai');
  await form.getByLabel('Connection').selectOption(connection);
  await form.getByLabel('First day (UTC)').fill(day);
  await form.getByLabel('Last day (UTC)').fill(day);
  await form.getByRole('button', { name: 'Upload and compare' }).click();
  const status = page.getByTestId('parity-upload-status');
  await status.getByText(/^Report #/).waitFor();

  const { parityReports } = await graphql(
    server.baseUrl,
    server.adminToken,
    `{ parityReports(first: 1) { nodes { id fileName csvRows matchedWindows missingWindows extraWindows mismatchedWindows days { date } } } }`,
  );
  const report = parityReports.nodes[0];
  assert.equal(report.fileName, 'e2e-export.csv');
  assert.equal(report.csvRows, windows.length);
  assert.equal(report.matchedWindows, windows.length, 'every uploaded window is one the API stored');
  assert.equal(report.days.length, 1);
  const text = await status.textContent();
  assert.ok(text.startsWith(`Report #${report.id} `), text);
  assert.ok(
    text.includes(
      `${report.matchedWindows} matched, ${report.missingWindows} missing, ${report.extraWindows} extra, ${report.mismatchedWindows} mismatched`,
    ),
    text,
  );

  // The refreshed list holds it; its row shows the same counts.
  const link = page.getByRole('link', { name: `View parity report #${report.id}` });
  const row = page.locator('tbody tr', { has: link });
  for (const field of ['csvRows', 'matchedWindows', 'missingWindows', 'extraWindows', 'mismatchedWindows']) {
    assert.equal(await row.locator(`[data-field="${field}"]`).textContent(), report[field].toLocaleString('en-US'), field);
  }
  await link.click();
  await page.waitForURL(new RegExp(`/reconciliation/parity/${report.id}$`));
  for (const field of ['csvRows', 'matchedWindows', 'missingWindows', 'extraWindows', 'mismatchedWindows']) {
    await expectStat(`parity-${field}`, String(report[field]));
  }
  const days = page.getByRole('region', { name: 'Per-day totals, stored vs CSV' });
  assert.equal(await days.locator('tbody tr').count(), report.days.length);
  assert.equal(await days.locator('tbody tr td').first().textContent(), day);
  const extra = page.getByRole('region', { name: 'Extra windows' });
  if (report.extraWindows > 0) assert.equal(await extra.locator('tbody tr').count(), Math.min(report.extraWindows, 200));
});

test('an admin previews a reprice after an override, sees the API diff, then applies it', async () => {
  const range = lastDays(30);
  // A model with priced usage in the last week, given a new price from a week ago.
  const week = lastDays(7);
  const { dailyUsage } = await graphql(
    server.baseUrl,
    server.adminToken,
    `query ($f: UsageFilter!) { dailyUsage(filter: $f, groupBy: [PROVIDER, MODEL]) { group { provider model } pricedCostUsd } }`,
    { f: week },
  );
  const used = dailyUsage.find((r) => r.group.model && !new Decimal(r.pricedCostUsd).isZero());
  assert.ok(used, 'some model has priced usage this week');
  const { modelPrices } = await graphql(
    server.baseUrl,
    server.adminToken,
    `query ($p: String!, $m: String!) { modelPrices(provider: $p, model: $m) { inputMtok cachedInputMtok cacheWriteMtok outputMtok } }`,
    { p: used.group.provider, m: used.group.model },
  );
  const price = modelPrices[0];
  const double = (v) => new Decimal(v ?? 0).times(2).toFixed();
  await graphql(
    server.baseUrl,
    server.adminToken,
    `mutation ($input: PriceOverrideInput!) { setPriceOverride(input: $input) { model } }`,
    {
      input: {
        provider: used.group.provider,
        model: used.group.model,
        effectiveFrom: week.from,
        inputMtok: double(price.inputMtok),
        cachedInputMtok: double(price.cachedInputMtok ?? price.inputMtok),
        cacheWriteMtok: double(price.cacheWriteMtok ?? price.inputMtok),
        outputMtok: double(price.outputMtok),
      },
    },
  );
  const reprice = (dryRun) =>
    graphql(
      server.baseUrl,
      server.adminToken,
      `mutation ($from: Date!, $to: Date!, $dryRun: Boolean!) { repriceUsage(from: $from, to: $to, dryRun: $dryRun) {
         bucketsChanged oldCostUsd newCostUsd deltaUsd days { date provider bucketsChanged oldCostUsd newCostUsd deltaUsd } } }`,
      { ...range, dryRun },
    ).then((d) => d.repriceUsage);
  const expected = await reprice(true);
  assert.ok(expected.bucketsChanged > 0, 'the override changes stored costs');

  await page.goto('/pricing');
  const form = page.getByRole('form', { name: 'Reprice stored usage' });
  await form.getByLabel('From (UTC)').fill(range.from);
  await form.getByLabel('To (UTC)').fill(range.to);
  await form.getByRole('button', { name: 'Preview (dry run)' }).click();
  await expectStat('reprice-delta', expected.deltaUsd);
  await expectStat('reprice-old', expected.oldCostUsd);
  await expectStat('reprice-new', expected.newCostUsd);
  const table = page.getByRole('region', { name: 'Reprice difference per day and provider' });
  const shown = await table.locator('tbody tr').evaluateAll((rows) =>
    rows.map((tr) => {
      const cells = [...tr.querySelectorAll('td')];
      return [cells[0].textContent, cells[1].textContent, cells[2].textContent, cells[5].querySelector('[data-value]').getAttribute('data-value')].join(' ');
    }),
  );
  const apiRows = expected.days.map((d) => [d.date, d.provider, String(d.bucketsChanged), d.deltaUsd].join(' '));
  assert.deepEqual(shown.sort(), apiRows.sort());

  await page.getByRole('button', { name: `Apply to ${range.from} → ${range.to}` }).click();
  await page.getByTestId('reprice-status').getByText('Applied:').waitFor();
  const after = await reprice(true);
  assert.equal(after.bucketsChanged, 0, 'nothing left to reprice once applied');
});

test('a model has the same colour on the overview chart and the explorer chart', async () => {
  const range = lastDays(30);
  await page.goto(`/?${new URLSearchParams({ ...range, stack: 'model', metric: 'cost' })}`);
  const overviewChart = page.getByRole('region', { name: /^Daily spend by model/ });
  const overview = await legendColors(overviewChart);
  // The explorer's chart holds fewer models (one project), so the colours cannot come from positions.
  const rows = await usage(range, ['PROJECT', 'MODEL']);
  const byProject = new Map();
  for (const r of rows) if (!new Decimal(r.pricedCostUsd).isZero()) byProject.set(r.group.projectId, (byProject.get(r.group.projectId) ?? new Set()).add(r.group.model));
  const [project] = [...byProject].sort((a, b) => a[1].size - b[1].size).find(([, models]) => models.size > 1) ?? [...byProject][0];
  await page.goto(`/explorer?${new URLSearchParams({ ...range, project, group: 'model' })}`);
  const explorerChart = page.getByRole('region', { name: 'Per day' });
  const explorer = await legendColors(explorerChart);
  const shared = [...explorer.keys()].filter((model) => model !== 'Other' && overview.has(model));
  assert.ok(shared.length > 0, `some model is on both charts: ${[...overview.keys()]} / ${[...explorer.keys()]}`);
  for (const model of shared) {
    assert.equal(explorer.get(model), overview.get(model), `${model}: the same colour on both legends`);
  }
  // The legend's colour is the bars' fill on each chart.
  for (const [chart, colors, url] of [
    [explorerChart, explorer, page.url()],
    [overviewChart, overview, `/?${new URLSearchParams({ ...range, stack: 'model', metric: 'cost' })}`],
  ]) {
    if (page.url() !== new URL(url, page.url()).href) await page.goto(url);
    await chart.locator('.recharts-bar-rectangle').first().waitFor();
    const fills = new Set(await chart.locator('.recharts-bar-rectangle path').evaluateAll((paths) => paths.map((p) => p.getAttribute('fill'))));
    for (const model of shared) assert.ok(fills.has(colors.get(model)), `${model} is drawn in ${colors.get(model)}`);
  }
  // Dark legend text beside the swatch, never text in the series colour.
  const textColors = await overviewChart.locator('.chart-legend-label').evaluateAll((labels) => labels.map((l) => getComputedStyle(l).color));
  assert.ok(textColors.length > 0);
  for (const color of textColors) assert.ok(['rgb(24, 32, 43)', 'rgb(91, 102, 117)'].includes(color), color);
});

test('today is drawn hatched and noted as incomplete; the overview compares complete days only', async () => {
  const range = lastDays(30);
  const today = range.to;
  const todayRows = (await usage({ from: today, to: today }, ['MODEL'])).filter((r) => !new Decimal(r.pricedCostUsd).isZero());
  assert.ok(todayRows.length > 0, 'the demo has spend today');
  await page.goto(`/?${new URLSearchParams({ ...range, stack: 'model', metric: 'cost' })}`);
  const chart = page.getByRole('region', { name: /^Daily spend by model/ });
  await chart.getByTestId('incomplete-note').getByText('today (incomplete)').waitFor();
  await chart.locator('.recharts-bar-rectangle').first().waitFor();
  // Laid out once the chart has its width: until then every bar stands at one x.
  await page.waitForFunction(
    (el) => new Set([...el.querySelectorAll('.recharts-bar-rectangle path')].map((p) => Math.round(p.getBoundingClientRect().x))).size > 1,
    await chart.elementHandle(),
  );
  const bars = await chart.locator('.recharts-bar-rectangle path').evaluateAll((paths) =>
    paths.map((p) => {
      const box = p.getBoundingClientRect();
      return { fill: p.getAttribute('fill'), x: Math.round(box.x + box.width / 2) };
    }),
  );
  const hatched = bars.filter((b) => b.fill.startsWith('url(#'));
  assert.ok(hatched.length > 0, 'some bar is hatched');
  const rightmost = Math.max(...bars.map((b) => b.x));
  for (const bar of hatched) assert.equal(bar.x, rightmost, 'only the last day (today) is hatched');
  assert.equal(bars.filter((b) => b.x === rightmost && !b.fill.startsWith('url(#')).length, 0, "every bar of today is hatched");
  // Each hatch is an SVG pattern the page defines.
  for (const bar of hatched) {
    const id = /^url\(#(.+)\)$/.exec(bar.fill)[1];
    assert.equal(await chart.locator(`pattern[id="${id}"]`).count(), 1, `pattern ${id}`);
  }
  // The change compares the complete days with the period of the same length before them.
  const complete = { from: range.from, to: lastDays(2).from };
  const length = 29;
  const prevTo = new Date(Date.parse(`${range.from}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  const prevFrom = new Date(Date.parse(`${prevTo}T00:00:00Z`) - (length - 1) * 86_400_000).toISOString().slice(0, 10);
  const current = new Decimal(totals(await usage(complete)).cost);
  const previous = new Decimal(totals(await usage({ from: prevFrom, to: prevTo })).cost);
  const change = page.getByTestId('total-cost').getByTestId('change');
  if (previous.isZero()) assert.equal(await change.count(), 0);
  else {
    const pct = current.minus(previous).dividedBy(previous).times(100).toDecimalPlaces(1);
    const sign = pct.isZero() ? '±' : pct.isNegative() ? '−' : '+';
    await change.getByText(`${sign}${pct.abs().toFixed(1)}%`).waitFor();
    await change.getByText('vs previous period (excl. today)').waitFor();
  }
});

test('requests Anthropic does not report read "n/a", never 0', async () => {
  const range = lastDays(30);
  const anthropic = await usage({ ...range, providers: ['anthropic'] }, ['MODEL']);
  assert.ok(anthropic.length > 0, 'the demo has Anthropic usage');
  assert.ok(anthropic.every((r) => r.numModelRequests === 0), 'the API has no Anthropic request counts');
  await page.goto(`/explorer?${new URLSearchParams({ ...range, provider: 'anthropic', group: 'model' })}`);
  await expectStat('total-cost', totals(anthropic).cost);
  // The requests wait for the split by provider: until then they show as the API sent them.
  await page.getByTestId('total-requests').locator('abbr[data-not-reported]').waitFor();
  const card = page.getByTestId('total-requests').locator('.stat-value');
  assert.equal(await card.textContent(), 'n/a');
  assert.match(await card.locator('abbr').getAttribute('title'), /Anthropic does not report request counts/);
  const table = page.getByRole('region', { name: 'Daily usage rows for the current filter' });
  const column = await columnIndex(table, 'Requests');
  const cells = await table.locator(`tbody tr td:nth-child(${column + 1})`).allTextContents();
  assert.ok(cells.length > 0);
  assert.deepEqual([...new Set(cells)], ['n/a']);
  assert.equal(await table.locator(`tfoot td:nth-child(${column + 1})`).textContent(), 'n/a');

  // Split by provider: Anthropic's rows are n/a, OpenAI's show the API's counts.
  const { dailyUsage: split } = await graphql(
    server.baseUrl,
    server.adminToken,
    `query ($f: UsageFilter!) { dailyUsage(filter: $f, groupBy: [PROVIDER]) { date group { provider } numModelRequests } }`,
    { f: range },
  );
  await page.goto(`/explorer?${new URLSearchParams({ ...range, group: 'provider' })}`);
  await expectStat('total-cost', totals(await usage(range)).cost);
  await table.locator('tbody td abbr[data-not-reported]').first().waitFor();
  // A restated day's cell also holds its "revised" badge: the day is the badge's date.
  const shown = await table.locator('tbody tr').evaluateAll((trs) =>
    trs.map((tr) =>
      [...tr.querySelectorAll('td')].map((td) => td.querySelector('[data-testid="revised-badge"]')?.dataset.date ?? td.textContent),
    ),
  );
  assert.equal(shown.length, Math.min(split.length, 50));
  const providerColumn = await columnIndex(table, 'Provider');
  const requestColumn = await columnIndex(table, 'Requests');
  for (const cells of shown) {
    const row = split.find((r) => r.date === cells[0] && r.group.provider === cells[providerColumn]);
    assert.ok(row, cells.join(' '));
    assert.equal(cells[requestColumn], row.group.provider === 'anthropic' ? 'n/a' : row.numModelRequests.toLocaleString('en-US'));
  }
  // The overview counts the providers that report requests, and says so.
  const openai = split.filter((r) => r.group.provider === 'openai').reduce((sum, r) => sum + r.numModelRequests, 0);
  await page.goto(`/?${new URLSearchParams(range)}`);
  await expectStat('total-requests', String(openai));
  await page.getByTestId('total-requests').getByText('excludes Anthropic').waitFor();
});

/** The 0-based index of the column headed `name` in a table region. */
async function columnIndex(table, name) {
  await table.locator('thead th').first().waitFor();
  const headers = await table.locator('thead th').allTextContents();
  const index = headers.findIndex((h) => h.replace(/[▲▼]/g, '').trim() === name);
  assert.ok(index >= 0, `a "${name}" column in ${headers}`);
  return index;
}

/** Asserts every numeric header and cell of the tables on the page ends at its right edge. */
async function expectNumbersRightAligned(where) {
  await page.locator('table.data-table tbody td.numeric').first().waitFor();
  const misaligned = await page.locator('table.data-table').evaluateAll((tables) => {
    const bad = [];
    let checked = 0;
    for (const table of tables) {
      const numericColumns = [...table.querySelectorAll('thead th')].map((th, i) => (th.classList.contains('numeric') ? i : -1)).filter((i) => i >= 0);
      for (const row of table.querySelectorAll('tr')) {
        for (const i of numericColumns) {
          const cell = row.children[i];
          if (!cell || cell.textContent.trim() === '') continue;
          const range = document.createRange();
          range.selectNodeContents(cell);
          const content = range.getBoundingClientRect();
          const box = cell.getBoundingClientRect();
          const padding = parseFloat(getComputedStyle(cell).paddingRight);
          checked++;
          if (getComputedStyle(cell).textAlign !== 'right' || Math.abs(box.right - padding - content.right) > 1.5) {
            bad.push(`${cell.tagName} "${cell.textContent}" ends ${Math.round(box.right - padding - content.right)}px short`);
          }
        }
      }
    }
    return { bad, checked };
  });
  assert.ok(misaligned.checked > 0, `${where}: numeric cells found`);
  assert.deepEqual(misaligned.bad, [], where);
}

test('numeric columns are right-aligned; the explorer totals every column it shows and hides all-zero ones', async () => {
  const range = lastDays(30);
  const { dailyUsage: rows } = await graphql(
    server.baseUrl,
    server.adminToken,
    `query ($f: UsageFilter!) { dailyUsage(filter: $f, groupBy: [MODEL]) { date group { model } inputTokens inputCachedTokens inputCacheWriteTokens outputTokens inputAudioTokens outputAudioTokens numModelRequests pricedCostUsd unpricedBuckets } }`,
    { f: range },
  );
  await page.goto(`/explorer?${new URLSearchParams({ ...range, group: 'model' })}`);
  await expectStat('total-cost', totals(rows).cost);
  await expectNumbersRightAligned('explorer');
  const table = page.getByRole('region', { name: 'Daily usage rows for the current filter' });
  const headers = (await table.locator('thead th').allTextContents()).map((h) => h.replace(/[▲▼]/g, '').trim());
  const MEASURE_HEADERS = {
    inputTokens: 'Input tokens',
    inputCachedTokens: 'Cached input',
    inputCacheWriteTokens: 'Cache writes',
    outputTokens: 'Output tokens',
    inputAudioTokens: 'Input audio',
    outputAudioTokens: 'Output audio',
    unpricedBuckets: 'Unpriced buckets',
  };
  for (const [field, header] of Object.entries(MEASURE_HEADERS)) {
    const sum = rows.reduce((s, r) => s + r[field], 0);
    assert.equal(headers.includes(header), sum !== 0, `${header} shown iff not all zero (sum ${sum})`);
    if (sum !== 0) {
      const i = headers.indexOf(header);
      assert.equal(await table.locator(`tfoot td:nth-child(${i + 1})`).textContent(), sum.toLocaleString('en-US'), `${header} total`);
    }
  }
  const cost = headers.indexOf('Cost');
  assert.equal(await table.locator(`tfoot td:nth-child(${cost + 1}) span`).getAttribute('title'), totals(rows).cost);
  assert.equal(await table.locator('tfoot td').first().textContent(), 'Total');

  await page.goto('/sessions');
  await expectNumbersRightAligned('sessions');
  await page.goto('/reconciliation');
  await expectNumbersRightAligned('reconciliation');
  await page.goto('/ingestion');
  await expectNumbersRightAligned('ingestion');
});

test('the export file name carries the range and the filters', async () => {
  const range = lastDays(30);
  const { dailyUsage } = await graphql(
    server.baseUrl,
    server.adminToken,
    `query ($f: UsageFilter!) { dailyUsage(filter: $f, groupBy: [MODEL]) { group { model } } }`,
    { f: range },
  );
  const model = dailyUsage.map((r) => r.group.model).find(Boolean);
  assert.ok(model, 'some model has usage');
  await page.goto(`/explorer?${new URLSearchParams({ ...range, model, group: 'model' })}`);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
  const safe = model.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/-{2,}/g, '-').replace(/^[-.]+|-+$/g, '');
  assert.equal(download.suggestedFilename(), `usage_${range.from}_${range.to}_model-${safe}.csv`);
});

/** `dailyUsage` as the API answers it, in `timezone`'s local days (UTC days when null). */
async function zoneUsage(filter, timezone) {
  const data = await graphql(
    server.baseUrl,
    server.adminToken,
    `query ($filter: UsageFilter!, $timezone: String) { dailyUsage(filter: $filter, timezone: $timezone) { ${ROW_FIELDS} } }`,
    { filter, timezone },
  );
  return data.dailyUsage;
}

/** The explorer table's rows on screen: day → exact priced cost. */
async function explorerTableCosts() {
  const table = page.getByRole('table', { name: 'Daily usage rows for the current filter' });
  await table.locator('tbody tr').first().waitFor();
  return new Map(
    await table.locator('tbody tr').evaluateAll((trs) =>
      trs.map((tr) => [tr.querySelector('td').textContent.slice(0, 10), tr.querySelector('td:last-child span[title]').getAttribute('title')]),
    ),
  );
}

test('Europe/Berlin on the explorer shows the local days the API sums from hours, not the UTC days', async () => {
  const range = lastDays(30);
  const [{ filterOptions }, berlin, utc] = await Promise.all([
    graphql(server.baseUrl, server.adminToken, `{ filterOptions { hourlyData } }`),
    zoneUsage(range, 'Europe/Berlin'),
    zoneUsage(range, null),
  ]);
  assert.equal(filterOptions.hourlyData, true, 'the demo stores hours');
  assert.ok(berlin.length > 0 && utc.length > 0, 'both answers have rows');
  const local = totals(berlin);
  const plain = totals(utc);
  assert.notEqual(local.tokens, plain.tokens, 'the local days cover other hours than the UTC days');

  await page.goto(`/explorer?${new URLSearchParams(range)}`);
  await expectStat('total-tokens', plain.tokens);
  const zone = page.getByLabel('Time zone');
  assert.equal(await zone.inputValue(), 'UTC', 'UTC by default');
  await zone.selectOption('Europe/Berlin');
  await page.waitForURL((url) => url.searchParams.get('tz') === 'Europe/Berlin');
  await expectStat('total-tokens', local.tokens);
  await expectStat('total-cost', local.cost);
  await page.getByTestId('chart-days').getByText('Local days in Europe/Berlin').waitFor();
  await page.getByRole('group', { name: 'Date range (Europe/Berlin)' }).waitFor();
  const onScreen = await explorerTableCosts();
  assert.deepEqual(onScreen, new Map(berlin.map((r) => [r.date, r.pricedCostUsd])), 'the table holds the local days');
  assert.notDeepEqual(onScreen, new Map(utc.map((r) => [r.date, r.pricedCostUsd])), 'not the UTC days');

  // The overview: its chart counts Berlin days; its totals stay UTC and say so.
  await page.goto(`/?${new URLSearchParams({ ...range, tz: 'Europe/Berlin' })}`);
  assert.equal(await page.getByLabel('Time zone').inputValue(), 'Europe/Berlin');
  await page.getByTestId('chart-days').getByText('Local days in Europe/Berlin').waitFor();
  await page.getByTestId('totals-days').waitFor();
  await expectStat('total-tokens', plain.tokens);
  const caption = page.locator('section[aria-labelledby="chart-title"] figcaption');
  await caption.waitFor({ state: 'attached' });
  assert.match(await caption.textContent(), /\(local days in Europe\/Berlin\)/);
});

test('a zone the hours do not cover is a visible alert with the server message; admins switch hourly ingestion', async () => {
  await page.goto('/ingestion');
  const toggle = page.getByRole('checkbox', { name: 'Hourly buckets for demo-openai' });
  await toggle.waitFor();
  assert.equal(await toggle.isChecked(), true, 'the demo ingests hours');
  await toggle.uncheck();
  await page.waitForFunction(
    () =>
      document.querySelector('input[aria-label="Hourly buckets for demo-openai"]')?.closest('[data-testid="hourly-buckets"]')?.dataset
        .value === 'false',
  );
  const off = await graphql(server.baseUrl, server.adminToken, `{ providerConnections { name hourlyBuckets } }`);
  assert.equal(off.providerConnections.find((c) => c.name === 'demo-openai').hourlyBuckets, false);
  try {
    // Days long before the demo's 90, ingested without hours.
    const from = new Date(Date.now() - 200 * 86_400_000).toISOString().slice(0, 10);
    const to = new Date(Date.now() - 198 * 86_400_000).toISOString().slice(0, 10);
    await graphql(
      server.baseUrl,
      server.adminToken,
      `mutation ($from: Date!, $to: Date!) { runIngestion(provider: openai, from: $from, to: $to, connection: "demo-openai") { status } }`,
      { from, to },
    );
    assert.ok((await zoneUsage({ from, to }, null)).length > 0, 'the old days have daily usage');
    const response = await fetch(`${server.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${server.adminToken}` },
      body: JSON.stringify({
        query: `query ($f: UsageFilter!) { dailyUsage(filter: $f, timezone: "Europe/Berlin") { date } }`,
        variables: { f: { from, to } },
      }),
    });
    const { errors } = await response.json();
    assert.equal(errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', 'the API refuses local days without hours');

    await page.goto(`/explorer?${new URLSearchParams({ from, to, tz: 'Europe/Berlin' })}`);
    const alert = page.getByTestId('timezone-error');
    await alert.waitFor();
    assert.equal(await alert.getAttribute('role'), 'alert');
    assert.equal(await page.getByTestId('timezone-error-message').textContent(), errors[0].message);
    assert.equal(await page.getByTestId('total-tokens').count(), 0, 'no figures beside the refusal');
    await alert.getByRole('button', { name: 'Show UTC days' }).click();
    await page.waitForURL((url) => !url.searchParams.has('tz'));
    await expectStat('total-tokens', totals(await zoneUsage({ from, to }, null)).tokens);
  } finally {
    await graphql(server.baseUrl, server.adminToken, `mutation { setConnectionHourlyBuckets(name: "demo-openai", enabled: true) { hourlyBuckets } }`);
  }
  await page.goto('/ingestion');
  await page.getByRole('checkbox', { name: 'Hourly buckets for demo-openai' }).waitFor();
  assert.equal(await page.getByRole('checkbox', { name: 'Hourly buckets for demo-openai' }).isChecked(), true);
});

const axeSource = resolve(frontendDir, 'node_modules/axe-core/axe.min.js');

/** Runs axe on the page as it is; fails on any serious or critical violation, printing each. */
async function expectNoSeriousAxeViolations(page, where) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: axeSource });
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    // A scan that checked nothing would pass vacuously.
    if (result.passes.length === 0) return [{ id: 'axe checked no rule', impact: 'critical', help: '', nodes: [] }];
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')}: ${n.failureSummary}`) }));
  });
  if (violations.length > 0) console.error(`axe on ${where}:\n${JSON.stringify(violations, null, 2)}`);
  assert.deepEqual(violations.map((v) => v.id), [], `axe on ${where}`);
}

/** Waits until the page has a heading and no query is loading. */
async function settled(page, heading) {
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  await page.waitForFunction(() => document.querySelector('.status-loading') === null && document.querySelector('[aria-busy="true"]') === null);
}

test('axe finds no serious or critical violation on any page', async () => {
  const { sessions, parityReports } = await graphql(
    server.baseUrl,
    server.adminToken,
    `{ sessions(first: 1) { nodes { id } } parityReports(first: 1) { nodes { id } } }`,
  );
  assert.ok(sessions.nodes.length > 0 && parityReports.nodes.length > 0, 'a session and a parity report to open');
  // The server's CSP (script-src 'self') refuses an injected script: axe gets its own
  // context that bypasses it, so the rest of the suite still runs under the real policy.
  const context = await browser.newContext({ baseURL: server.baseUrl, viewport: { width: 1366, height: 900 }, bypassCSP: true });
  await context.addInitScript((token) => sessionStorage.setItem('cognitrack.token', token), server.adminToken);
  const page = await context.newPage();
  const pages = [
    ['/', 'Overview', '.recharts-bar-rectangle'],
    ['/explorer?group=model', 'Usage explorer', '.recharts-bar-rectangle'],
    ['/sessions', 'Sessions', 'table tbody tr'],
    ['/sessions?view=expensive', 'Sessions', 'table tbody tr'],
    [`/sessions/${encodeURIComponent(sessions.nodes[0].id)}`, /^Session/, '[data-testid="breakdown"]'],
    ['/pricing', 'Pricing', 'table tbody tr'],
    ['/ingestion', 'Ingestion', 'table tbody tr'],
    ['/budgets', 'Budgets', 'h2'],
    ['/closes', 'Month-end closes', '[data-testid="revision"]'],
    ['/reconciliation', 'Reconciliation', '.recharts-bar-rectangle'],
    ['/reconciliation?view=attribution', 'Reconciliation', '.recharts-bar-rectangle'],
    ['/reconciliation?view=parity', 'Reconciliation', 'table tbody tr'],
    [`/reconciliation/parity/${parityReports.nodes[0].id}`, /parity report/i, 'table tbody tr'],
    ['/no-such-page', 'Page not found', 'main a'],
  ];
  for (const [path, heading, ready] of pages) {
    await page.goto(path);
    await settled(page, heading);
    await page.locator(ready).first().waitFor();
    await expectNoSeriousAxeViolations(page, path);
  }
  // With a confirm dialog open.
  await page.goto('/ingestion');
  await page.getByRole('button', { name: /^Remove connection / }).first().click();
  await page.getByRole('dialog').waitFor();
  await expectNoSeriousAxeViolations(page, '/ingestion with the remove dialog open');
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  // And the sign-in screen.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await expectNoSeriousAxeViolations(page, 'sign-in');
  await context.close();
});

test('focus starts at the skip link on load, and charts hold no tab stops', async () => {
  await page.goto('/');
  await page.locator('.recharts-bar-rectangle').first().waitFor();
  assert.equal(await page.evaluate(() => document.activeElement === document.body), true, 'nothing is focused on load');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
  const ring = await page.evaluate(() => {
    const style = getComputedStyle(document.activeElement);
    return `${style.outlineStyle} ${style.outlineColor}`;
  });
  assert.equal(ring, 'solid rgb(147, 197, 253)', 'the skip link shows its focus ring');
  const stops = await page.locator('.chart [tabindex], .chart svg *:is(a, [tabindex])').evaluateAll((els) =>
    els.filter((el) => el.tabIndex >= 0).map((el) => el.outerHTML.slice(0, 80)),
  );
  assert.deepEqual(stops, []);
  // Tabbing through the whole page never lands inside a chart drawing.
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.closest('.chart-canvas') === null), true, `tab stop ${i} is not in a chart`);
  }
});

test('on a 390 px phone every page is in the navigation and charts stay readable', async () => {
  const context = await browser.newContext({ baseURL: server.baseUrl, viewport: { width: 390, height: 844 }, isMobile: true });
  await context.addInitScript((token) => sessionStorage.setItem('cognitrack.token', token), server.adminToken);
  const phone = await context.newPage();
  try {
    await phone.goto(`/?${new URLSearchParams(lastDays(30))}`);
    const links = phone.getByRole('navigation', { name: 'Main' }).getByRole('link');
    await links.first().waitFor();
    const boxes = await links.evaluateAll((as) =>
      as.map((a) => {
        const box = a.getBoundingClientRect();
        const hit = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
        return { text: a.textContent, left: box.left, right: box.right, hit: hit === a || a.contains(hit) };
      }),
    );
    assert.equal(boxes.length, 8);
    for (const box of boxes) {
      assert.ok(box.left >= 0 && box.right <= 390, `${box.text} fits on screen (${box.left}–${box.right})`);
      assert.ok(box.hit, `${box.text} is visible, not covered or clipped`);
    }
    assert.equal(await phone.evaluate(() => document.documentElement.scrollWidth), 390, 'the page does not scroll sideways');
    const chart = phone.locator('.chart').first();
    await chart.locator('.recharts-bar-rectangle').first().waitFor();
    const canvas = await chart.locator('.chart-canvas').boundingBox();
    const legend = await chart.locator('.chart-legend').boundingBox();
    assert.ok(canvas.height >= 200, `chart height ${canvas.height}`);
    assert.ok(legend.y >= canvas.y + canvas.height, 'the legend sits below the drawing');
    // The screenshot shows the settled page: every panel answered.
    await phone.getByTestId('month-to-date').waitFor();
    await phone.waitForFunction(() => document.querySelector('.status-loading') === null);
    await phone.screenshot({ path: resolve(screenshots, 'overview-390.png') });
  } finally {
    await context.close();
  }
});

test('a token the server stops accepting ends the session', async () => {
  await page.evaluate((token) => sessionStorage.setItem('cognitrack.token', token), server.forgedToken);
  await page.goto('/explorer');
  await page.getByRole('heading', { name: 'Session ended' }).waitFor();
});
