import { createColumnHelper } from '@tanstack/react-table';
import { type FormEvent, useId, useMemo, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import {
  BudgetsQuery,
  CreateBudgetMutation,
  CreateWebhookMutation,
  DeleteBudgetMutation,
  DeleteWebhookMutation,
  EvaluateBudgetsMutation,
  UpdateBudgetMutation,
  WebhooksQuery,
} from '../api/queries';
import { useIdentity } from '../auth/AuthContext';
import { CursorPager } from '../components/CursorPager';
import { DataTable, useDataTable } from '../components/DataTable';
import { PageHeader } from '../components/Layout';
import { Empty, ErrorNotice, QueryView } from '../components/Status';
import type { BudgetFieldsFragment, BudgetInput, BudgetsQuery as Result, WebhooksQuery as WebhooksResult } from '../gql/graphql';
import { useCursorPaging } from '../hooks/useCursorPages';
import { useInventoryNames } from '../hooks/useInventoryNames';
import { formatDateTime, formatDay } from '../lib/dates';
import { formatUsd } from '../lib/money';
import { type NameIndex, NO_NAMES, nameOf } from '../lib/names';

/** Budget scopes whose value is a provider id the inventory may name. */
const SCOPE_DIMENSION = { project: 'PROJECT', api_key: 'API_KEY', user: 'USER' } as const;

/** Budgets are few; more than this is shown as a note rather than paged. */
const MAX_BUDGETS = 200;

export function BudgetsPage() {
  const { role } = useIdentity();
  const alertsPaging = useCursorPaging();
  const [result, refetch] = useQuery({
    query: BudgetsQuery,
    variables: { first: MAX_BUDGETS, alertsAfter: alertsPaging.after },
  });
  const reload = () => refetch({ requestPolicy: 'network-only' });
  const names = useInventoryNames();

  return (
    <>
      <PageHeader title="Budgets & alerts">{role === 'admin' && <EvaluateButton onDone={reload} />}</PageHeader>
      <QueryView result={result} onRetry={reload} loadingLabel="Loading budgets…">
        {(data) => (
          <>
            <section className="panel" aria-labelledby="budgets-title">
              <h2 id="budgets-title">Budgets</h2>
              {data.budgets.nodes.length === 0 ? (
                <Empty>No budgets yet.{role === 'admin' && ' Create one below.'}</Empty>
              ) : (
                <ul className="budget-list">
                  {data.budgets.nodes.map((budget) => (
                    <BudgetCard key={budget.id} budget={budget} admin={role === 'admin'} onChanged={reload} names={names} />
                  ))}
                </ul>
              )}
              {data.budgets.pageInfo.hasNextPage && <p className="muted">Showing the first {MAX_BUDGETS} budgets.</p>}
            </section>
            {role === 'admin' && <BudgetForm onCreated={reload} />}
            {role === 'admin' && <Webhooks />}
            <section className="panel" aria-labelledby="alerts-title">
              <h2 id="alerts-title">Alert history</h2>
              <Alerts alerts={data.alerts.nodes} />
              <CursorPager
                label="Alert pages"
                hasPrevious={alertsPaging.hasPrevious}
                hasNext={data.alerts.pageInfo.hasNextPage}
                onPrevious={alertsPaging.previous}
                onNext={() => alertsPaging.next(data.alerts.pageInfo.endCursor)}
              />
            </section>
          </>
        )}
      </QueryView>
    </>
  );
}

function scopeLabel(b: { scope: string; scopeValue: string; provider: string }, names: NameIndex = NO_NAMES): string {
  const dimension = SCOPE_DIMENSION[b.scope as keyof typeof SCOPE_DIMENSION];
  const name = dimension ? nameOf(names, dimension, b.scopeValue) : null;
  const value = name ? `${name} (${b.scopeValue})` : b.scopeValue;
  const scope = b.scope === 'org' ? 'Whole organization' : `${b.scope.replace('_', ' ')} ${value}`;
  return b.provider ? `${scope} · ${b.provider}` : scope;
}

function BudgetCard({
  budget,
  admin,
  onChanged,
  names,
}: {
  budget: BudgetFieldsFragment;
  admin: boolean;
  onChanged: () => void;
  names: NameIndex;
}) {
  const [update, runUpdate] = useMutation(UpdateBudgetMutation);
  const [remove, runRemove] = useMutation(DeleteBudgetMutation);
  const { current } = budget;
  const error = update.error ?? remove.error;
  const percent = Number(current.percentUsed);
  const forecastPercent = Number(current.forecastPercentUsed);
  const level = percent >= 100 ? 'over' : forecastPercent >= 100 ? 'at-risk' : 'ok';

  async function toggle() {
    const result = await runUpdate({ id: budget.id, input: { enabled: !budget.enabled } });
    if (!result.error) onChanged();
  }
  async function destroy() {
    if (!window.confirm(`Delete the budget “${budget.name}”? Its alerts stay in the history.`)) return;
    const result = await runRemove({ id: budget.id });
    if (!result.error) onChanged();
  }

  return (
    <li className={`budget budget-${level}`} aria-label={budget.name}>
      <div className="panel-header">
        <div>
          <h3>{budget.name}</h3>
          <p className="muted small">
            {scopeLabel(budget, names)} · {budget.period} · {formatDay(current.periodStart)}–{formatDay(current.periodEnd)}
            {!budget.enabled && ' · disabled'}
          </p>
        </div>
        {admin && (
          <div className="actions">
            <button type="button" className="button" onClick={toggle} disabled={update.fetching}>
              {budget.enabled ? 'Disable' : 'Enable'}
            </button>
            <button type="button" className="button" onClick={destroy} disabled={remove.fetching}>
              Delete
            </button>
          </div>
        )}
      </div>
      <p className="budget-figures">
        <strong title={current.spendUsd}>{formatUsd(current.spendUsd)}</strong> of {formatUsd(budget.amountUsd)} (
        {current.percentUsed}%) · forecast {formatUsd(current.forecastUsd)} ({current.forecastPercentUsed}%)
      </p>
      <meter
        className="budget-meter"
        min={0}
        max={100}
        low={80}
        high={99.99}
        optimum={0}
        value={Math.min(percent, 100)}
        aria-label={`${budget.name}: ${current.percentUsed}% used`}
      />
      <p className="muted small">
        Alerts at {budget.thresholds.join('%, ')}%
        {current.thresholdsCrossed.length > 0 && ` · crossed ${current.thresholdsCrossed.join('%, ')}%`} · counted
        through {current.asOf}
        {current.unpricedBuckets > 0 && (
          <span className="warning"> · {current.unpricedBuckets} unpriced buckets: spend is understated</span>
        )}
      </p>
      {error && <ErrorNotice error={error} />}
    </li>
  );
}

function EvaluateButton({ onDone }: { onDone: () => void }) {
  const [state, run] = useMutation(EvaluateBudgetsMutation);
  async function click() {
    const result = await run({});
    if (!result.error) onDone();
  }
  const done = state.data?.evaluateBudgets;
  return (
    <div className="sync">
      <button type="button" className="button button-primary" onClick={click} disabled={state.fetching}>
        {state.fetching ? 'Evaluating…' : 'Evaluate now'}
      </button>
      <span role="status" className="small">
        {done &&
          `${done.budgetsEvaluated} evaluated, ${done.alertsRaised} alerts raised, ${done.alertsDelivered} delivered, ${done.alertsPending} pending.`}
      </span>
      {state.error && <ErrorNotice error={state.error} />}
    </div>
  );
}

type AlertRow = Result['alerts']['nodes'][number];
const column = createColumnHelper<AlertRow>();
const alertColumns = [
  column.accessor('createdAt', { header: 'Raised', cell: ({ getValue }) => formatDateTime(getValue()) }),
  column.accessor('budgetName', { header: 'Budget' }),
  column.accessor((a) => scopeLabel({ ...a, provider: '' }), { id: 'scope', header: 'Scope' }),
  column.accessor('periodStart', { header: 'Period from' }),
  column.accessor('thresholdPct', { header: 'Threshold', cell: ({ getValue }) => `${getValue()}%`, meta: { numeric: true } }),
  column.accessor((a) => Number(a.spendUsd), {
    id: 'spend',
    header: 'Spend',
    cell: ({ row: { original } }) => `${formatUsd(original.spendUsd)} of ${formatUsd(original.amountUsd)}`,
    meta: { numeric: true },
  }),
  column.accessor('status', {
    header: 'Delivery',
    cell: ({ row: { original } }) => (
      <span title={original.lastError ?? undefined} className={`tag tag-${original.status.toLowerCase()}`}>
        {original.status.toLowerCase().replace('_', ' ')}
        {original.attempts > 1 && ` (${original.attempts} attempts)`}
      </span>
    ),
  }),
];

function Alerts({ alerts }: { alerts: AlertRow[] }) {
  const table = useDataTable({ data: alerts, columns: alertColumns });
  if (alerts.length === 0) return <Empty>No alerts raised yet.</Empty>;
  return <DataTable table={table} caption="Budget alerts, newest first" />;
}

const SCOPES = [
  { value: 'org', label: 'Whole organization' },
  { value: 'project', label: 'Project' },
  { value: 'api_key', label: 'API key' },
  { value: 'user', label: 'User' },
  { value: 'model', label: 'Model' },
] as const;

/** Admin only. Thresholds are typed as "50, 80, 100". */
function BudgetForm({ onCreated }: { onCreated: () => void }) {
  const id = useId();
  const [state, create] = useMutation(CreateBudgetMutation);
  const [form, setForm] = useState({
    name: '',
    scope: 'org',
    scopeValue: '',
    provider: '',
    period: 'monthly',
    amountUsd: '',
    thresholds: '50, 80, 100',
  });
  const [invalid, setInvalid] = useState<string | null>(null);
  const set = (patch: Partial<typeof form>) => setForm({ ...form, ...patch });

  async function submit(event: FormEvent) {
    event.preventDefault();
    const thresholds = form.thresholds.split(',').map((t) => Number(t.trim()));
    if (!/^\d+(\.\d+)?$/.test(form.amountUsd.trim())) return setInvalid('The amount must be a decimal number of USD.');
    if (thresholds.some((t) => !Number.isInteger(t) || t < 1 || t > 1000)) {
      return setInvalid('Thresholds are whole percents from 1 to 1000, separated by commas.');
    }
    setInvalid(null);
    const input: BudgetInput = {
      name: form.name.trim(),
      scope: form.scope,
      scopeValue: form.scope === 'org' ? null : form.scopeValue.trim(),
      provider: form.provider || null,
      period: form.period,
      amountUsd: form.amountUsd.trim(),
      thresholds: [...new Set(thresholds)].sort((a, b) => a - b),
    };
    const result = await create({ input });
    if (!result.error) {
      set({ name: '', scopeValue: '', amountUsd: '' });
      onCreated();
    }
  }

  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>New budget</h2>
      <form className="form-grid" onSubmit={submit}>
        <div className="field">
          <label htmlFor={`${id}-name`}>Name</label>
          <input id={`${id}-name`} required value={form.name} onChange={(e) => set({ name: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-scope`}>Scope</label>
          <select id={`${id}-scope`} value={form.scope} onChange={(e) => set({ scope: e.target.value })}>
            {SCOPES.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </div>
        {form.scope !== 'org' && (
          <div className="field">
            <label htmlFor={`${id}-value`}>{SCOPES.find((s) => s.value === form.scope)?.label} id</label>
            <input id={`${id}-value`} required value={form.scopeValue} onChange={(e) => set({ scopeValue: e.target.value })} />
          </div>
        )}
        <div className="field">
          <label htmlFor={`${id}-provider`}>Provider</label>
          <select id={`${id}-provider`} value={form.provider} onChange={(e) => set({ provider: e.target.value })}>
            <option value="">Every provider</option>
            <option value="openai">openai</option>
            <option value="anthropic">anthropic</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-period`}>Period (UTC)</label>
          <select id={`${id}-period`} value={form.period} onChange={(e) => set({ period: e.target.value })}>
            <option value="monthly">Monthly</option>
            <option value="daily">Daily</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-amount`}>Amount (USD)</label>
          <input id={`${id}-amount`} inputMode="decimal" required value={form.amountUsd} onChange={(e) => set({ amountUsd: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-thresholds`}>Alert at (% of amount)</label>
          <input id={`${id}-thresholds`} value={form.thresholds} onChange={(e) => set({ thresholds: e.target.value })} />
        </div>
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={state.fetching}>
            {state.fetching ? 'Creating…' : 'Create budget'}
          </button>
        </div>
        {invalid && (
          <p className="field-error" role="alert">
            {invalid}
          </p>
        )}
        {state.error && <ErrorNotice error={state.error} />}
      </form>
    </section>
  );
}

/** Webhooks are few; more than this is shown as a note rather than paged. */
const MAX_WEBHOOKS = 100;

type WebhookRow = WebhooksResult['webhooks']['nodes'][number];

/** Admin only: where budget alerts are posted. A URL may embed a token, so viewers never see them. */
function Webhooks() {
  const id = useId();
  const [result, refetch] = useQuery({ query: WebhooksQuery, variables: { first: MAX_WEBHOOKS } });
  const reload = () => refetch({ requestPolicy: 'network-only' });
  const [created, create] = useMutation(CreateWebhookMutation);
  const [form, setForm] = useState({ name: '', url: '' });
  // The secret of the webhook just created: shown this once, gone on reload.
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const answer = await create({ name: form.name.trim(), url: form.url.trim() });
    const data = answer.data?.createWebhook;
    if (data) {
      setSecret({ name: data.webhook.name, secret: data.secret });
      setForm({ name: '', url: '' });
      reload();
    }
  }

  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Alert webhooks</h2>
      <p className="muted">
        Every alert is posted as JSON to each webhook, signed with its secret in{' '}
        <code>X-CogniTrack-Signature: sha256=…</code> (HMAC-SHA256 of the body).
      </p>
      {secret && <SecretOnce {...secret} onDismiss={() => setSecret(null)} />}
      <QueryView result={result} onRetry={reload} loadingLabel="Loading webhooks…">
        {(data) => (
          <>
            <WebhookTable webhooks={data.webhooks.nodes} onDeleted={reload} />
            {data.webhooks.pageInfo.hasNextPage && <p className="muted">Showing the first {MAX_WEBHOOKS} webhooks.</p>}
          </>
        )}
      </QueryView>
      <form className="form-grid" onSubmit={submit} aria-label="New webhook">
        <div className="field">
          <label htmlFor={`${id}-name`}>Webhook name</label>
          <input id={`${id}-name`} required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
        </div>
        <div className="field field-wide">
          <label htmlFor={`${id}-url`}>URL (http or https)</label>
          <input
            id={`${id}-url`}
            type="url"
            required
            placeholder="https://hooks.example.com/cognitrack"
            value={form.url}
            onChange={(e) => setForm({ ...form, url: e.target.value })}
          />
        </div>
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={created.fetching}>
            {created.fetching ? 'Adding…' : 'Add webhook'}
          </button>
        </div>
        {created.error && <ErrorNotice error={created.error} />}
      </form>
    </section>
  );
}

