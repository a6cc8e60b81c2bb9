import { createColumnHelper } from '@tanstack/react-table';
import { type FormEvent, useCallback, useId, useMemo, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { PricingQuery, SetPriceOverrideMutation, SyncPricingMutation } from '../api/queries';
import { useIdentity } from '../auth/AuthContext';
import { DataTable, useDataTable } from '../components/DataTable';
import { PageHeader } from '../components/Layout';
import { StatCard } from '../components/StatCard';
import { Empty, ErrorNotice, Loading, QueryView } from '../components/Status';
import type { ModelPriceFieldsFragment, PriceOverrideInput, PricingQuery as Result } from '../gql/graphql';
import { type ModelKey, priceKey, useModelPrices } from '../hooks/useModelPrices';
import { lastDays, todayUtc } from '../lib/dates';
import { formatCount, formatPercent } from '../lib/format';
import { formatPrice, formatUsd, sumMoney } from '../lib/money';
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
          </>
        )}
      </QueryView>
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
