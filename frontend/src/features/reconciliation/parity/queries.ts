import { graphql } from '../../../gql';

/*
 * CSV parity: the stored reports, one report with its findings, and the
 * upload form's connections and CSV import.
 * Codegen checks every document against api/schema.graphql and types its result.
 */

graphql(`
  fragment ParityReportSummaryFields on ParityReport {
    id
    provider
    kind
    connection
    source
    fileName
    rangeStart
    rangeEnd
    withinTolerance
    createdAt
    tolerance
    tolerancePct
    csvRows
    csvWindows
    storedWindows
    matchedWindows
    missingWindows
    extraWindows
    mismatchedWindows
  }
`);

export const ParityReportsQuery = graphql(`
  query ParityReports($first: Int!, $after: String) {
    parityReports(first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        ...ParityReportSummaryFields
      }
    }
  }
`);

graphql(`
  fragment ParityFieldDiffFields on ParityFieldDiff {
    field
    csv
    stored
    difference
    withinTolerance
  }
`);

graphql(`
  fragment ParityWindowFields on ParityWindow {
    date
    projectId
    apiKeyId
    userId
    model
    batch
    serviceTier
    lineItem
    fields {
      ...ParityFieldDiffFields
    }
  }
`);

export const ParityReportQuery = graphql(`
  query ParityReport($id: ID!) {
    parityReport(id: $id) {
      ...ParityReportSummaryFields
      contentHash
      fields
      truncated
      missing {
        ...ParityWindowFields
      }
      extra {
        ...ParityWindowFields
      }
      mismatched {
        ...ParityWindowFields
      }
      days {
        date
        csvWindows
        storedWindows
        withinTolerance
        totals {
          ...ParityFieldDiffFields
        }
      }
    }
  }
`);

/** Connections the upload form offers. */
export const ParityConnectionsQuery = graphql(`
  query ParityConnections {
    providerConnections {
      id
      name
      provider
    }
  }
`);

/**
 * Sent as a multipart request (`lib/upload.ts`), not through urql: the file
 * travels as a form part.
 */
export const ImportUsageCsvMutation = graphql(`
  mutation ImportUsageCsv(
    $provider: Provider!
    $file: Upload!
    $start: Date!
    $end: Date!
    $tolerance: Decimal
    $tolerancePct: Decimal
    $connection: String
    $kind: ParityExportKind
  ) {
    importUsageCsv(
      provider: $provider
      file: $file
      start: $start
      end: $end
      tolerance: $tolerance
      tolerancePct: $tolerancePct
      connection: $connection
      kind: $kind
    ) {
      ...ParityReportSummaryFields
    }
  }
`);
