// POST /v1/admin/reload: switch to the bundle now in model_dir without a restart (admin token only).
import { ConfigError, ModelLoadError } from '../../core/errors.js';
import type { ModelReloader } from '../model-reload.js';
import { HttpError, json, type Reply } from '../http-errors.js';

/** 200 with the versions switched from and to; 422 naming why a bundle was refused (the old one keeps serving). */
export async function handleAdminReload(reloader: ModelReloader | null): Promise<Reply> {
  if (!reloader) throw new HttpError(503, 'unavailable_exception', 'no model loaded yet: nothing to reload', 'internal', { 'retry-after': '5' });
  try {
    const out = await reloader.reload('admin');
    return json(200, { status: 'switched', from: out.from, to: out.to, load_seconds: Number(out.seconds.toFixed(3)) });
  } catch (err) {
    if (err instanceof ModelLoadError || err instanceof ConfigError) throw new HttpError(422, 'model_load_exception', `bundle refused, the serving one stays: ${err.message}`, 'bad_request');
    throw err;
  }
}
