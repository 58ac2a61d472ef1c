// An output file written whole or not at all: refused when it is one of the inputs, written under a temporary name
// beside it and renamed over it only when complete, so a failed, interrupted or refused run leaves what was there
// (an input, an earlier output) untouched; a write that fails (disk full, a folder) is an error with its reason, never
// a hang or a silent exit. A device or pipe (/dev/stdout) is written in place.
import { constants, createWriteStream, type WriteStream } from 'node:fs';
import { access, realpath, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { SeqSentryError, UsageError } from '../core/errors.js';

export interface OutputFile {
  /** Writes text; waits while the stream is full; rejects with the write's reason once it failed. */
  write(text: string): Promise<void>;
  /** Ends the stream and puts the file in place. */
  commit(): Promise<void>;
  /** Ends the stream and removes what was written (the output path keeps what it held). */
  abort(): Promise<void>;
}

async function canonical(path: string): Promise<string> {
  return realpath(path).catch(() => resolve(path));
}

/** Opens `output` for a run reading `inputs`; `option` names the output's flag in errors. */
export async function openOutputFile(output: string, inputs: readonly string[], option = '--output'): Promise<OutputFile> {
  // `-` is a file name here, not standard output (where the command reports): said, rather than a file named `-`.
  if (output === '-') throw new UsageError(`${option} -: give a file (standard output carries the command's report)`);
  const target = await canonical(output);
  for (const input of inputs) {
    if ((await canonical(input)) === target) throw new UsageError(`${option} ${output} is also an input: it would be overwritten before it is read`);
  }
  const existing = await stat(output).catch(() => null);
  if (existing?.isDirectory()) throw new UsageError(`${option} ${output} is a folder`);
  // Said before any work, not after it.
  await access(dirname(resolve(output)), constants.W_OK).catch((err: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot write ${option} ${output}: ${err.code === 'ENOENT' ? 'no such folder' : err.message}`);
  });
  const inPlace = existing !== null && !existing.isFile();
  const path = inPlace ? output : join(dirname(resolve(output)), `.${basename(output)}.partial-${process.pid}`);
  const out: WriteStream = createWriteStream(path, { encoding: 'utf8' });
  let failure: Error | undefined;
  out.on('error', (err) => {
    failure ??= err;
  });
  const failed = () => new SeqSentryError(`cannot write ${option} ${output}: ${failure?.message ?? 'the stream closed'}`);
  const end = () =>
    new Promise<void>((resolveEnd, reject) => {
      if (failure || out.destroyed) return failure ? reject(failed()) : resolveEnd();
      out.once('error', () => reject(failed()));
      out.end(() => (failure ? reject(failed()) : resolveEnd()));
    });
  return {
    async write(text) {
      if (failure) throw failed();
      if (out.write(text)) return;
      await new Promise<void>((resolveDrain, reject) => {
        const onError = () => reject(failed());
        out.once('error', onError);
        out.once('drain', () => {
          out.off('error', onError);
          resolveDrain();
        });
      });
    },
    async commit() {
      await end();
      if (!inPlace) await rename(path, output);
    },
    async abort() {
      await end().catch(() => undefined);
      if (!inPlace) await rm(path, { force: true });
    },
  };
}
