// `seqsentry serve`: config from file + environment + flags, then the sidecar until SIGTERM/SIGINT/SIGHUP. Wiring only.
import { loadServeConfig } from '../config/load-serve-config.js';
import { startSidecar } from '../server/sidecar.js';
import { logger } from '../util/log.js';
import { intOption, parseOptions, type Command } from './command.js';

const USAGE = 'seqsentry serve [--config FILE] [--model-dir DIR] [--host HOST] [--port N]';
const SUMMARY = [
  'Runs the sidecar: POST /v1/score, the OpenSearch _bulk enrichment proxy, POST /v1/ml/score, /healthz, /readyz, /metrics.',
  'Settings: JSON --config file (or SEQSENTRY_CONFIG) < environment (SEQSENTRY_TOKEN, SEQSENTRY_MODEL_DIR, SEQSENTRY_PORT,',
  'OPENSEARCH_URL, OPENSEARCH_USERNAME/PASSWORD or OPENSEARCH_API_KEY, OPENSEARCH_CA_FILE, ...) < flags. Every key: src/config/serve-config.ts.',
].join('\n');
const SPECS = {
  config: { type: 'string', short: 'c', help: 'FILE  JSON configuration file' },
  'model-dir': { type: 'string', short: 'm', help: 'DIR  model bundle (bundle.json + model.onnx)' },
  host: { type: 'string', help: 'HOST  listen address (default 127.0.0.1)' },
  port: { type: 'string', short: 'p', help: 'N  listen port (default 8080)' },
} as const;

const command: Command = {
  name: 'serve',
  summary: SUMMARY,
  async run(argv) {
    const parsed = parseOptions(argv, USAGE, SUMMARY, SPECS);
    if (!parsed) return 0;
    const v = parsed.values;
    const config = loadServeConfig({
      ...(v.config !== undefined ? { file: v.config } : {}),
      overrides: { model_dir: v['model-dir'], 'listen.host': v.host, 'listen.port': v.port === undefined ? undefined : intOption(v.port, 'port', 0) },
    });
    const sidecar = await startSidecar(config);
    process.stdout.write(`seqsentry serve: listening on ${sidecar.url}\n`);
    await new Promise<void>((resolve) => {
      let stopping = false;
      const stop = (signal: NodeJS.Signals) => {
        logger.info({ signal }, 'signal received');
        // A second signal while draining means "now".
        if (stopping) process.exit(1);
        stopping = true;
        void sidecar.shutdown().then(resolve);
      };
      // SIGHUP (the terminal closed) drains as SIGTERM does: its default would end the process mid-request
      for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, stop);
    });
    return 0;
  },
};

export default command;
