// `seqsentry` command line: looks the command up in a frozen registry and runs it. Wiring only.
import type { Command } from './commands/command.js';
import { InterruptedError, SeqSentryError, UsageError } from './core/errors.js';

const COMMANDS: Readonly<Record<string, { summary: string; load: () => Promise<Command> }>> = Object.freeze({
  simulate: { summary: 'write a synthetic enterprise in LANL auth format with red-team labels', load: async () => (await import('./commands/simulate.js')).default },
  train: { summary: 'train a sequence model on log files and export an ONNX bundle', load: async () => (await import('./commands/train.js')).default },
  score: { summary: 'score every record of a log file with a trained bundle', load: async () => (await import('./commands/score.js')).default },
  evaluate: { summary: 'compare scores with labels: AUC, AP, TPR at 0.1% FPR, HTML report', load: async () => (await import('./commands/evaluate.js')).default },
  serve: { summary: 'run the sidecar: /v1/score, the _bulk enrichment proxy, the ML Commons endpoint, health and metrics', load: async () => (await import('./commands/serve.js')).default },
  install: { summary: 'install templates, the ML Commons connector and model, the ingest pipeline and content into a cluster', load: async () => (await import('./commands/install.js')).default },
  uninstall: { summary: 'remove what install recorded (templates, pipeline, connector, model, monitors, state documents)', load: async () => (await import('./commands/uninstall.js')).default },
  enrich: { summary: 'score unscored events already in OpenSearch and write the anomaly fields back', load: async () => (await import('./commands/enrich.js')).default },
  suppress: { summary: 'keep an entity (or one field value of it) from making notables, until an expiry; list and remove', load: async () => (await import('./commands/suppress.js')).default },
  aggregate: { summary: 'write entity notables (per user and host and window: counts, top events, decaying risk) into seqsentry-entities', load: async () => (await import('./commands/aggregate.js')).default },
  'zeek-vocab': { summary: 'fit the clustering vocabulary of Zeek records (Gower distance, HDBSCAN) for the zeek-seq kind', load: async () => (await import('./commands/zeek-vocab.js')).default },
  models: { summary: 'list the model versions rolling retraining recorded in .seqsentry-state (window, events, metrics, path)', load: async () => (await import('./commands/models.js')).default },
  demo: { summary: 'simulate, train, score and evaluate on a built-in default', load: async () => (await import('./commands/demo.js')).default },
});

function usage(): string {
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return ['Usage: seqsentry <command> [options]', '', 'Commands:', ...rows, '', 'Run `seqsentry <command> --help` for its options.'].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name === undefined ? 2 : 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    process.stderr.write(`seqsentry: unknown command "${name}"\n\n${usage()}\n`);
    return 2;
  }
  try {
    const command = await entry.load();
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`seqsentry ${name}: ${err.message}\n`);
      return 2;
    }
    if (err instanceof InterruptedError) {
      process.stderr.write(`seqsentry ${name}: ${err.message}\n`);
      return err.exitCode;
    }
    if (err instanceof SeqSentryError) {
      process.stderr.write(`seqsentry ${name}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
