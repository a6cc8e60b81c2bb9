import { createColumnHelper } from '@tanstack/react-table';
import { useMemo } from 'react';
import { Link, useParams } from 'react-router';
import { Bar, BarChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useQuery } from 'urql';
import { SessionQuery } from '../api/queries';
import { CursorPager } from '../components/CursorPager';
import { DataTable, useDataTable } from '../components/DataTable';
import { PageHeader } from '../components/Layout';
import { StatCard } from '../components/StatCard';
import { Empty, QueryView } from '../components/Status';
import { useCursorPaging } from '../hooks/useCursorPages';
import { useInventoryNames } from '../hooks/useInventoryNames';
import type { SessionQuery as Result } from '../gql/graphql';
import { formatDateTime } from '../lib/dates';
import { formatCount, formatDuration } from '../lib/format';
import { formatUsd } from '../lib/money';
import { type NameIndex, nameOrId } from '../lib/names';
import { type CostBreakdown, costBreakdown } from '../lib/session';

/** The API's largest page: nearly every session fits on one. */
const PAGE_SIZE = 500;

type Session = Result['session'];
type InteractionRow = Session['interactions']['nodes'][number];

const column = createColumnHelper<InteractionRow>();
const money = (value: string | null) =>
  value === null ? <span className="muted">unpriced</span> : <span title={value}>{formatUsd(value)}</span>;
const count = { cell: ({ getValue }: { getValue: () => number }) => formatCount(getValue()), meta: { numeric: true } };
/** A project or key by its inventory name, the id in the tooltip. */
function Named({ names, dimension, id }: { names: NameIndex; dimension: 'PROJECT' | 'API_KEY'; id: string }) {
  if (id === '') return null;
  const label = nameOrId(names, dimension, id);
  return label === id ? <>{id}</> : <span title={id}>{label}</span>;
}

const interactionColumns = (names: NameIndex) => [
  column.accessor('occurredAt', { header: 'Time', cell: ({ getValue }) => formatDateTime(getValue()) }),
  column.accessor('kind', { header: 'Kind' }),
  column.accessor((i) => (i.model ? `${i.provider} · ${i.model}` : ''), { id: 'model', header: 'Model' }),
  column.accessor((i) => nameOrId(names, 'PROJECT', i.projectId), {
    id: 'project',
    header: 'Project · key',
    cell: ({ row: { original } }) => (
      <>
        <Named names={names} dimension="PROJECT" id={original.projectId} />
        {original.apiKeyId !== '' && (
          <div className="muted small">
            <Named names={names} dimension="API_KEY" id={original.apiKeyId} />
          </div>
        )}
      </>
    ),
  }),
  column.accessor('status', { header: 'Status' }),
  column.accessor('inputTokens', { header: 'Input', ...count }),
  column.accessor('outputTokens', { header: 'Output', ...count }),
  column.accessor('dbOps', { header: 'DB ops', ...count }),
  column.accessor('apiCalls', { header: 'API calls', ...count }),
  column.accessor('computeMs', { header: 'Compute', cell: ({ getValue }) => formatDuration(getValue()), meta: { numeric: true } }),
  column.accessor((i) => Number(i.totalUsd ?? -1), {
    id: 'totalUsd',
    header: 'Cost',
    cell: ({ row: { original } }) => money(original.totalUsd),
    meta: { numeric: true },
  }),
];

export function SessionDetailPage() {
  const { id = '' } = useParams();
  const paging = useCursorPaging();
  const [result, refetch] = useQuery({ query: SessionQuery, variables: { id, first: PAGE_SIZE, after: paging.after } });

  return (
    <>
      <PageHeader title="Session">
        <Link to="/sessions">← All sessions</Link>
      </PageHeader>
      <QueryView result={result} onRetry={() => refetch({ requestPolicy: 'network-only' })} loadingLabel="Loading session…">
        {({ session }) => (
          <>
            <SessionSummary session={session} />
            <Breakdown
              breakdown={costBreakdown(session.interactions.nodes)}
              partial={session.interactions.nodes.length < session.interactionCount}
            />
            <section className="panel" aria-labelledby="interactions-title">
              <h2 id="interactions-title">Interactions</h2>
              <InteractionTable interactions={session.interactions.nodes} />
              <CursorPager
                label="Interaction pages"
                hasPrevious={paging.hasPrevious}
                hasNext={session.interactions.pageInfo.hasNextPage}
                onPrevious={paging.previous}
                onNext={() => paging.next(session.interactions.pageInfo.endCursor)}
              />
            </section>
            {session.metadata != null && (
              <details className="panel">
                <summary>Metadata</summary>
                <pre className="json">{JSON.stringify(session.metadata, null, 2)}</pre>
              </details>
            )}
          </>
        )}
      </QueryView>
    </>
  );
}

function SessionSummary({ session }: { session: Session }) {
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

function Breakdown({ breakdown, partial }: { breakdown: CostBreakdown; partial: boolean }) {
  const data = breakdown.parts.map((p) => ({ label: p.label, usd: p.usd.toNumber() }));
  return (
    <section className="panel" aria-labelledby="breakdown-title">
      <h2 id="breakdown-title">Cost breakdown</h2>
      {partial && <p className="muted">For the interactions on this page.</p>}
      <div className="breakdown">
        <dl className="stats stats-compact" data-testid="breakdown">
          {breakdown.parts.map((p) => (
            <StatCard key={p.key} label={p.label} value={formatUsd(p.usd)} exact={p.usd.toFixed()} testId={`breakdown-${p.key}`} />
          ))}
        </dl>
        <div className="breakdown-chart" aria-hidden="true">
          <ResponsiveContainer width="100%" height="100%">
            <BarChart data={data} layout="vertical" margin={{ left: 8, right: 16 }}>
              <XAxis type="number" tickFormatter={(v: number) => formatUsd(String(v))} tick={{ fontSize: 12 }} />
              <YAxis type="category" dataKey="label" width={110} tick={{ fontSize: 12 }} />
              <Tooltip formatter={(v) => formatUsd(String(v))} />
              <Bar dataKey="usd" name="USD" fill="#2563eb" isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        </div>
      </div>
      <p className="muted small">
        {formatCount(breakdown.tokens)} tokens · {formatCount(breakdown.dbOps)} database ops · {formatCount(breakdown.apiCalls)}{' '}
        API calls · {formatDuration(breakdown.computeMs)} compute
        {breakdown.unpriced > 0 && ` · ${breakdown.unpriced} unpriced interactions not included`}
      </p>
    </section>
  );
}

function InteractionTable({ interactions }: { interactions: InteractionRow[] }) {
  const names = useInventoryNames();
  const columns = useMemo(() => interactionColumns(names), [names]);
  const table = useDataTable({ data: interactions, columns });
  if (interactions.length === 0) return <Empty>This session has no interactions yet.</Empty>;
  return <DataTable table={table} caption="Interactions in the order they happened" />;
}
