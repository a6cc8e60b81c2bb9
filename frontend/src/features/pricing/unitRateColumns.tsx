import { createColumnHelper } from '@tanstack/react-table';
import type { UnitRateFieldsFragment } from '../../gql/graphql';
import { unitRateUsd } from './unitRates';
import { formatDateTime, formatUnitPrice } from '../../lib/format';

const rateColumn = createColumnHelper<UnitRateFieldsFragment>();

export const unitRateColumns = [
  rateColumn.accessor((r) => r.effectiveFrom ?? '', {
    id: 'effectiveFrom',
    header: 'From',
    cell: ({ getValue }) => getValue() || <span className="muted">the start (configured)</span>,
  }),
  rateColumn.accessor('source', { header: 'Source', cell: ({ getValue }) => <span className={`tag tag-${getValue() === 'admin' ? 'override' : 'book'}`}>{getValue()}</span> }),
  rateColumn.accessor('dbOpNanos', {
    header: 'Database op',
    cell: ({ row: { original } }) => (
      <span title={`${original.dbOpNanos} nano-USD per operation`}>{formatUnitPrice(unitRateUsd(original).dbOpsPerMillion)} / M ops</span>
    ),
    meta: { numeric: true },
  }),
  rateColumn.accessor('apiCallMicros', {
    header: 'External API call',
    cell: ({ row: { original } }) => (
      <span title={`${original.apiCallMicros} micro-USD per call`}>{formatUnitPrice(unitRateUsd(original).apiCallsPerThousand)} / 1K calls</span>
    ),
    meta: { numeric: true },
  }),
  rateColumn.accessor('computeSecondMicros', {
    header: 'Compute',
    cell: ({ row: { original } }) => (
      <span title={`${original.computeSecondMicros} micro-USD per second`}>{formatUnitPrice(unitRateUsd(original).computePerHour)} / hour</span>
    ),
    meta: { numeric: true },
  }),
  rateColumn.accessor((r) => r.createdBy ?? '', {
    id: 'createdBy',
    header: 'Set by',
    cell: ({ row: { original } }) =>
      original.createdAt ? (
        <>
          {original.createdBy ?? '—'} <span className="muted small">{formatDateTime(original.createdAt)}</span>
        </>
      ) : (
        <span className="muted">COGNITRACK_RATE_*</span>
      ),
  }),
];
