// `seqsentry demo`: the main job on a built-in default: simulate an enterprise, train, score, evaluate.
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createAdapter } from '../adapters/registry.js';
import { InterruptedError, SeqSentryError } from '../core/errors.js';
import { DEFAULT_KIND, MODEL_KINDS } from '../model/kinds.js';
import { DEMO_INDEX, refuseAnotherInstall, runLiveStage } from '../demo/live-opensearch.js';
import { createOpenSearchClient } from '../opensearch/client.js';
import { openSearchConfig } from '../opensearch/config.js';
import { labelKey, labelledValues, readLabels } from '../eval/labels.js';
import { intOption, parseOptions, type Command } from './command.js';

const USAGE = 'seqsentry demo [--out DIR] [--days 9] [--seed 7] [--kinds transformer-mlm,lstm-lm] [--no-opensearch | --opensearch-url URL] [--keep-opensearch]';
const SUMMARY = [
  'Simulates a week of training logons and 2 test weekdays with red-team campaigns, trains each model kind, scores the test days',
  'and writes an evaluation report; then, in a local OpenSearch (started from the cached Maven Central distribution), installs the',
  'content pack, sends the test days through the sidecar\'s _bulk proxy, aggregates entity notables, and prints the riskiest users and',
  'hosts with their explanations, who each alert monitor would fire for, which red-team users and hosts were caught, and the',
  'dashboards file to import. SIGINT/SIGTERM stop it and tear down the sidecar and the node it started.',
].join('\n');
const SPECS = {
  out: { type: 'string', default: 'out/demo', help: 'DIR  where data, models, scores and the report go' },
  days: { type: 'string', default: '9', help: 'N  simulated days; the last 2 are the test days' },
  seed: { type: 'string', default: '7', help: 'N  seed for the simulator and the trainers' },
  kinds: { type: 'string', default: `${DEFAULT_KIND},lstm-lm`, help: 'LIST  model kinds to train, comma-separated' },
  epochs: { type: 'string', help: 'N  maximum training epochs (trainer default otherwise)' },
  'no-opensearch': { type: 'boolean', help: 'skip the live stage (simulate, train, score and evaluate only)' },
  'opensearch-url': { type: 'string', help: 'URL  use this OpenSearch for the live stage instead of the local node (the content pack is installed there for the index seqsentry-auth-demo; refused where SeqSentry is installed for other indices; OPENSEARCH_CA_FILE, _USERNAME, _PASSWORD apply)' },
  'keep-opensearch': { type: 'boolean', help: 'leave the local node running afterwards (stop it with npm run opensearch:stop)' },
} as const;

/**
 * Runs `fn` with a signal that SIGINT and SIGTERM abort: it tears down what it started and rejects. A second signal
 * exits at once.
 */
async function interruptible<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (ac.signal.aborted) process.exit(new InterruptedError(name).exitCode);
    process.stderr.write(`\n${name}: stopping the demo and tearing down what it started (again to exit at once)\n`);
    ac.abort(new InterruptedError(name));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await fn(ac.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function step(name: string, argv: string[]): Promise<void> {
  process.stderr.write(`\n== seqsentry ${name} ${argv.join(' ')}\n`);
  const command = (await import(`./${name}.js`)) as { default: Command };
  const code = await command.default.run(argv);
  if (code !== 0) throw new SeqSentryError(`demo step "seqsentry ${name}" failed with exit code ${code}`);
}

const command: Command = {
  name: 'demo',
  summary: SUMMARY,
  async run(argv) {
    const parsed = parseOptions(argv, USAGE, SUMMARY, SPECS);
    if (!parsed) return 0;
    const v = parsed.values;
    const out = resolve(v.out ?? 'out/demo');
    const seed = String(intOption(v.seed, 'seed', 7));
    const kinds = (v.kinds ?? DEFAULT_KIND).split(',').map((k) => k.trim()).filter(Boolean);
    for (const k of kinds) if (!MODEL_KINDS[k]) throw new SeqSentryError(`--kinds: unknown kind "${k}"`);
    const data = join(out, 'data');
    // Before minutes of training: a cluster the demo must not install into is refused now, not after.
    if (v['opensearch-url'] && !v['no-opensearch']) {
      const client = createOpenSearchClient(openSearchConfig(v['opensearch-url']));
      try {
        await refuseAnotherInstall(client, v['opensearch-url']);
      } finally {
        await client.close();
      }
    }
    await mkdir(out, { recursive: true });
    const started = Date.now();

    const days = intOption(v.days, 'days', 9);
    await step('simulate', ['--days', String(days), '--seed', seed, '--out', data]);
    const train = join(data, 'train.csv');
    const test = join(data, 'test.csv');
    const scoreArgs: string[] = [];
    for (const kind of kinds) {
      const modelDir = join(out, 'models', kind);
      await step('train', ['--format', 'lanl', '--input', train, '--model-dir', modelDir, '--kind', kind, '--seed', seed, ...(v.epochs ? ['--epochs', v.epochs] : [])]);
      const scores = join(out, `scores-${kind}.jsonl`);
      await step('score', ['--model-dir', modelDir, '--format', 'lanl', '--input', test, '--output', scores]);
      scoreArgs.push('--scores', `${kind}=${scores}`);
    }
    const report = join(out, 'report.html');
    await step('evaluate', [...scoreArgs, '--labels', join(data, 'redteam.txt'), '--train', train, '--test', test, '--format', 'lanl', '--report', report, '--json', join(out, 'summary.json')]);
    let live = '';
    if (!v['no-opensearch']) {
      const kind = kinds[0] as string;
      process.stderr.write(`\n== live: install, the test days through seqsentry serve's _bulk proxy into OpenSearch (${kind}), aggregate, monitors\n`);
      const labels = await readLabels(join(data, 'redteam.txt'), createAdapter('lanl').labelEntities);
      const liveStarted = Date.now();
      const result = await interruptible((signal) => runLiveStage({
        modelDir: join(out, 'models', kind), testCsv: test, offlineScores: join(out, `scores-${kind}.jsonl`), days, outDir: out,
        isRedTeam: (time, user, src, dst) => labels.keys.has(labelKey(time, [user, src, dst]) ?? ''),
        redTeam: { users: labelledValues(labels, 'user'), hosts: new Set([...labelledValues(labels, 'src_host'), ...labelledValues(labels, 'dst_host')]) },
        ...(v['opensearch-url'] ? { opensearchUrl: v['opensearch-url'] } : {}),
        keepOpenSearch: Boolean(v['keep-opensearch']),
        signal,
        say: (line) => process.stdout.write(`${line}\n`),
      }));
      process.stdout.write(`live stage (node start included) in ${((Date.now() - liveStarted) / 1000).toFixed(0)} s\n`);
      live = `\nevents with anomaly fields: index ${DEMO_INDEX} at ${result.url}${result.stopped ? ' (node stopped; --keep-opensearch keeps it)' : ''}`;
    }
    process.stdout.write(`\ndemo finished in ${((Date.now() - started) / 1000).toFixed(0)} s\nreport: ${report}${live}\n`);
    return 0;
  },
};

export default command;
