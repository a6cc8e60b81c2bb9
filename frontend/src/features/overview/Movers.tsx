import { Empty } from '../../components/Status';
import type { UsageDimension } from '../../gql/graphql';
import { formatSignedPercent, formatSignedUsd, formatUsd } from '../../lib/format';
import { percentChange } from '../../lib/money';
import type { NameIndex } from '../../lib/names';
import type { UsageRow } from '../../lib/usage';
import { biggestMovers } from './movers';

interface MoversProps {
  title: string;
  dimension: UsageDimension;
  current: readonly UsageRow[];
  previous: readonly UsageRow[];
  names: NameIndex;
}

/** The five values whose spend moved most (absolute change) against the previous equal period. */
export function Movers({ title, dimension, current, previous, names }: MoversProps) {
  const movers = biggestMovers(current, previous, dimension, 5, names);
  return (
    <section className="panel" aria-label={title}>
      <h2>{title}</h2>
      {movers.length === 0 ? (
        <Empty>No change against the previous period.</Empty>
      ) : (
        <ol className="rank-list" data-testid={`movers-${dimension.toLowerCase()}`}>
          {movers.map((m) => {
            const percent = percentChange(m.currentUsd, m.previousUsd);
            return (
              <li key={m.value} data-id={m.value}>
                <div className="rank-row">
                  <span className="rank-label" title={m.label === m.value ? undefined : m.value}>
                    {m.label}
                  </span>
                  <span className={`numeric change change-${m.changeUsd.isNegative() ? 'down' : 'up'}`} title={m.changeUsd.toFixed()}>
                    {formatSignedUsd(m.changeUsd)}
                  </span>
                </div>
                <div className="muted small">
                  {formatUsd(m.previousUsd)} → {formatUsd(m.currentUsd)}
                  {percent !== null && ` (${formatSignedPercent(percent)})`}
                </div>
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
