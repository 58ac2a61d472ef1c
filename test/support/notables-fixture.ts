// Scored logons as the proxy writes them, for the entity-notables tests: an ECS logon with its anomaly fields.
import { ecsLogon } from './ecs-fixture.js';

/** A logon of `user` from its workstation to `dst`, scored `score` (anomalous from 0.99). */
export function scoredLogon(timeMs: number, user: string, dst: string, score: number): Record<string, unknown> {
  const anomalous = score >= 0.99;
  return {
    ...ecsLogon({ timeMs, user, srcHost: `ws-${user}`, srcIp: '10.0.0.1', dstHost: dst }),
    anomaly_score: score,
    anomaly: {
      is_anomaly: anomalous, threshold: 0.99, raw: score * 10, reason: anomalous ? 'pairs:user+dst_host' : 'sequence',
      model: { name: 'seeded', version: '1', kind: 'transformer-mlm' }, scored_at: new Date(timeMs).toISOString(),
      fields: [{ name: 'dst_host', value: dst, surprisal: score * 5, expected: 'srv-1' }],
    },
  };
}
