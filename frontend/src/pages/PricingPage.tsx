import { createColumnHelper } from '@tanstack/react-table';
import { type FormEvent, useCallback, useId, useMemo, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import {
  PricingQuery,
  RepriceUsageMutation,
  SetPriceOverrideMutation,
  SetUnitRatesMutation,
  SyncPricingMutation,
  UnitRatesQuery,
} from '../api/queries';
import { useIdentity } from '../auth/AuthContext';
import { DataTable, useDataTable } from '../components/DataTable';
import { PageHeader } from '../components/Layout';
import { StatCard } from '../components/StatCard';
import { Empty, ErrorNotice, Loading, QueryView } from '../components/Status';
import type { ModelPriceFieldsFragment, PriceOverrideInput, PricingQuery as Result, UnitRateFieldsFragment } from '../gql/graphql';
import { type ModelKey, priceKey, useModelPrices } from '../hooks/useModelPrices';
import { formatDateTime, lastDays, todayUtc } from '../lib/dates';
import { formatCount, formatPercent } from '../lib/format';
import { formatPrice, formatSignedUsd, formatUsd, sumMoney } from '../lib/money';
import { type RepriceDiffRow, repriceDiffRows, type RepriceResult, repriceSummary, unitRateUsd } from '../lib/reprice';
import { usageTotals } from '../lib/usage';

/** The models priced here are those with usage in this many recent days. */
const IN_USE_DAYS = 30;

export function PricingPage() {
  const { role } = useIdentity();
  const range = lastDays(IN_USE_DAYS);
  const [result, refetch] = useQuery({ query: PricingQuery, variables: { inUse: range, ...range } });
  // Bumped after a sync or an override so every price is asked for again.
  const [revision, setRevision] = useState(0);
  const changed = () => {
    setRevision((r) => r + 1);
    refetch({ requestPolicy: 'network-only' });
  };

  return (
    <>
      <PageHeader title="Pricing">{role === 'admin' && <SyncButton onSynced={changed} />}</PageHeader>
      <QueryView result={result} onRetry={() => refetch({ requestPolicy: 'network-only' })} loadingLabel="Loading prices…">
        {(data) => (
          <>
            <dl className="stats">
              <StatCard label="Price version" value={`#${data.systemStats.priceVersionId}`} testId="price-version" />
              <StatCard
                label="Tokens priced"
                value={formatPercent(data.systemStats.pricedTokenPercent)}
                detail={<span className="muted">last {IN_USE_DAYS} days</span>}
              />
              <StatCard label="Overrides" value={formatCount(data.overrides.length)} />
              <StatCard label="Unpriced models" value={formatCount(data.unpricedModels.length)} />
            </dl>
            <ModelsInUse rows={data.modelsInUse} revision={revision} />
            <section className="panel" aria-labelledby="overrides-title">
              <h2 id="overrides-title">Negotiated overrides</h2>
              <PriceTable prices={data.overrides} caption="Price overrides" empty="No overrides: every price comes from the price book." />
            </section>
            <section className="panel" aria-labelledby="unpriced-title">
              <h2 id="unpriced-title">Unpriced models</h2>
              {data.unpricedModels.length === 0 ? (
                <Empty>Every model seen in provider usage has a price.</Empty>
              ) : (
                <>
                  <p className="muted">Their cost shows as unknown, never as $0, until they get a price.</p>
                  <ul className="tag-list">
                    {data.unpricedModels.map((m) => (
                      <li key={`${m.provider}/${m.model}`} className="tag">
                        {m.provider} · {m.model}
                      </li>
                    ))}
                  </ul>
                </>
              )}
            </section>
            {role === 'admin' && <OverrideForm models={data.modelsInUse} onSaved={changed} />}
            {role === 'admin' && <RepricePanel onApplied={changed} />}
          </>
        )}
      </QueryView>
      <UnitRates admin={role === 'admin'} />
    </>
  );
}

function SyncButton({ onSynced }: { onSynced: () => void }) {
  const [sync, run] = useMutation(SyncPricingMutation);
  async function click() {
    const result = await run({});
    if (!result.error) onSynced();
  }
  return (
    <div className="sync">
      <button type="button" className="button button-primary" onClick={click} disabled={sync.fetching}>
        {sync.fetching ? 'Syncing…' : 'Sync prices now'}
      </button>
      <span role="status" className="small">
        {sync.data &&
          (sync.data.syncPricing.created
            ? `New price version #${sync.data.syncPricing.priceVersionId}.`
            : `Unchanged: still version #${sync.data.syncPricing.priceVersionId}.`)}
      </span>
      {sync.error && <ErrorNotice error={sync.error} />}
    </div>
  );
}

type UsageRows = Result['modelsInUse'];

function ModelsInUse({ rows, revision }: { rows: UsageRows; revision: number }) {
  const [date, setDate] = useState(todayUtc());
  const dateId = useId();
  const models = useMemo(() => {
    const seen = new Map<string, ModelKey>();
    for (const row of rows) {
      const key = { provider: row.group.provider ?? '', model: row.group.model ?? '' };
      if (key.model !== '' && usageTotals([row]).tokens > 0) seen.set(priceKey(key), key);
    }
    return [...seen.values()].sort((a, b) => priceKey(a).localeCompare(priceKey(b)));
  }, [rows]);
  const { prices, fetching, error } = useModelPrices(models, date, revision);
  const spend = useCallback(
    (key: ModelKey) =>
      sumMoney(rows.filter((r) => r.group.provider === key.provider && r.group.model === key.model).map((r) => r.pricedCostUsd)),
    [rows],
  );
  const priced: ModelPriceFieldsFragment[] = models.flatMap((m) => prices.get(priceKey(m)) ?? []);
  const missing = models.filter((m) => !prices.get(priceKey(m)));

  return (
    <section className="panel" aria-labelledby="in-use-title">
      <div className="panel-header">
        <h2 id="in-use-title">Prices of models in use</h2>
        <div className="field field-inline">
          <label htmlFor={dateId}>Prices on</label>
          <input id={dateId} type="date" value={date} required onChange={(e) => e.target.value && setDate(e.target.value)} />
        </div>
      </div>
      <p className="muted">
        Per million tokens, for the {models.length} models with usage in the last {IN_USE_DAYS} days; an override wins
        over the price book.
      </p>
      {error && <ErrorNotice error={error} />}
      {fetching && prices.size === 0 ? (
        <Loading label="Loading model prices…" />
      ) : (
        <PriceTable prices={priced} caption="Prices of models in use" empty="No models with usage in this period." spend={spend} />
      )}
      {missing.length > 0 && !fetching && (
        <p className="warning">No price on {date} for: {missing.map(priceKey).join(', ')}.</p>
      )}
    </section>
  );
}

const column = createColumnHelper<ModelPriceFieldsFragment>();
const price = (value: string | null | undefined) => (value == null ? <span className="muted">—</span> : formatPrice(value));

function PriceTable({
  prices,
  caption,
  empty,
  spend,
}: {
  prices: ModelPriceFieldsFragment[];
  caption: string;
  empty: string;
  spend?: (key: ModelKey) => ReturnType<typeof sumMoney>;
}) {
  const columns = useMemo(
    () => [
      column.accessor('provider', { header: 'Provider' }),
      column.accessor('model', { header: 'Model' }),
      column.accessor('source', {
        header: 'Source',
        cell: ({ getValue }) => <span className={`tag tag-${getValue()}`}>{getValue()}</span>,
      }),
      column.accessor((p) => p.effectiveFrom ?? '', { id: 'effectiveFrom', header: 'From' }),
      column.accessor((p) => Number(p.inputMtok), { id: 'input', header: 'Input', cell: (c) => price(c.row.original.inputMtok), meta: { numeric: true } }),
      column.accessor((p) => Number(p.cachedInputMtok ?? -1), {
        id: 'cached',
        header: 'Cached input',
        cell: (c) => price(c.row.original.cachedInputMtok),
        meta: { numeric: true },
      }),
      column.accessor((p) => Number(p.cacheWriteMtok ?? -1), {
        id: 'cacheWrite',
        header: 'Cache write',
        cell: (c) => price(c.row.original.cacheWriteMtok),
        meta: { numeric: true },
      }),
      column.accessor((p) => Number(p.outputMtok), { id: 'output', header: 'Output', cell: (c) => price(c.row.original.outputMtok), meta: { numeric: true } }),
      ...(spend
        ? [
            column.accessor((p) => spend(p).toNumber(), {
              id: 'spend',
              header: `Spend, ${IN_USE_DAYS} days`,
              cell: (c) => formatUsd(spend(c.row.original)),
              meta: { numeric: true },
            }),
          ]
        : []),
    ],
    [spend],
  );
  const table = useDataTable({ data: prices, columns });
  if (prices.length === 0) return <Empty>{empty}</Empty>;
  return <DataTable table={table} caption={caption} />;
}

const DECIMAL = /^\d+(\.\d+)?$/;
const PRICE_FIELDS = [
  { name: 'inputMtok', label: 'Input' },
  { name: 'cachedInputMtok', label: 'Cached input' },
  { name: 'cacheWriteMtok', label: 'Cache write' },
  { name: 'outputMtok', label: 'Output' },
] as const;

/** Admin only: a negotiated price from a day on. */
function OverrideForm({ models, onSaved }: { models: UsageRows; onSaved: () => void }) {
  const id = useId();
  const [saving, save] = useMutation(SetPriceOverrideMutation);
  const [input, setInput] = useState<PriceOverrideInput>({
    provider: '',
    model: '',
    effectiveFrom: todayUtc(),
    inputMtok: '',
    cachedInputMtok: '',
    cacheWriteMtok: '',
    outputMtok: '',
  });
  const [invalid, setInvalid] = useState<string | null>(null);
  const providers = [...new Set(models.map((m) => m.group.provider ?? '').filter(Boolean))].sort();
  const modelNames = [...new Set(models.filter((m) => m.group.provider === input.provider).map((m) => m.group.model ?? ''))].sort();

  async function submit(event: FormEvent) {
    event.preventDefault();
    const bad = PRICE_FIELDS.find((f) => !DECIMAL.test(input[f.name].trim()));
    if (bad) {
      setInvalid(`${bad.label} must be a decimal number of USD per million tokens, e.g. 2.50.`);
      return;
    }
    setInvalid(null);
    const result = await save({ input });
    if (!result.error) onSaved();
  }

  const set = (patch: Partial<PriceOverrideInput>) => setInput({ ...input, ...patch });
  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Set a price override</h2>
      <p className="muted">Applies to usage from the day on; usage already stored keeps its cost.</p>
      <form className="form-grid" onSubmit={submit}>
        <div className="field">
          <label htmlFor={`${id}-provider`}>Provider</label>
          <input
            id={`${id}-provider`}
            list={`${id}-providers`}
            required
            value={input.provider}
            onChange={(e) => set({ provider: e.target.value.trim().toLowerCase() })}
          />
          <datalist id={`${id}-providers`}>
            {providers.map((p) => (
              <option key={p} value={p} />
            ))}
          </datalist>
        </div>
        <div className="field">
          <label htmlFor={`${id}-model`}>Model</label>
          <input id={`${id}-model`} list={`${id}-models`} required value={input.model} onChange={(e) => set({ model: e.target.value.trim() })} />
          <datalist id={`${id}-models`}>
            {modelNames.map((m) => (
              <option key={m} value={m} />
            ))}
          </datalist>
        </div>
        <div className="field">
          <label htmlFor={`${id}-from`}>Effective from (UTC)</label>
          <input id={`${id}-from`} type="date" required value={input.effectiveFrom} onChange={(e) => set({ effectiveFrom: e.target.value })} />
        </div>
        {PRICE_FIELDS.map((f) => (
          <div className="field" key={f.name}>
            <label htmlFor={`${id}-${f.name}`}>{f.label} (USD / M tokens)</label>
            <input
              id={`${id}-${f.name}`}
              inputMode="decimal"
              required
              value={input[f.name]}
              onChange={(e) => set({ [f.name]: e.target.value })}
            />
          </div>
        ))}
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={saving.fetching}>
            {saving.fetching ? 'Saving…' : 'Save override'}
          </button>
          <span role="status" className="small">
            {saving.data && !saving.error && `Saved: ${saving.data.setPriceOverride.model} from ${saving.data.setPriceOverride.effectiveFrom}.`}
          </span>
        </div>
        {invalid && (
          <p className="field-error" role="alert">
            {invalid}
          </p>
        )}
        {saving.error && <ErrorNotice error={saving.error} />}
      </form>
    </section>
  );
}

