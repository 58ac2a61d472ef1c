// PEM files named in a config (a CA, a server certificate and key): read at start-up, a file that cannot be read or
// holds no such PEM block named by its config key, not met later as a TLS handshake that fails.
import { readFileSync } from 'node:fs';
import { ConfigError } from '../core/errors.js';

/** The file's bytes; `marker` is a line the PEM block must hold (`-----BEGIN CERTIFICATE-----`), `what` names it. */
export function readPemFile(file: string, key: string, marker: string, what: string): Buffer {
  let pem: Buffer;
  try {
    pem = readFileSync(file);
  } catch (err) {
    throw new ConfigError(key, `cannot read ${file}: ${(err as Error).message}`);
  }
  if (!pem.includes(marker)) throw new ConfigError(key, `${file} holds no PEM ${what} (${marker})`);
  return pem;
}
