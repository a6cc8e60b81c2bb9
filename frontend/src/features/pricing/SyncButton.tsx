import { useMutation } from 'urql';
import { ErrorNotice } from '../../components/Status';
import { SyncPricingMutation } from './queries';

export function SyncButton({ onSynced }: { onSynced: () => void }) {
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