const rateColumn = createColumnHelper<UnitRateFieldsFragment>();
const rateColumns = [
  rateColumn.accessor((r) => r.effectiveFrom ?? '', {
    id: 'effectiveFrom',
    header: 'From',
    cell: ({ getValue }) => getValue() || <span className="muted">the start (configured)</span>,
  }),
  rateColumn.accessor('source', { header: 'Source', cell: ({ getValue }) => <span className={`tag tag-${getValue() === 'admin' ? 'override' : 'book'}`}>{getValue()}</span> }),
  rateColumn.accessor('dbOpNanos', {
    header: 'Database op',
    cell: ({ row: { original } }) => (
      <span title={`${original.dbOpNanos} nano-USD per operation`}>{formatPrice(unitRateUsd(original).dbOpsPerMillion)} / M ops</span>
    ),
    meta: { numeric: true },
  }),
  rateColumn.accessor('apiCallMicros', {
    header: 'External API call',
    cell: ({ row: { original } }) => (
      <span title={`${original.apiCallMicros} micro-USD per call`}>{formatPrice(unitRateUsd(original).apiCallsPerThousand)} / 1K calls</span>
    ),
    meta: { numeric: true },
  }),
  rateColumn.accessor('computeSecondMicros', {
    header: 'Compute',
    cell: ({ row: { original } }) => (
      <span title={`${original.computeSecondMicros} micro-USD per second`}>{formatPrice(unitRateUsd(original).computePerHour)} / hour</span>
    ),
    meta: { numeric: true },
  }),
  rateColumn.accessor((r) => r.createdBy ?? '', {
    id: 'createdBy',
    header: 'Set by',
    cell: ({ row: { original } }) =>
      original.createdAt ? (
        <>
          {original.createdBy ?? '—'} <span className="muted small">{formatDateTime(original.createdAt)}</span>
        </>
      ) : (
        <span className="muted">COGNITRACK_RATE_*</span>
      ),
  }),
];

