import { Link } from 'react-router';
import { Empty } from '../../components/Status';
import type { OverviewSummaryQuery as Summary, UsageDimension } from '../../gql/graphql';
import { LIST_PARAMS, type ListField } from '../../lib/filters';
import { formatCompact, formatUsd } from '../../lib/format';
import type { NameIndex } from '../../lib/names';
import { type GroupSummary, rankGroups } from '../../lib/usage';

interface TopListProps {
  title: string;
  field: ListField;
  dimension: UsageDimension;
  rows: Summary['byModel'];
  range: { from: string; to: string };
  names: NameIndex;
}

/** The largest groups, each a link into the explorer filtered to it. */
export function TopList({ title, field, dimension, rows, range, names }: TopListProps) {
  const top = rankGroups(rows, dimension, 5, names);
  const largest = top[0]?.pricedCostUsd;
  const link = (group: GroupSummary) =>
    `/explorer?${new URLSearchParams({ ...range, [LIST_PARAMS[field]]: group.value, group: 'model' })}`;
  return (
    <section className="panel" aria-label={title}>
      <h2>{title}</h2>
      {top.length === 0 ? (
        <Empty>No usage in this range.</Empty>
      ) : (
        <ol className="rank-list">
          {top.map((group) => (
            <li key={group.value}>
              <div className="rank-row">
                {group.value === '' ? (
                  <span className="muted">{group.label}</span>
                ) : (
                  <Link
                    to={link(group)}
                    className="rank-label"
                    title={group.label === group.value ? undefined : group.value}
                    data-id={group.value}
                  >
                    {group.label}
                  </Link>
                )}
                <span className="numeric">{formatUsd(group.pricedCostUsd)}</span>
              </div>
              <div className="rank-bar" aria-hidden="true">
                <span
                  style={{
                    width: `${largest && !largest.isZero() ? group.pricedCostUsd.dividedBy(largest).times(100).toNumber() : 0}%`,
                  }}
                />
              </div>
              <div className="muted small">{formatCompact(group.tokens)} tokens</div>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
