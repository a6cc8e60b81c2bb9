import { requestsNotReportedHint } from '../lib/requests';
import { NOT_AVAILABLE } from '../lib/format';

/** A count the provider does not report: "n/a" with the reason in its tooltip, never a misleading 0. */
export function NotReported({ hint = requestsNotReportedHint() }: { hint?: string }) {
  return (
    <abbr className="not-reported" title={hint} data-not-reported="">
      {NOT_AVAILABLE}
    </abbr>
  );
}
