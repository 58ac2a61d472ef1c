// The process-wide pino logger: JSON lines on stderr, level from SEQSENTRY_LOG_LEVEL.
import pino from 'pino';

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const wanted = process.env.SEQSENTRY_LOG_LEVEL;
// A misspelt level (`warning`) made pino throw at module load, before any command could say why.
const level = wanted === undefined || wanted === '' ? 'info' : LEVELS.includes(wanted) ? wanted : 'info';

export const logger = pino({ name: 'seqsentry', level }, pino.destination(2));
if (wanted && !LEVELS.includes(wanted)) logger.warn({ SEQSENTRY_LOG_LEVEL: wanted, levels: LEVELS }, 'SEQSENTRY_LOG_LEVEL is no log level: logging at info');
