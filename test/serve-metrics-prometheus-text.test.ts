// /metrics speaks the Prometheus text format: HELP/TYPE per family, cumulative buckets, escaped labels.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Counter, Histogram, Registry } from '../src/server/prometheus.js';
import type { Sidecar } from '../src/server/sidecar.js';
import { habitualLogon } from './support/ecs-fixture.js';
import { call, startTestSidecar } from './support/sidecar-fixture.js';

describe('prometheus text format', () => {
  it('renders cumulative histogram buckets with +Inf, sum and count', () => {
    const r = new Registry();
    const h = r.register(new Histogram('x_seconds', 'X.', [0.1, 1], ['route']));
    for (const v of [0.05, 0.5, 0.7, 3]) h.observe({ route: '/a' }, v);
    expect(r.render()).toBe([
      '# HELP x_seconds X.', '# TYPE x_seconds histogram',
      'x_seconds_bucket{route="/a",le="0.1"} 1', 'x_seconds_bucket{route="/a",le="1"} 3', 'x_seconds_bucket{route="/a",le="+Inf"} 4',
      'x_seconds_sum{route="/a"} 4.25', 'x_seconds_count{route="/a"} 4', '',
    ].join('\n'));
  });

  it('escapes backslashes, quotes and newlines in label values', () => {
    const r = new Registry();
    r.register(new Counter('c_total', 'C.', ['k'])).inc({ k: 'a"b\\c\nd' }, 2);
    expect(r.render()).toContain('c_total{k="a\\"b\\\\c\\nd"} 2');
  });
});

const ADMIN = 'metrics-admin-token-0123456789';

describe('GET /metrics', () => {
  let sidecar: Sidecar;
  beforeAll(async () => {
    sidecar = await startTestSidecar({ 'auth.admin_tokens': [ADMIN] });
    await call(sidecar.url, 'POST', '/v1/score', { body: { scope: 'm', events: [habitualLogon(1), habitualLogon(2), { bad: 1 }] } });
  });
  afterAll(() => sidecar?.shutdown());

  it('serves every family the sidecar promises, in the exposition format', async () => {
    const res = await call(sidecar.url, 'GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const sample = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"(,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*")*\})? (-?[0-9.e+-]+|\+Inf|NaN)$/;
    for (const line of res.text.trimEnd().split('\n')) {
      if (line.startsWith('# ')) expect(line).toMatch(/^# (HELP|TYPE) [a-z_]+ .+$/);
      else expect(line).toMatch(sample);
    }
    for (const family of [
      'seqsentry_http_requests_total counter', 'seqsentry_http_request_duration_seconds histogram', 'seqsentry_events_scored_total counter',
      'seqsentry_batch_size histogram', 'seqsentry_batch_duration_seconds histogram', 'seqsentry_forward_duration_seconds histogram',
      'seqsentry_errors_total counter', 'seqsentry_history_entities gauge', 'seqsentry_history_evictions_total counter', 'seqsentry_model_info gauge',
    ]) expect(res.text).toContain(`# TYPE ${family}`);
    expect(res.text).toMatch(/^seqsentry_events_scored_total\{route="\/v1\/score"\} 2$/m);
    expect(res.text).toMatch(/^seqsentry_events_unscored_total\{route="\/v1\/score"\} 1$/m);
    expect(res.text).toMatch(/^seqsentry_http_requests_total\{route="\/v1\/score",status="200"\} 1$/m);
    expect(res.text).toMatch(/^seqsentry_history_entities 2$/m);
    expect(res.text).toMatch(/^seqsentry_model_info\{name="[^"]+",version="[^"]+",kind="transformer-mlm"\} 1$/m);
  });

  it('reports the process, its heap and event loop, and to an admin the daily budget', async () => {
    await new Promise((r) => setTimeout(r, 100)); // event-loop delay samples (every 20 ms) since the previous scrape
    // 200 MB of array buffers held while scraped: counted once in external memory, not twice.
    const held = new Uint8Array(200 * 1024 * 1024).fill(1);
    const res = await call(sidecar.url, 'GET', '/metrics', { token: ADMIN });
    expect(held[held.length - 1]).toBe(1);
    const value = (name: string): number => {
      const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(res.text);
      if (!m) throw new Error(`no ${name} in /metrics`);
      return Number(m[1]);
    };
    const cpu = process.cpuUsage();
    // The sidecar runs in this process: its CPU so far, at most what the process has spent by now.
    expect(value('process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(value('process_cpu_seconds_total')).toBeLessThanOrEqual((cpu.user + cpu.system) / 1e6);
    expect(value('process_cpu_seconds_total')).toBeCloseTo(value('process_cpu_user_seconds_total') + value('process_cpu_system_seconds_total'), 9);
    expect(Math.abs(value('process_start_time_seconds') - (Date.now() / 1000 - process.uptime()))).toBeLessThanOrEqual(1);
    expect(value('process_resident_memory_bytes')).toBeGreaterThan(value('nodejs_heap_size_used_bytes'));
    expect(value('nodejs_heap_size_total_bytes')).toBeGreaterThanOrEqual(value('nodejs_heap_size_used_bytes'));
    // Node counts array buffers in `external` already: the series is that, not the two summed (which would be 400 MB+).
    expect(value('nodejs_external_memory_bytes')).toBeGreaterThan(200 * 1024 * 1024);
    expect(value('nodejs_external_memory_bytes')).toBeLessThan(300 * 1024 * 1024);
    expect(value('process_open_fds')).toBeGreaterThan(2);
    expect(value('process_open_fds')).toBeLessThanOrEqual(value('process_max_fds'));
    // The sampling interval is not delay: an idle sidecar's median delay is well below the 20 ms resolution.
    const p50 = /^nodejs_eventloop_delay_seconds\{quantile="0.5"\} (\S+)$/m.exec(res.text);
    expect(Number(p50?.[1])).toBeGreaterThanOrEqual(0);
    expect(Number(p50?.[1])).toBeLessThan(0.01);
    expect(res.text).toMatch(/^nodejs_eventloop_delay_seconds\{quantile="0.99"\} [0-9.e+-]+$/m);
    // Two logons through /v1/score: judged against the budget, not counted into its window (budget.counted_routes).
    expect(value('seqsentry_budget_rate')).toBeGreaterThan(0);
    expect(value('seqsentry_budget_rate')).toBeLessThan(1);
    expect(value('seqsentry_budget_window_events')).toBe(0);
    expect(value('seqsentry_budget_window_flagged')).toBe(0);
    expect(value('seqsentry_budget_window_quota')).toBe(0);
  });

  it('leaves the daily budget out for a shipper\'s token, and refuses callers without one', async () => {
    const shipper = await call(sidecar.url, 'GET', '/metrics');
    expect(shipper.status).toBe(200);
    expect(shipper.text).toContain('process_cpu_seconds_total');
    expect(shipper.text).not.toContain('seqsentry_budget_');
    expect((await call(sidecar.url, 'GET', '/metrics', { token: null })).status).toBe(401);
    expect((await call(sidecar.url, 'GET', '/metrics', { token: 'not-a-token-0123456789' })).status).toBe(403);
    // An anonymous caller learns nothing of the route, not even its methods: 401 before 405.
    expect((await call(sidecar.url, 'POST', '/metrics', { token: null })).status).toBe(401);
    expect((await call(sidecar.url, 'POST', '/metrics', { token: ADMIN })).status).toBe(405);
  });
});
