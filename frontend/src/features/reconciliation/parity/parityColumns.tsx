import { createColumnHelper } from '@tanstack/react-table';
import { Identity } from '../../../components/Identity';
import { type NameIndex, NO_PROJECT, nameOrId } from '../../../lib/names';
import { Diff } from './Diff';
import { parityFieldLabel } from './parity';
import type { Day, Window } from './report';

const dayColumn = createColumnHelper<Day>();

/** A row per day: window counts, then each compared field's totals. */
export function dayColumns(fields: string[]) {
  return [
    dayColumn.accessor('date', { header: 'Day' }),
    dayColumn.accessor('csvWindows', { header: 'CSV windows', meta: { numeric: true } }),
    dayColumn.accessor('storedWindows', { header: 'Stored windows', meta: { numeric: true } }),
    dayColumn.accessor('withinTolerance', {
      header: 'Result',
      cell: ({ getValue }) => (
        <span className={`tag ${getValue() ? 'tag-succeeded' : 'tag-failed'}`}>{getValue() ? 'within' : 'outside'}</span>
      ),
    }),
    ...fields.map((field) =>
      dayColumn.accessor((d) => Number(d.totals.find((t) => t.field === field)?.difference ?? 0), {
        id: field,
        header: `${parityFieldLabel(field)} (stored vs CSV)`,
        cell: ({ row: { original } }) => <Diff diff={original.totals.find((t) => t.field === field)} />,
        meta: { numeric: true },
      }),
    ),
  ];
}

const windowColumn = createColumnHelper<Window>();

/** A row per window found in one side only, or outside tolerance: its grain, then each field. */
export function windowColumns(names: NameIndex, fields: string[], cost: boolean) {
  const identity = (key: 'projectId' | 'apiKeyId' | 'userId', dimension: 'PROJECT' | 'API_KEY' | 'USER', header: string) =>
    windowColumn.accessor((w) => nameOrId(names, dimension, w[key], dimension === 'PROJECT' ? NO_PROJECT : ''), {
      id: key,
      header,
      cell: ({ getValue, row: { original } }) => <Identity label={getValue()} id={original[key]} />,
    });
  return [
    windowColumn.accessor('date', { header: 'Day' }),
    identity('projectId', 'PROJECT', 'Project'),
    ...(cost
      ? [windowColumn.accessor('lineItem', { header: 'Line item' })]
      : [
          identity('apiKeyId', 'API_KEY', 'API key'),
          identity('userId', 'USER', 'User'),
          windowColumn.accessor('model', { header: 'Model' }),
          windowColumn.accessor('batch', { header: 'Batch' }),
          windowColumn.accessor('serviceTier', { header: 'Tier' }),
        ]),
    ...fields.map((field) =>
      windowColumn.accessor((w) => Number(w.fields.find((f) => f.field === field)?.difference ?? 0), {
        id: `field-${field}`,
        header: parityFieldLabel(field),
        cell: ({ row: { original } }) => <Diff diff={original.fields.find((f) => f.field === field)} />,
        meta: { numeric: true },
      }),
    ),
  ];
}