/** Rates of the non-token costs of an interaction (database, API calls, compute); admin sets new ones. */
function UnitRates({ admin }: { admin: boolean }) {
  const [result, refetch] = useQuery({ query: UnitRatesQuery });
  const rates = result.data?.unitRates;
  const table = useDataTable({ data: useMemo(() => rates ?? [], [rates]), columns: rateColumns });
  return (
    <section className="panel" aria-labelledby="unit-rates-title">
      <h2 id="unit-rates-title">Unit rates</h2>
      <p className="muted">
        What an interaction's database operations, external API calls and compute time cost. Each version applies from
        its day on; interactions already stored keep their cost.
      </p>
      <QueryView result={result} onRetry={() => refetch({ requestPolicy: 'network-only' })} loadingLabel="Loading unit rates…">
        {(data) =>
          data.unitRates.length === 0 ? <Empty>No unit rates.</Empty> : <DataTable table={table} caption="Unit rate versions, newest first" />
        }
      </QueryView>
      {admin && result.data && (
        <UnitRatesForm current={result.data.unitRates[0]} onSaved={() => refetch({ requestPolicy: 'network-only' })} />
      )}
    </section>
  );
}

const INTEGER = /^\d+$/;
const RATE_FIELDS = [
  { name: 'dbOpNanos', label: 'Database op (nano-USD each)' },
  { name: 'apiCallMicros', label: 'API call (micro-USD each)' },
  { name: 'computeSecondMicros', label: 'Compute (micro-USD per second)' },
] as const;

