import { useCallback, useMemo, useState } from 'react';
import { InputField } from '../../components/FormField';
import { ErrorNotice, Loading } from '../../components/Status';
import type { ModelPriceFieldsFragment } from '../../gql/graphql';
import { todayUtc } from '../../lib/dates';
import { sumMoney } from '../../lib/money';
import { usageTotals } from '../../lib/usage';
import { IN_USE_DAYS, type UsageRows } from './inUse';
import { PriceTable } from './PriceTable';
import { type ModelKey, priceKey, useModelPrices } from './useModelPrices';

export function ModelsInUse({ rows, revision }: { rows: UsageRows; revision: number }) {
  const [date, setDate] = useState(todayUtc());
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
        <InputField
          label="Prices on"
          className="field-inline"
          type="date"
          value={date}
          required
          onChange={(e) => e.target.value && setDate(e.target.value)}
        />
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
