import { StatCard } from '../../components/StatCard';
import { formatCount, formatDateTime, formatDuration, formatUsd } from '../../lib/format';
import type { Session } from './session';

export function SessionSummary({ session }: { session: Session }) {
  return (
    <dl className="stats">
      <StatCard label="User" value={session.userId} detail={session.externalId ?? undefined} testId="session-user" />
      <StatCard
        label="Started"
        value={formatDateTime(session.startedAt)}
        detail={
          session.endedAt
            ? `lasted ${formatDuration(Date.parse(session.endedAt) - Date.parse(session.startedAt))}`
            : 'still open'
        }
      />
      <StatCard
        label="Interactions"
        value={formatCount(session.interactionCount)}
        exact={String(session.interactionCount)}
        testId="session-interactions"
      />
      <StatCard
        label="Total cost"
        value={formatUsd(session.totalCostUsd)}
        exact={session.totalCostUsd}
        testId="session-cost"
      />
    </dl>
  );
}
