// The process-wide pino logger: JSON lines on stderr, level from SEQSENTRY_LOG_LEVEL.
import pino from 'pino';

export const logger = pino({ name: 'seqsentry', level: process.env.SEQSENTRY_LOG_LEVEL ?? 'info' }, pino.destination(2));
