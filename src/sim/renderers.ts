// How `simulate --render` writes the simulated enterprise: one frozen entry per rendering. `lanl`, `windows` and `ecs`
// render the same authentication events (one output line per simulated event, so labels map 1:1; `ecs` writes the
// `windows` documents, labelled in the ecs adapter's values); `weblogin`
// generates the same people's web/SSO logins instead (weblogin/simulate-logins.ts). Labels and ground truth are
// written in the values the rendering's adapter reads back (label format `time,user,src_host,dst_host`).
import { createAdapter } from '../adapters/registry.js';
import { isNoEvent } from '../adapters/adapter.js';
import { formatAuthLine, formatGroundTruthLine, formatRedTeamLine, type AuthEvent } from './auth-event.js';
import type { Enterprise } from './enterprise.js';
import { windowsRendering } from './render-windows.js';

export interface OutputFiles {
  train: string;
  test: string;
  redteam: string;
  campaigns: string;
  summary: string;
}

/** Writes one simulated authentication event as an output line, its label line and its ground-truth row. */
export interface AuthRenderer {
  line(e: AuthEvent): string;
  label(e: AuthEvent): string;
  truth(e: AuthEvent): string;
}

export interface Rendering {
  /** The adapter (`--format`) that reads the rendered files. */
  format: string;
  files: OutputFiles;
  /** For renderings of the authentication events; absent for `weblogin`, which generates its own events. */
  auth?: (ent: Enterprise) => AuthRenderer;
}

const lanlRenderer: AuthRenderer = { line: formatAuthLine, label: formatRedTeamLine, truth: formatGroundTruthLine };

/**
 * Winlogbeat Windows Security documents, labelled by what `format`'s adapter reads from each one (its time and entity
 * values): the windows adapter's (`windows`), or the generic ECS adapter's default field map (`ecs`: the same
 * documents as a SIEM holds them, read as any ECS authentication event).
 */
function winlogbeatRenderer(ent: Enterprise, format: 'windows' | 'ecs'): AuthRenderer {
  const rendering = windowsRendering(ent);
  const adapter = createAdapter(format);
  // The label is what the adapter will read from the document, so evaluation matches it whatever the adapter normalises
  const keyOf = (e: AuthEvent): [number, string, string, string] => {
    const parsed = adapter.parse(rendering.event(e), { file: `${format} rendering`, line: 0 });
    if (parsed === null || isNoEvent(parsed)) throw new RangeError(`${format} rendering: the adapter reads no event from the rendering of ${formatAuthLine(e)}`);
    return [parsed.time, parsed.entities.user as string, parsed.entities.src_host as string, parsed.entities.dst_host as string];
  };
  return {
    line: (e) => JSON.stringify(rendering.event(e)),
    label: (e) => keyOf(e).join(','),
    truth: (e) => [...keyOf(e), e.campaign ?? '', e.instance ?? ''].join('\t'),
  };
}

const SUMMARY_FILE = 'summary.json';

export const RENDERINGS: Readonly<Record<string, Rendering>> = Object.freeze({
  lanl: Object.freeze({ format: 'lanl', files: { train: 'train.csv', test: 'test.csv', redteam: 'redteam.txt', campaigns: 'campaigns.tsv', summary: SUMMARY_FILE }, auth: () => lanlRenderer }),
  windows: Object.freeze({ format: 'windows', files: { train: 'train.jsonl', test: 'test.jsonl', redteam: 'redteam.txt', campaigns: 'campaigns.tsv', summary: SUMMARY_FILE }, auth: (ent: Enterprise) => winlogbeatRenderer(ent, 'windows') }),
  ecs: Object.freeze({ format: 'ecs', files: { train: 'train.jsonl', test: 'test.jsonl', redteam: 'redteam.txt', campaigns: 'campaigns.tsv', summary: SUMMARY_FILE }, auth: (ent: Enterprise) => winlogbeatRenderer(ent, 'ecs') }),
  weblogin: Object.freeze({ format: 'weblogin', files: { train: 'train.jsonl', test: 'test.jsonl', redteam: 'redteam.txt', campaigns: 'campaigns.tsv', summary: SUMMARY_FILE } }),
});
