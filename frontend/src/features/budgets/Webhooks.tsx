import { useId, useState } from 'react';
import { useQuery } from 'urql';
import { QueryView } from '../../components/Status';
import { WebhooksQuery } from './queries';
import { SecretOnce } from './SecretOnce';
import { WebhookForm } from './WebhookForm';
import { WebhookTable } from './WebhookTable';

/** Webhooks are few; more than this is shown as a note rather than paged. */
const MAX_WEBHOOKS = 100;

/** Admin only: where budget alerts are posted. A URL may embed a token, so viewers never see them. */
export function Webhooks() {
  const id = useId();
  const [result, refetch] = useQuery({ query: WebhooksQuery, variables: { first: MAX_WEBHOOKS } });
  const reload = () => refetch({ requestPolicy: 'network-only' });
  // The secret of the webhook just created: shown this once, gone on reload.
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null);

  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Alert webhooks</h2>
      <p className="muted">
        Every alert is posted as JSON to each webhook, signed with its secret in{' '}
        <code>X-CogniTrack-Signature: sha256=…</code> (HMAC-SHA256 of the body).
      </p>
      {secret && <SecretOnce {...secret} onDismiss={() => setSecret(null)} />}
      <QueryView result={result} onRetry={reload} loadingLabel="Loading webhooks…">
        {(data) => (
          <>
            <WebhookTable webhooks={data.webhooks.nodes} onDeleted={reload} />
            {data.webhooks.pageInfo.hasNextPage && <p className="muted">Showing the first {MAX_WEBHOOKS} webhooks.</p>}
          </>
        )}
      </QueryView>
      <WebhookForm
        onCreated={(created) => {
          setSecret(created);
          reload();
        }}
      />
    </section>
  );
}
