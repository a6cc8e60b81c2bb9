import { useState } from 'react';
import { useQuery } from 'urql';
import { useIdentity } from '../../auth/AuthContext';
import { PageHeader } from '../../components/Layout';
import { QueryView } from '../../components/Status';
import { lastDays } from '../../lib/dates';
import { IN_USE_DAYS } from './inUse';
import { ModelsInUse } from './ModelsInUse';
import { OverrideForm } from './OverrideForm';
import { PriceTable } from './PriceTable';
import { PricingStats } from './PricingStats';
import { PricingQuery } from './queries';
import { RepricePanel } from './RepricePanel';
import { SyncButton } from './SyncButton';
import { UnitRates } from './UnitRates';
import { UnpricedModels } from './UnpricedModels';

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
            <PricingStats data={data} />
            <ModelsInUse rows={data.modelsInUse} revision={revision} />
            <section className="panel" aria-labelledby="overrides-title">
              <h2 id="overrides-title">Negotiated overrides</h2>
              <PriceTable prices={data.overrides} caption="Price overrides" empty="No overrides: every price comes from the price book." />
            </section>
            <UnpricedModels models={data.unpricedModels} />
            {role === 'admin' && <OverrideForm models={data.modelsInUse} onSaved={changed} />}
            {role === 'admin' && <RepricePanel onApplied={changed} />}
          </>
        )}
      </QueryView>
      <UnitRates admin={role === 'admin'} />
    </>
  );
}
