import { createColumnHelper } from '@tanstack/react-table';
import { useMemo } from 'react';
import { useMutation } from 'urql';
import { DataTable, useDataTable } from '../../components/DataTable';
import { ConfirmDestructive } from '../../components/ConfirmDestructive';
import { Empty, ErrorNotice } from '../../components/Status';
import type { WebhooksQuery as WebhooksResult } from '../../gql/graphql';
import { DeleteWebhookMutation } from './queries';
import { formatDateTime } from '../../lib/format';

type WebhookRow = WebhooksResult['webhooks']['nodes'][number];

export function WebhookTable({ webhooks, onDeleted }: { webhooks: WebhookRow[]; onDeleted: () => void }) {
  const [removal, remove] = useMutation(DeleteWebhookMutation);
  const columns = useMemo(() => {
    const col = createColumnHelper<WebhookRow>();
    async function destroy(webhook: WebhookRow) {
      const answer = await remove({ id: webhook.id });
      if (!answer.error) onDeleted();
    }
    return [
      col.accessor('name', { header: 'Name' }),
      col.accessor('url', { header: 'URL', cell: ({ getValue }) => <code className="break">{getValue()}</code> }),
      col.accessor('createdAt', { header: 'Added', cell: ({ getValue }) => formatDateTime(getValue()) }),
      col.display({
        id: 'actions',
        header: () => <span className="visually-hidden">Actions</span>,
        cell: ({ row: { original } }) => (
          <ConfirmDestructive
            label="Delete"
            accessibleName={`Delete webhook ${original.name}`}
            title={`Delete the webhook “${original.name}”?`}
            onConfirm={() => void destroy(original)}
          >
            <p>
              Alerts are no longer posted to <code className="break">{original.url}</code>. Alerts already raised stay in the
              history.
            </p>
          </ConfirmDestructive>
        ),
      }),
    ];
  }, [remove, onDeleted]);
  const table = useDataTable({ data: webhooks, columns });
  return (
    <>
      {webhooks.length === 0 ? (
        <Empty>No webhooks: alerts are recorded but not sent anywhere.</Empty>
      ) : (
        <DataTable table={table} caption="Alert webhooks" />
      )}
      {removal.error && <ErrorNotice error={removal.error} />}
    </>
  );
}