function UnitRatesForm({ current, onSaved }: { current: UnitRateFieldsFragment | undefined; onSaved: () => void }) {
  const id = useId();
  const [saving, save] = useMutation(SetUnitRatesMutation);
  const [form, setForm] = useState({
    effectiveFrom: todayUtc(),
    dbOpNanos: String(current?.dbOpNanos ?? ''),
    apiCallMicros: String(current?.apiCallMicros ?? ''),
    computeSecondMicros: String(current?.computeSecondMicros ?? ''),
  });
  const [invalid, setInvalid] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const bad = RATE_FIELDS.find((f) => !INTEGER.test(form[f.name].trim()));
    if (bad) {
      setInvalid(`${bad.label} must be a whole number.`);
      return;
    }
    setInvalid(null);
    const result = await save({
      input: {
        effectiveFrom: form.effectiveFrom,
        dbOpNanos: Number(form.dbOpNanos),
        apiCallMicros: Number(form.apiCallMicros),
        computeSecondMicros: Number(form.computeSecondMicros),
      },
    });
    if (!result.error) onSaved();
  }

  const saved = saving.data?.setUnitRates;
  return (
    <form className="form-grid form-after-table" onSubmit={submit} aria-label="Set unit rates">
      <h3 className="form-title">New rates</h3>
      <div className="field">
        <label htmlFor={`${id}-from`}>Effective from (UTC)</label>
        <input
          id={`${id}-from`}
          type="date"
          required
          value={form.effectiveFrom}
          onChange={(e) => setForm({ ...form, effectiveFrom: e.target.value })}
        />
      </div>
      {RATE_FIELDS.map((f) => (
        <div className="field" key={f.name}>
          <label htmlFor={`${id}-${f.name}`}>{f.label}</label>
          <input
            id={`${id}-${f.name}`}
            inputMode="numeric"
            required
            value={form[f.name]}
            onChange={(e) => setForm({ ...form, [f.name]: e.target.value })}
          />
        </div>
      ))}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={saving.fetching}>
          {saving.fetching ? 'Saving…' : 'Set unit rates'}
        </button>
        <span role="status" className="small">
          {saved && !saving.error && `Saved: new rates from ${saved.effectiveFrom}.`}
        </span>
      </div>
      {invalid && (
        <p className="field-error" role="alert">
          {invalid}
        </p>
      )}
      {saving.error && <ErrorNotice error={saving.error} />}
    </form>
  );
}

