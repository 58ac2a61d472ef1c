// The security plugin's material for the secured dev node (`scripts/opensearch.mjs --secure`): a CA, the node's
// and the admin's certificates (openssl), internal users with generated passwords (hashed by the plugin's own
// tool), and the roles SeqSentry documents: what the sidecar, a shipper and the installer may do, nothing more.
// Plain Node ESM with no npm dependencies, like opensearch.mjs.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Subject names: the node's and the admin's certificates are told apart by them (opensearch.yml below). */
const NODE_DN = 'CN=node,OU=seqsentry,O=dev';
const ADMIN_DN = 'CN=admin,OU=seqsentry,O=dev';
const CERT_DAYS = 3650;

/**
 * The roles of the secured node, as SeqSentry's README lists them. Event indices are `logs-*` and `seqsentry-*`
 * (the tests' and the demo's); an operator's own patterns take their place.
 */
export const SEQSENTRY_ROLES = Object.freeze({
  // serve (the _bulk proxy, history refill) and enrich: write events, read them back, keep checkpoints.
  seqsentry_sidecar: {
    // indices:data/read/msearch: the history refill batches its searches (each still needs read on its index)
    cluster_permissions: ['cluster:monitor/main', 'indices:data/write/bulk', 'indices:data/read/msearch', 'indices:data/read/point_in_time/delete', 'indices:data/read/scroll/clear'],
    index_permissions: [
      {
        index_patterns: ['logs-*', 'seqsentry-*'],
        // mappings/get and settings/get: enrich reads whether an index keeps a partial _source or has a final pipeline
        // before writing its events whole (without them it keeps partial updates). refresh: zeek-seq's connection
        // enrich refreshes before each walk, so it sees every write of the run before it.
        allowed_actions: ['indices:data/write/index', 'indices:data/write/bulk*', 'indices:data/write/update', 'indices:admin/create', 'indices:admin/mapping/put', 'read', 'indices:data/read/point_in_time/create', 'indices:admin/refresh', 'indices:admin/mappings/get', 'indices:monitor/settings/get'],
      },
      { index_patterns: ['.seqsentry-state'], allowed_actions: ['crud', 'create_index', 'indices:admin/get', 'indices:admin/refresh', 'indices:admin/mapping/put'] },
      // aggregate (serve's aggregate.index, enrich --follow, the command) checks and migrates the notables' index
      // and replaces windows stored under older ids
      { index_patterns: ['seqsentry-entities'], allowed_actions: ['crud', 'create_index', 'indices:admin/get', 'indices:admin/refresh', 'indices:admin/mapping/put'] },
    ],
  },
  // A log shipper writing straight to OpenSearch (no proxy): new events only.
  seqsentry_shipper: {
    cluster_permissions: ['indices:data/write/bulk'],
    index_permissions: [{ index_patterns: ['logs-*'], allowed_actions: ['indices:data/write/index', 'indices:data/write/bulk*', 'indices:admin/create', 'indices:admin/mapping/put'] }],
  },
  // seqsentry install and uninstall: templates, ingest pipeline, the state and entities indices (and ML Commons and
  // Alerting where the plugins are there).
  seqsentry_installer: {
    // A single document write (the install record) runs as a bulk of one: indices:data/write/bulk.
    // (Composable index templates only: no legacy `indices:admin/template/*`; cluster_monitor covers nodes/info.)
    cluster_permissions: ['cluster_monitor', 'indices:data/write/bulk', 'cluster:admin/ingest/pipeline/*', 'cluster:admin/component_template/*', 'indices:admin/index_template/*', 'cluster:admin/opensearch/ml/*', 'cluster:admin/opendistro/alerting/monitor/*', 'cluster:admin/settings/update'],
    index_permissions: [
      { index_patterns: ['.seqsentry-state', 'seqsentry-entities'], allowed_actions: ['crud', 'create_index', 'indices:admin/delete', 'indices:admin/mapping/put', 'indices:admin/mappings/get', 'indices:admin/get', 'indices:monitor/settings/get'] },
      // sizing the monitors counts the events of the --index-pattern indices; uninstall reads which indices write
      // through its pipeline (their settings); an upgrade adds the anomaly fields' new fields to the existing indices
      { index_patterns: ['logs-*', 'seqsentry-*'], allowed_actions: ['indices:data/read/search', 'indices:monitor/settings/get', 'indices:admin/mappings/get', 'indices:admin/mapping/put'] },
    ],
  },
});

/** The node's users: the admin (all_access) and one per role above. */
export const SEQSENTRY_USERS = Object.freeze({ 'seqsentry-sidecar': 'seqsentry_sidecar', 'seqsentry-shipper': 'seqsentry_shipper', 'seqsentry-installer': 'seqsentry_installer' });

