// charfreq's runtime for the scorer: the bundle's parameters file parsed (zod) into a CharfreqModel, each event's
// message scored against its source. It reads the event itself: no tokens, no context, no ONNX.
import { AdapterError, ModelLoadError } from '../../core/errors.js';
import type { CanonicalEvent } from '../../core/event.js';
import type { EventScore, RuntimeFactory } from '../../model/runtime.js';
import { CharfreqModel, sourceKey } from './model.js';
import { ParametersSchema } from './parameters.js';

export const openCharfreq: RuntimeFactory = async (loaded) => {
  let json: unknown;
  try {
    json = JSON.parse(loaded.modelBytes.toString('utf8'));
  } catch (err) {
    throw new ModelLoadError(loaded.dir, `${loaded.modelPath} is not JSON: ${(err as Error).message}`, { cause: err });
  }
  const parsed = ParametersSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ModelLoadError(loaded.dir, `${loaded.modelPath}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  const model = new CharfreqModel(parsed.data);
  const spec = parsed.data.source;
  return {
    independent: true,
    async score({ events }) {
      return events.map((event: CanonicalEvent): EventScore => {
        if (event.text === undefined) throw new AdapterError(event.source.file, event.source.line, `model ${loaded.bundle.name} (charfreq) scores message text, and this ${loaded.bundle.format} event has none`, 'text');
        const { raw, fields } = model.score(sourceKey(spec, event), event.text);
        return { raw, total: raw, explain: (full) => (full ? fields : fields.slice(0, 1)) };
      });
    },
    async release() {},
  };
};