/** A secret the server shows once: copy it now or make a new webhook. */
function SecretOnce({ name, secret, onDismiss }: { name: string; secret: string; onDismiss: () => void }) {
  const [copied, setCopied] = useState<'no' | 'yes' | 'failed'>('no');
  async function copy() {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied('yes');
    } catch {
      // No clipboard (e.g. plain http): the text is selectable.
      setCopied('failed');
    }
  }
  return (
    <div className="notice secret" role="status" data-testid="webhook-secret">
      <p>
        <strong>Signing secret of “{name}”.</strong> Copy it now: it is shown this once and cannot be read again.
      </p>
      <p className="secret-value">
        <code>{secret}</code>
      </p>
      <div className="actions">
        <button type="button" className="button" onClick={copy}>
          {copied === 'yes' ? 'Copied' : 'Copy secret'}
        </button>
        <button type="button" className="button button-quiet" onClick={onDismiss}>
          I have saved it
        </button>
        {copied === 'failed' && <span className="small">Copying is blocked here; select the secret and copy it.</span>}
      </div>
    </div>
  );
}

function WebhookTable({ webhooks, onDeleted }: { webhooks: WebhookRow[]; onDeleted: () => void }) {
  const [removal, remove] = useMutation(DeleteWebhookMutation);
  const columns = useMemo(() => {
    const col = createColumnHelper<WebhookRow>();
    async function destroy(webhook: WebhookRow) {
      if (!window.confirm(`Delete the webhook “${webhook.name}”? Alerts are no longer posted to it.`)) return;
      const answer = await remove({ id: webhook.id });
      if (!answer.error) onDeleted();
    }
    return [
      col.accessor('name', { header: 'Name' }),
      col.accessor('url', { header: 'URL', cell: ({ getValue }) => <code className="break">{getValue()}</code> }),
      col.accessor('createdAt', { header: 'Added', cell: ({ getValue }) => formatDateTime(getValue()) }),
      col.display({
        id: 'actions',
        header: () => <span className="visually-hidden">Actions</span>,
        cell: ({ row: { original } }) => (
          <button
            type="button"
            className="button"
            onClick={() => destroy(original)}
            aria-label={`Delete webhook ${original.name}`}
          >
            Delete
          </button>
        ),
      }),
    ];
  }, [remove, onDeleted]);
  const table = useDataTable({ data: webhooks, columns });
  return (
    <>
      {webhooks.length === 0 ? (
        <Empty>No webhooks: alerts are recorded but not sent anywhere.</Empty>
      ) : (
        <DataTable table={table} caption="Alert webhooks" />
      )}
      {removal.error && <ErrorNotice error={removal.error} />}
    </>
  );
}
