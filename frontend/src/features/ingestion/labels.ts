import type { IssueCode, KeySource, RunStatus } from '../../gql/graphql';
import { labelOf } from '../../lib/enums';

/** Where an ingestion run stands, as its tag reads. */
export const RUN_STATUS_LABELS: Readonly<Record<RunStatus, string>> = {
  RUNNING: 'Running',
  SUCCEEDED: 'Succeeded',
  PARTIAL: 'Partial',
  FAILED: 'Failed',
  ABANDONED: 'Abandoned',
};

/** What went wrong with a day of a run, or with a connection check. */
export const ISSUE_CODE_LABELS: Readonly<Record<IssueCode, string>> = {
  AUTH: 'Key refused',
  CLIENT_ERROR: 'Request refused',
  RATE_LIMITED: 'Rate limited',
  SERVER_ERROR: 'Server error',
  TIMEOUT: 'Timeout',
  NETWORK: 'Network error',
  BAD_RESPONSE: 'Unreadable response',
  HOSTILE_CURSOR: 'Cursor refused',
  PAGINATION: 'Pagination error',
  CONFIG: 'Configuration',
  PARTIAL_BUCKET: 'Partial bucket',
  DUPLICATE_BUCKET: 'Duplicate bucket',
  MISSING_BUCKET: 'Missing bucket',
  HOURLY_MISMATCH: 'Hours disagree with the day',
  UNPRICED_MODEL: 'Unpriced model',
  INTERNAL: 'Internal error',
};

/** Where a connection's key comes from. */
export const KEY_SOURCE_LABELS: Readonly<Record<KeySource, string>> = {
  ENVIRONMENT: 'environment variable',
  STORED: 'stored (sealed)',
  DEMO: 'demo simulator',
};

export const runStatusLabel = (status: RunStatus) => labelOf(RUN_STATUS_LABELS, status);
export const issueLabel = (code: IssueCode) => labelOf(ISSUE_CODE_LABELS, code);
export const keySourceLabel = (source: KeySource) => labelOf(KEY_SOURCE_LABELS, source);
