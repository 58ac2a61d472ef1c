// The ML Commons route's context as `serve` builds it with its defaults, around a test's scoring service.
import { ServeConfigSchema } from '../../src/config/serve-config.js';
import { compileIndexPolicy } from '../../src/server/bulk-policy.js';
import { ServerMetrics } from '../../src/server/metrics.js';
import type { MlCommonsContext } from '../../src/server/routes/ml-commons.js';
import type { ScoringService } from '../../src/service/scoring-service.js';

export function mlContext(scoring: ScoringService, defaultScope: string): MlCommonsContext {
  const defaults = ServeConfigSchema.parse({ model_dir: '.' });
  return { scoring, defaultScope, metrics: new ServerMetrics(), maxRecordKeys: defaults.limits.record_keys, scopeRefusal: compileIndexPolicy(defaults.bulk.index_patterns) };
}