const diffColumn = createColumnHelper<RepriceDiffRow>();
const diffColumns = [
  diffColumn.accessor('date', { header: 'Day' }),
  diffColumn.accessor('provider', { header: 'Provider' }),
  diffColumn.accessor('bucketsChanged', { header: 'Buckets changed', meta: { numeric: true } }),
  diffColumn.accessor((r) => Number(r.oldCostUsd), {
    id: 'old',
    header: 'Old cost',
    cell: ({ row: { original } }) => <span title={original.oldCostUsd}>{original.old}</span>,
    meta: { numeric: true },
  }),
  diffColumn.accessor((r) => Number(r.newCostUsd), {
    id: 'new',
    header: 'New cost',
    cell: ({ row: { original } }) => <span title={original.newCostUsd}>{original.new}</span>,
    meta: { numeric: true },
  }),
  diffColumn.accessor((r) => Number(r.deltaUsd), {
    id: 'delta',
    header: 'Delta',
    cell: ({ row: { original } }) => (
      <span title={original.deltaUsd} data-value={original.deltaUsd}>
        {original.delta}
      </span>
    ),
    meta: { numeric: true },
  }),
  diffColumn.accessor('pricing', { header: 'Pricing', cell: ({ getValue }) => getValue() || <span className="muted">—</span> }),
];

