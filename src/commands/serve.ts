// `seqsentry serve`: config from file + environment + flags, then the sidecar until SIGTERM/SIGINT. Wiring only.
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
      const stop = (signal: NodeJS.Signals) => {
        logger.info({ signal }, 'signal received');
        // A second signal while draining means "now".
        process.once(signal, () => process.exit(1));
        void sidecar.shutdown().then(resolve);
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
    return 0;
  },
};

export default command;