function openssl(args, cwd) {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.error) throw new Error(`openssl could not run (apt-get install openssl): ${r.error.message}`);
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} exited with ${r.status}: ${r.stderr.trim().split('\n').slice(-3).join(' ')}`);
}

/** A key (PKCS#8, as the plugin reads it) and a certificate signed by the CA; `ext` lines go into the certificate. */
function signed(dir, name, subject, ext) {
  openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', `${name}-key.pem`], dir);
  openssl(['req', '-new', '-key', `${name}-key.pem`, '-subj', `/${subject.split(',').reverse().join('/')}`, '-out', `${name}.csr`], dir);
  writeFileSync(join(dir, `${name}.ext`), `${ext.join('\n')}\n`);
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'root-ca.pem', '-CAkey', 'root-ca-key.pem', '-CAcreateserial', '-sha256', '-days', String(CERT_DAYS), '-extfile', `${name}.ext`, '-out', `${name}.pem`], dir);
}

/** The CA, node and admin certificates in `dir`, generated once (kept with the node's data). */
export function ensureCertificates(dir) {
  if (existsSync(join(dir, 'admin.pem'))) return;
  mkdirSync(dir, { recursive: true });
  openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'root-ca-key.pem'], dir);
  openssl(['req', '-x509', '-new', '-key', 'root-ca-key.pem', '-sha256', '-days', String(CERT_DAYS), '-subj', '/O=dev/OU=seqsentry/CN=SeqSentry dev CA', '-out', 'root-ca.pem'], dir);
  signed(dir, 'node', NODE_DN, ['basicConstraints=CA:FALSE', 'keyUsage=digitalSignature,keyEncipherment', 'extendedKeyUsage=serverAuth,clientAuth', 'subjectAltName=IP:127.0.0.1,DNS:localhost']);
  signed(dir, 'admin', ADMIN_DN, ['basicConstraints=CA:FALSE', 'keyUsage=digitalSignature', 'extendedKeyUsage=clientAuth']);
  for (const f of ['root-ca-key.pem', 'node-key.pem', 'admin-key.pem']) chmodSync(join(dir, f), 0o600);
}

/** Passwords of the admin and SeqSentry users, generated once and kept in `file` (mode 600). */
export function ensureCredentials(file) {
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
  // The plugin's default password rules want mixed case, a digit and a special character.
  const password = () => `Ss1!${randomBytes(18).toString('base64url')}`;
  const users = Object.fromEntries(['admin', ...Object.keys(SEQSENTRY_USERS)].map((u) => [u, password()]));
  writeFileSync(file, JSON.stringify(users, null, 2), { mode: 0o600 });
  return users;
}

/** bcrypt hashes through the plugin's tools/hash.sh (no bcrypt in Node's standard library). */
function hashPasswords(homeDir, env, users) {
  const tool = join(homeDir, 'plugins', 'opensearch-security', 'tools', 'hash.sh');
  return Object.fromEntries(Object.entries(users).map(([user, password]) => {
    const r = spawnSync('bash', [tool, '-env', 'SEQSENTRY_HASH_PASSWORD'], { env: { ...env, SEQSENTRY_HASH_PASSWORD: password }, encoding: 'utf8' });
    const hash = (r.stdout ?? '').trim().split('\n').at(-1) ?? '';
    if (r.status !== 0 || !hash.startsWith('$2')) throw new Error(`${tool} failed (${r.status}): ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' ')}`);
    return [user, hash];
  }));
}

const yaml = (obj) => Object.entries(obj).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join('\n');

/**
 * Writes the security configuration into the node's config dir `confDir` (certificates copied next to
 * opensearch.yml, users, roles and mappings into opensearch-security/) and returns the opensearch.yml settings.
 */
export function securityFiles({ homeDir, confDir, certDir, credentialsFile, env }) {
  ensureCertificates(certDir);
  const users = ensureCredentials(credentialsFile);
  for (const f of ['root-ca.pem', 'node.pem', 'node-key.pem', 'admin.pem', 'admin-key.pem']) copyFileSync(join(certDir, f), join(confDir, f));
  const hashes = hashPasswords(homeDir, env, users);
  const sec = join(confDir, 'opensearch-security');
  const internalUsers = {
    _meta: { type: 'internalusers', config_version: 2 },
    admin: { hash: hashes.admin, reserved: true, backend_roles: ['admin'], description: 'dev node administrator' },
    ...Object.fromEntries(Object.keys(SEQSENTRY_USERS).map((u) => [u, { hash: hashes[u], description: `SeqSentry ${u}` }])),
  };
  writeFileSync(join(sec, 'internal_users.yml'), `${yaml(internalUsers)}\n`);
  // The plugin's own roles stay; SeqSentry's are added.
  writeFileSync(join(sec, 'roles.yml'), `${readFileSync(join(sec, 'roles.yml'), 'utf8')}\n# --- added by scripts/opensearch-security.mjs ---\n${yaml(SEQSENTRY_ROLES)}\n`);
  const mapping = {
    _meta: { type: 'rolesmapping', config_version: 2 },
    all_access: { reserved: false, backend_roles: ['admin'], users: ['admin'] },
    ...Object.fromEntries(Object.entries(SEQSENTRY_USERS).map(([user, role]) => [role, { users: [user] }])),
  };
  writeFileSync(join(sec, 'roles_mapping.yml'), `${yaml(mapping)}\n`);
  return {
    'plugins.security.ssl.transport.pemcert_filepath': 'node.pem',
    'plugins.security.ssl.transport.pemkey_filepath': 'node-key.pem',
    'plugins.security.ssl.transport.pemtrustedcas_filepath': 'root-ca.pem',
    'plugins.security.ssl.transport.enforce_hostname_verification': false,
    'plugins.security.ssl.http.enabled': true,
    'plugins.security.ssl.http.pemcert_filepath': 'node.pem',
    'plugins.security.ssl.http.pemkey_filepath': 'node-key.pem',
    'plugins.security.ssl.http.pemtrustedcas_filepath': 'root-ca.pem',
    // Loads the files above into the security index on the first start (no securityadmin run needed).
    'plugins.security.allow_default_init_securityindex': true,
    'plugins.security.authcz.admin_dn': [ADMIN_DN],
    'plugins.security.nodes_dn': [NODE_DN],
    'plugins.security.restapi.roles_enabled': ['all_access'],
    'plugins.security.audit.type': 'noop',
  };
}
