import type { ReactNode } from 'react';

interface StatCardProps {
  label: string;
  value: ReactNode;
  /** The exact value (e.g. every decimal of a cost), for tooltips and tests. */
  exact?: string;
  detail?: ReactNode;
  testId?: string;
}

export function StatCard({ label, value, exact, detail, testId }: StatCardProps) {
  return (
    <div className="stat-card" data-testid={testId}>
      <dt>{label}</dt>
      <dd className="stat-value" title={exact} data-value={exact}>
        {value}
      </dd>
      {detail && <dd className="stat-detail">{detail}</dd>}
    </div>
  );
}
