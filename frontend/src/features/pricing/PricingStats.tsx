import { StatCard } from '../../components/StatCard';
import type { PricingQuery } from '../../gql/graphql';
import { formatCount, formatPercent } from '../../lib/format';
import { IN_USE_DAYS } from './inUse';

export function PricingStats({ data }: { data: PricingQuery }) {
  return (
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
  );
}
