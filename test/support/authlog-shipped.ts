// An auth.log line as a file-tailing shipper (Filebeat, Fluent Bit, Vector) sends it: `{"@timestamp", "message"}`.
import { AUTHLOG_SAMPLE_YEAR } from './model-fixture.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The shipper's @timestamp: the line's own time in the sample's year, RFC 3339 (the host writes UTC). */
function shipperTimestamp(line: string): string {
  const m = /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) /.exec(line);
  if (!m) throw new Error(`no syslog timestamp: ${line.slice(0, 40)}`);
  const ms = Date.UTC(AUTHLOG_SAMPLE_YEAR, MONTHS.indexOf(m[1]!), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]));
  return new Date(ms).toISOString().replace('.000Z', '+00:00');
}

/** The shipped document of a line. */
export function shippedLine(line: string): { '@timestamp': string; message: string } {
  return { '@timestamp': shipperTimestamp(line), message: line };
}
