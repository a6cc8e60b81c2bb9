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
  server = await startServer({ bin, frontendDir: dist });
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
  await page.goto('/ingestion');
  await page.getByRole('heading', { name: 'Runs' }).waitFor();
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
  await page.goto('/ingestion');
  await page.getByRole('button', { name: 'Run backfill' }).waitFor();
});

test('an admin adds, tests and removes a provider connection; the key is never echoed', async () => {
  page.once('dialog', (dialog) => dialog.accept());
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
    { name: 'e2e-openai', keySource: 'stored', baseUrl: 'http://127.0.0.1:9/v1' },
  );
  await page.getByRole('button', { name: 'Remove connection e2e-openai' }).click();
  await page.getByRole('button', { name: 'Remove connection e2e-openai' }).waitFor({ state: 'detached' });
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
  page.once('dialog', (dialog) => dialog.accept());
  await page.getByRole('button', { name: 'Delete webhook e2e hook' }).click();
  await page.getByText('No webhooks').waitFor();
});

test('an admin creates a budget and sees its spend', async () => {
  await page.goto('/budgets');
  const form = page.locator('form', { has: page.getByRole('button', { name: 'Create budget' }) });
  await form.getByLabel('Name').fill('e2e monthly');
  await form.getByLabel('Amount (USD)').fill('250');
  await form.getByRole('button', { name: 'Create budget' }).click();
  const card = page.getByRole('listitem', { name: 'e2e monthly' });
  await card.waitFor();
  const { budgets } = await graphql(
    server.baseUrl,
    server.adminToken,
    `{ budgets(first: 200) { nodes { name amountUsd current { spendUsd percentUsed } } } }`,
  );
  const budget = budgets.nodes.find((b) => b.name === 'e2e monthly');
  assert.ok(budget, 'the budget is stored');
  assert.equal(await card.locator('.budget-figures strong').getAttribute('title'), budget.current.spendUsd);
  await card.getByText(`(${budget.current.percentUsed}%)`).first().waitFor();
});

test('the overview totals are the API totals', async () => {
  const range = lastDays(30);
  await page.goto(`/?${new URLSearchParams(range)}`);
  const expected = totals(await usage(range));
  await expectStat('total-cost', expected.cost);
  await expectStat('total-tokens', expected.tokens);
  await page.locator('.recharts-bar-rectangle').first().waitFor();
  await page.screenshot({ path: resolve(screenshots, 'overview.png') });
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
  const legend = await page.locator('.recharts-legend-item-text').allTextContents();
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
  await page.locator('.recharts-legend-item-text').first().waitFor();
  const legend = await page.locator('.recharts-legend-item-text').allTextContents();
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

test('the reconciliation page shows billed vs computed for the default range', async () => {
  const range = lastDays(30);
  await page.goto('/reconciliation');
  const { costReconciliation: rows, projects } = await graphql(
    server.baseUrl,
    server.adminToken,
    `query ($from: String!, $to: String!) {
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

test('a token the server stops accepting ends the session', async () => {
  await page.evaluate((token) => sessionStorage.setItem('cognitrack.token', token), server.forgedToken);
  await page.goto('/explorer');
  await page.getByRole('heading', { name: 'Session ended' }).waitFor();
});
