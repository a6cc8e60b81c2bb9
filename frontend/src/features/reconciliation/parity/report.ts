import type { ParityReportQuery } from '../../../gql/graphql';

/** A stored parity report with its days and findings, as its page asks for it. */
export type Report = ParityReportQuery['parityReport'];
export type Day = Report['days'][number];
export type Window = Report['missing'][number];
export type FieldDiff = Window['fields'][number];

/** The counts a report keeps of its windows. */
export type CountKey = 'csvRows' | 'matchedWindows' | 'missingWindows' | 'extraWindows' | 'mismatchedWindows';