/**
 * Admin only: price stored usage again with the book as it stands now (after
 * an override or a sync). A dry run shows the per-day difference; only the
 * explicit Apply writes it, for exactly the days previewed.
 */
function RepricePanel({ onApplied }: { onApplied: () => void }) {
  const id = useId();
  const [range, setRange] = useState(() => lastDays(IN_USE_DAYS));
  const [state, run] = useMutation(RepriceUsageMutation);
  const [preview, setPreview] = useState<{ range: { from: string; to: string }; result: RepriceResult } | null>(null);
  const [applied, setApplied] = useState<RepriceResult | null>(null);
  const rows = useMemo(() => repriceDiffRows(preview?.result.days ?? []), [preview]);
  const table = useDataTable({ data: rows, columns: diffColumns, pageSize: 50 });

  function changeRange(patch: Partial<typeof range>) {
    setRange({ ...range, ...patch });
    // A preview of another range must not be applied to this one.
    setPreview(null);
  }

  async function dryRun(event: FormEvent) {
    event.preventDefault();
    setApplied(null);
    const answer = await run({ ...range, dryRun: true });
    setPreview(answer.data ? { range, result: answer.data.repriceUsage } : null);
  }

  async function apply() {
    if (!preview) return;
    const answer = await run({ ...preview.range, dryRun: false });
    if (answer.data) {
      setApplied(answer.data.repriceUsage);
      setPreview(null);
      onApplied();
    }
  }

  const result = preview?.result;
  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Reprice stored usage</h2>
      <p className="muted">
        Stored usage keeps the price it was ingested with. After an override or a price sync, price a range of days
        again with the price in effect on each day: preview the difference first, then apply it.
      </p>
      <form className="form-grid" onSubmit={dryRun} aria-label="Reprice stored usage">
        <div className="field">
          <label htmlFor={`${id}-from`}>From (UTC)</label>
          <input id={`${id}-from`} type="date" required max={range.to} value={range.from} onChange={(e) => changeRange({ from: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-to`}>To (UTC)</label>
          <input id={`${id}-to`} type="date" required min={range.from} value={range.to} onChange={(e) => changeRange({ to: e.target.value })} />
        </div>
        <div className="form-actions">
          <button type="submit" className="button" disabled={state.fetching}>
            {state.fetching && !preview ? 'Computing…' : 'Preview (dry run)'}
          </button>
        </div>
      </form>
      <div role="status" aria-live="polite" data-testid="reprice-status">
        {result && (
          <p>
            <strong>Dry run, {preview.range.from} → {preview.range.to}:</strong> {repriceSummary(result)}
          </p>
        )}
        {applied && (
          <p className="ok">
            <strong>Applied:</strong> {repriceSummary(applied)}
          </p>
        )}
      </div>
      {state.error && <ErrorNotice error={state.error} />}
      {result && result.days.length > 0 && (
        <>
          <DataTable table={table} caption="Reprice difference per day and provider" />
          <dl className="stats stats-compact" aria-label="Reprice totals">
            <StatCard testId="reprice-old" label="Old cost" value={formatUsd(result.oldCostUsd)} exact={result.oldCostUsd} />
            <StatCard testId="reprice-new" label="New cost" value={formatUsd(result.newCostUsd)} exact={result.newCostUsd} />
            <StatCard testId="reprice-delta" label="Delta" value={formatSignedUsd(result.deltaUsd)} exact={result.deltaUsd} />
          </dl>
          <div className="form-actions">
            <button type="button" className="button button-primary" onClick={apply} disabled={state.fetching}>
              {state.fetching ? 'Applying…' : `Apply to ${preview.range.from} → ${preview.range.to}`}
            </button>
            <span className="small muted">Writes the new costs of these {rows.length} day × provider rows.</span>
          </div>
        </>
      )}
    </section>
  );
}
