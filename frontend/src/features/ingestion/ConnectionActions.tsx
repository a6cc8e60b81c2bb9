import { useState } from 'react';
import { useMutation } from 'urql';
import { ConfirmDestructive } from '../../components/ConfirmDestructive';
import { ErrorNotice } from '../../components/Status';
import type { ConnectionFieldsFragment } from '../../gql/graphql';
import { formatCount, formatDuration } from '../../lib/format';
import { issueLabel } from './labels';
import { RefreshInventoryMutation, RemoveConnectionMutation, TestConnectionMutation } from './queries';

/** Admin only: check a connection's key, refresh its inventory (names), or remove it. */
export function ConnectionActions({ connection: c, onRemoved }: { connection: ConnectionFieldsFragment; onRemoved: () => void }) {
  const [test, runTest] = useMutation(TestConnectionMutation);
  const [refresh, runRefresh] = useMutation(RefreshInventoryMutation);
  const [removal, runRemove] = useMutation(RemoveConnectionMutation);
  // The outcome of the last action, so an older one is not shown beside it.
  const [last, setLast] = useState<'test' | 'refresh' | 'remove' | null>(null);

  async function remove() {
    setLast('remove');
    const answer = await runRemove({ name: c.name });
    if (!answer.error) onRemoved();
  }

  const check = test.data?.testProviderConnection;
  const report = refresh.data?.refreshInventory;
  return (
    <div className="row-actions">
      <div className="actions">
        <button
          type="button"
          className="button"
          disabled={test.fetching}
          aria-label={`Test connection ${c.name}`}
          onClick={() => {
            setLast('test');
            runTest({ name: c.name });
          }}
        >
          {test.fetching ? 'Testing…' : 'Test'}
        </button>
        <button
          type="button"
          className="button"
          disabled={refresh.fetching}
          aria-label={`Refresh inventory of ${c.name}`}
          onClick={() => {
            setLast('refresh');
            // Pages showing names read the inventory again.
            runRefresh({ connection: c.name }, { additionalTypenames: ['InventoryItem'] });
          }}
        >
          {refresh.fetching ? 'Refreshing…' : 'Refresh inventory'}
        </button>
        <ConfirmDestructive
          label="Remove"
          accessibleName={`Remove connection ${c.name}`}
          title={`Remove the connection “${c.name}”?`}
          disabled={removal.fetching}
          onConfirm={() => void remove()}
        >
          <p>Its key is deleted and it is no longer ingested. The usage it already ingested stays.</p>
        </ConfirmDestructive>
      </div>
      <div role="status" className="small" aria-live="polite">
        {last === 'test' && check && !test.fetching && (
          <span className={check.ok ? 'ok' : 'warning'}>
            {check.ok ? 'OK' : `Failed (${check.code ? issueLabel(check.code) : 'error'})`}: {check.message} · {formatDuration(check.latencyMs)}
          </span>
        )}
        {last === 'refresh' && report && !refresh.fetching && (
          <span>
            {formatCount(report.items)} items ({report.byKind.map((k) => `${k.count} ${k.kind.replace('_', ' ')}`).join(', ')}):{' '}
            {report.inserted} new, {report.updated} changed, {report.deleted} gone.
          </span>
        )}
      </div>
      {last === 'test' && test.error && <ErrorNotice error={test.error} />}
      {last === 'refresh' && refresh.error && <ErrorNotice error={refresh.error} />}
      {last === 'remove' && removal.error && <ErrorNotice error={removal.error} />}
    </div>
  );
}
