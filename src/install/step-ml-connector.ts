// The ML Commons HTTP connector to the sidecar: found by name, compared by a fingerprint of its rendered content.
import { createHash, randomBytes, scryptSync } from 'node:crypto';
import { createConnector, findConnectors, findModels, undeployModel, updateConnector } from './ml-commons-api.js';
import { NEW_ID, pick, type Step } from './plan.js';

const FINGERPRINT = 'seqsentry_fingerprint';
/** The random salt of the credential's share of the fingerprint, kept beside it (readable: a salt need not be secret). */
const SALT = 'seqsentry_credential_salt';
/**
 * scrypt's cost for the credential: anyone who can read connectors can read the fingerprint and the salt, so each
 * guess of the token must cost them real work (about 16 MiB and tens of milliseconds), not one sha256.
 */
const SCRYPT = { N: 2 ** 14, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
/**
 * Model states that do not hold a connector (anything else, DEPLOYING included, blocks an update). Not DEPLOY_FAILED:
 * ML Commons 2.19.6 refused to update the connector ("1 models are still using this connector") while the model using
 * it was DEPLOY_FAILED (left so in a node's ML state by an earlier run), and took the update once it was undeployed.
 */
const IDLE_STATES: ReadonlySet<string> = new Set(['REGISTERED', 'UNDEPLOYED']);

/**
 * sha256 of the connector as sent, with its credential in as scrypt(credential, salt), so a new sidecar URL, token or
 * content version shows as a change. ML Commons encrypts credentials and never returns them, hence a one-way
 * fingerprint in the parameters; the credential's part is slow and salted, since the parameters are readable by
 * anyone who may search connectors (a plain sha256 there let a weak token be guessed offline).
 */
export function connectorFingerprint(body: Record<string, unknown>, salt: string): string {
  const params = { ...((body.parameters ?? {}) as Record<string, unknown>), [FINGERPRINT]: '', [SALT]: salt };
  const credential = scryptSync(JSON.stringify(body.credential ?? null), Buffer.from(salt, 'hex'), 32, SCRYPT).toString('hex');
  return createHash('sha256').update(JSON.stringify({ ...body, parameters: params, credential })).digest('hex');
}

export const mlConnectorStep: Step = async (ctx, entry, _file, rendered) => {
  const name = String(rendered.name);
  const [existing] = await findConnectors(ctx.client, name);
  // The existing connector's salt, so that the same content compares equal; a new one for a new connector (or one
  // fingerprinted before the salt, which then shows as one update).
  const kept = existing?.parameters[SALT];
  const salt = typeof kept === 'string' && /^[0-9a-f]{32}$/.test(kept) ? kept : randomBytes(16).toString('hex');
  const fingerprint = connectorFingerprint(rendered, salt);
  const body: Record<string, unknown> = { ...rendered, parameters: { ...((rendered.parameters ?? {}) as Record<string, unknown>), [FINGERPRINT]: fingerprint, [SALT]: salt } };
  const short = fingerprint.slice(0, 12);
  ctx.vars.connector_sha256 = fingerprint;
  if (existing && existing.parameters[FINGERPRINT] === fingerprint) {
    ctx.vars.connector_id = existing.id;
    return { kind: entry.kind, id: entry.id, action: 'unchanged', detail: `${existing.id}, fingerprint ${short}`, resource: existing.id };
  }
  if (!existing) {
    ctx.vars.connector_id = ctx.dryRun ? NEW_ID : await createConnector(ctx.client, body);
    const resource = String(ctx.vars.connector_id);
    return { kind: entry.kind, id: entry.id, action: 'create', detail: `→ ${String(pick(body, 'parameters.endpoint'))}/v1/ml/score, fingerprint ${short}`, ...(resource !== NEW_ID ? { resource } : {}) };
  }
  ctx.vars.connector_id = existing.id;
  if (!ctx.dryRun) {
    // ML Commons refuses to change a connector a deployed model uses: undeploy them; the model step redeploys.
    for (const model of await findModels(ctx.client, name)) {
      if (model.connector_id === existing.id && !IDLE_STATES.has(model.model_state ?? '')) await undeployModel(ctx.client, model.id);
    }
    await updateConnector(ctx.client, existing.id, body);
  }
  const was = String(existing.parameters[FINGERPRINT] ?? '-').slice(0, 12);
  return { kind: entry.kind, id: entry.id, action: 'update', detail: `${existing.id}, fingerprint ${was} → ${short}`, resource: existing.id };
};
