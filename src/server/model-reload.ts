// A bundle switch without a restart: load the bundle now in model_dir beside the serving one, check it fully and
// against the serving one, then switch atomically (model-switch.ts). A refused bundle leaves the old one serving.
import type { ServeConfig } from '../config/serve-config.js';
import { ModelLoadError, SeqSentryError } from '../core/errors.js';
import { switchRefusal, type ModelSwitch } from '../service/model-switch.js';
import { logger } from '../util/log.js';
import type { ServerMetrics } from './metrics.js';
import { loadServeScoring, type ServeScoring, type ServeScoringDeps } from './serve-scoring.js';

export type ModelId = { name: string; version: string; kind: string };

export interface ReloadOutcome {
  from: ModelId | null;
  to: ModelId;
  /** Load and check time of the new bundle (the switch itself is one assignment). */
  seconds: number;
}

/** Who asked for the reload, as counted in seqsentry_model_reloads_total. */
export type ReloadTrigger = 'admin' | 'watch';

const log = logger.child({ component: 'reload' });

export class ModelReloader {
  // One reload at a time: a second one starts from what the first left serving.
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly config: ServeConfig,
    private readonly models: ModelSwitch,
    private readonly deps: ServeScoringDeps,
    private readonly metrics: ServerMetrics,
    /** Told of each switch, after new requests go to `next` (metrics, log, the bundle watch), and who asked for it. */
    private readonly onSwitch: (next: ServeScoring, trigger: ReloadTrigger) => void,
  ) {}

  /** Loads and switches to the bundle in model_dir; rejects with the reason (ModelLoadError) when it is refused. */
  reload(trigger: ReloadTrigger): Promise<ReloadOutcome> {
    const run = this.chain.then(() => this.load(trigger));
    this.chain = run.catch(() => undefined);
    return run;
  }

  /**
   * Once the reloads under way have switched or been refused: shutdown waits for them before it closes the serving
   * model, so a bundle loaded meanwhile is never switched to after the close (its ONNX session would keep the
   * process alive).
   */
  settled(): Promise<void> {
    return this.chain.then(() => undefined);
  }

  private async load(trigger: ReloadTrigger): Promise<ReloadOutcome> {
    const dir = this.config.model_dir;
    const started = process.hrtime.bigint();
    const serving = this.models.current;
    let next: ServeScoring;
    try {
      next = await loadServeScoring(this.config, dir, this.deps);
    } catch (err) {
      this.metrics.reloads.inc({ trigger, outcome: 'refused' });
      const reason = err instanceof SeqSentryError ? err : new ModelLoadError(dir, (err as Error).message, { cause: err });
      log.error({ trigger, reason: reason.message, serving: serving?.scorer.modelId }, 'new bundle refused; the serving one stays');
      throw reason;
    }
    const from = serving?.scorer.modelId ?? null;
    const to = next.service.scorer.modelId;
    const incompatible = serving ? switchRefusal(serving.scorer.bundle, next.service.scorer.bundle) : null;
    if (incompatible) {
      await next.service.scorer.close();
      this.metrics.reloads.inc({ trigger, outcome: 'refused' });
      const err = new ModelLoadError(dir, `bundle ${to.name} ${to.version} cannot replace ${from?.name} ${from?.version} while serving: ${incompatible} (restart serve to change it)`);
      log.error({ trigger, reason: err.message }, 'new bundle refused; the serving one stays');
      throw err;
    }
    this.models.switchTo(next.service);
    this.onSwitch(next, trigger);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    this.metrics.reloads.inc({ trigger, outcome: 'switched' });
    log.info({ trigger, from, to, seconds }, 'switched to the new bundle; the old one finishes its in-flight batches');
    return { from, to, seconds };
  }
}
