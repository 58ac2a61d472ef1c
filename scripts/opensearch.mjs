#!/usr/bin/env node
// A single-node OpenSearch for development and tests, built from Maven Central artifacts (no Docker needed).
// Usage: node scripts/opensearch.mjs <fetch|start|stop|status|url> [--v3|--secure] [--fresh] [--port N] [--any-port] [--timeout S]
// Plain Node ESM with no npm dependencies: it must run before `npm ci` and on a bare CI image with a JDK and mvn.
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync, closeSync, cpSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync,
  realpathSync, renameSync, rmSync, statSync, writeFileSync, appendFileSync,
} from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { securityFiles } from './opensearch-security.mjs';

// ---------------------------------------------------------------------------------------------------------
// Versions: the one place they are set. Each line pins a release for which Maven Central holds all three
// artifacts (integ-test-zip, job-scheduler zip, ml-plugin zip); the plugins are versioned `<core>.0`.
// 2.19.2-2.19.5 and 3.1-3.5 lack one of the plugin zips on Maven Central, hence these exact picks.
// ---------------------------------------------------------------------------------------------------------
export const LINES = Object.freeze({
  // 2.x still runs under the Java SecurityManager, which JDK 24 removed: 11..23 only (17 is the default here).
  2: Object.freeze({ version: '2.19.6', javaMin: 11, javaMax: 23, preferredJavaHomes: [] }),
  // 3.x needs JDK 21+; the image ships a Temurin 25 next to the default JDK 17.
  3: Object.freeze({ version: '3.6.0', javaMin: 21, javaMax: null, preferredJavaHomes: ['/usr/lib/jvm/temurin-25-jdk-amd64'] }),
});

export const PLUGINS = Object.freeze([
  // Order matters: opensearch-ml extends opensearch-job-scheduler, so the scheduler is installed first.
  Object.freeze({ name: 'opensearch-job-scheduler', groupId: 'org.opensearch.plugin', artifactId: 'opensearch-job-scheduler' }),
  Object.freeze({ name: 'opensearch-ml', groupId: 'org.opensearch.plugin', artifactId: 'opensearch-ml-plugin' }),
]);

/**
 * Modules the 2.x integ-test zip lacks, assembled into `home/modules/` from their jars on Maven Central (the 3.x zip
 * has them all). lang-painless runs scripts: bucket_selector with an Alerting trigger's script, script queries;
 * ingest-common has the `set`, `script`, `date`… processors. Each lists its jar and the jars it needs at run time
 * (from the module's POM, less what `lib/` already has); the descriptor and security policy are the ones OpenSearch
 * builds into its distribution (modules/<name>/src/main/plugin-metadata in its source). lang-mustache is not on
 * Maven Central, so `{{ }}` templates in ingest processors stay unavailable.
 */
export const MODULES_2X = Object.freeze([
  Object.freeze({
    name: 'lang-painless',
    classname: 'org.opensearch.painless.PainlessPlugin',
    description: 'An easy, safe and fast scripting language for OpenSearch',
    extended: '',
    jars: (v) => [`org.opensearch.plugin:lang-painless:${v}`, `org.opensearch.plugin:opensearch-scripting-painless-spi:${v}`, 'org.antlr:antlr4-runtime:4.13.1',
      ...['asm', 'asm-util', 'asm-tree', 'asm-commons', 'asm-analysis'].map((a) => `org.ow2.asm:${a}:9.7`)],
    // Painless compiles scripts to classes in its own loader.
    policy: 'grant {\n  permission java.lang.RuntimePermission "createClassLoader";\n  permission java.lang.RuntimePermission "getClassLoader";\n};\n',
  }),
  Object.freeze({
    name: 'ingest-common',
    classname: 'org.opensearch.ingest.common.IngestCommonPlugin',
    description: 'Module for ingest processors that do not require additional security permissions or have large dependencies and resources',
    // Its processors' Painless whitelist is a painless extension.
    extended: 'lang-painless',
    jars: (v) => [`org.opensearch.plugin:ingest-common:${v}`, `org.opensearch:opensearch-grok:${v}`, `org.opensearch:opensearch-dissect:${v}`, 'org.jruby.joni:joni:2.2.1', 'org.jruby.jcodings:jcodings:1.0.61'],
    policy: null,
  }),
]);

/**
 * The secured node (`--secure`): TLS, internal users, SeqSentry's restricted roles. Maven Central has the security
 * plugin zip at 2.19.4.0 only, and a plugin runs on its own OpenSearch version: 2.19.4, without ML Commons (no
 * 2.19.4.0 ML zip there).
 */
export const SECURE = Object.freeze({
  version: '2.19.4',
  plugins: Object.freeze([Object.freeze({ name: 'opensearch-security', groupId: 'org.opensearch.plugin', artifactId: 'opensearch-security' })]),
});

/** ML Commons settings a test node needs so a connector may call a model server on loopback. */
export const ML_DEV_SETTINGS = Object.freeze({
  // A single node has no dedicated ML role.
  'plugins.ml_commons.only_run_on_ml_node': false,
  // Loopback is a private address; ML Commons >= 2.15 rejects it unless this is on.
  'plugins.ml_commons.connector.private_ip_enabled': true,
  'plugins.ml_commons.trusted_connector_endpoints_regex': ['^http://127\\.0\\.0\\.1:.*$', '^http://localhost:.*$'],
  // The memory circuit breakers trip easily with a 1 GiB heap on a small CI box; 100 switches them off.
  'plugins.ml_commons.jvm_heap_memory_threshold': 100,
  'plugins.ml_commons.native_memory_threshold': 100,
});

const MAVEN_DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';
const DEFAULT_PORT = 9200;
const DEFAULT_HEAP = '-Xms512m -Xmx1g';
const DEFAULT_START_TIMEOUT_S = 240;
const INSTALL_MARKER = '.seqsentry-install.json';

const log = (msg) => process.stderr.write(`[opensearch] ${msg}\n`);

/** A failure of one step (fetch, start, …); `logTail` carries the node log when there is one. */
export class OpenSearchDevError extends Error {
  constructor(step, reason, { version, logTail = '' } = {}) {
    super(`opensearch ${step}${version ? ` (${version})` : ''}: ${reason}${logTail ? `\n--- node log tail ---\n${logTail}` : ''}`);
    this.name = 'OpenSearchDevError';
    this.step = step;
    this.version = version;
    this.logTail = logTail;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------------------

/**
 * Resolves version, Java and paths from flags and the environment.
 * @param {{ v3?: boolean, env?: NodeJS.ProcessEnv }} [opts]
 */
export function resolveConfig({ v3 = false, secure = false, env = process.env } = {}) {
  const wantLine = v3 || env.SEQSENTRY_OPENSEARCH_LINE === '3' ? 3 : 2;
  if (secure && wantLine === 3) throw new OpenSearchDevError('config', '--secure runs the 2.x line only (the security plugin zip on Maven Central is 2.19.4.0)');
  const version = secure ? SECURE.version : env.SEQSENTRY_OPENSEARCH_VERSION || LINES[wantLine].version;
  const major = Number(version.split('.')[0]);
  const line = LINES[major];
  if (!/^\d+\.\d+\.\d+$/.test(version) || !line) {
    throw new OpenSearchDevError('config', `SEQSENTRY_OPENSEARCH_VERSION=${version} is not a 2.x or 3.x release like 2.19.6`);
  }
  const cacheRoot = resolve(env.SEQSENTRY_CACHE || join(homedir(), '.cache', 'seqsentry'));
  const versionDir = join(cacheRoot, 'opensearch', secure ? `${version}-secure` : version);
  const runDir = join(versionDir, 'run');
  return {
    version,
    secure,
    plugins: secure ? SECURE.plugins : PLUGINS,
    pluginVersion: `${version}.0`,
    line,
    env,
    cacheRoot,
    versionDir,
    homeDir: join(versionDir, 'home'),
    runDir,
    pidFile: join(runDir, 'opensearch.pid'),
    stateFile: join(runDir, 'node.json'),
    logsDir: join(runDir, 'logs'),
    consoleLog: join(runDir, 'logs', 'console.log'),
  };
}

function javaMajor(javaHome) {
  try {
    const m = /JAVA_VERSION="(\d+)(?:\.(\d+))?/.exec(readFileSync(join(javaHome, 'release'), 'utf8'));
    if (!m) return null;
    return m[1] === '1' ? Number(m[2]) : Number(m[1]);
  } catch {
    return null;
  }
}

function which(cmd, env = process.env) {
  for (const dir of (env.PATH || '').split(delimiter)) {
    const p = join(dir, cmd);
    try {
      if (statSync(p).isFile()) return p;
    } catch { /* not in this PATH entry */ }
  }
  return null;
}

/** Picks a JDK the chosen line runs on: explicit override, then the line's preferred JDKs, JAVA_HOME, `java` on PATH. */
export function resolveJavaHome(cfg) {
  const { env, line, version } = cfg;
  const fromPath = which('java', env);
  const candidates = [
    env.SEQSENTRY_OPENSEARCH_JAVA_HOME && { home: env.SEQSENTRY_OPENSEARCH_JAVA_HOME, from: 'SEQSENTRY_OPENSEARCH_JAVA_HOME', explicit: true },
    ...line.preferredJavaHomes.map((home) => ({ home, from: 'preferred JDK for this line' })),
    env.JAVA_HOME && { home: env.JAVA_HOME, from: 'JAVA_HOME' },
    fromPath && { home: resolve(realpathSync(fromPath), '..', '..'), from: '`java` on PATH' },
  ].filter(Boolean);
  const rejected = [];
  for (const c of candidates) {
    if (!existsSync(join(c.home, 'bin', 'java'))) {
      if (c.explicit) throw new OpenSearchDevError('config', `${c.from}=${c.home} has no bin/java`, { version });
      continue;
    }
    const major = javaMajor(c.home);
    const ok = major != null && major >= line.javaMin && (line.javaMax == null || major <= line.javaMax);
    if (ok) return { javaHome: c.home, javaMajor: major };
    if (c.explicit) throw new OpenSearchDevError('config', `${c.from}=${c.home} is JDK ${major}; OpenSearch ${version} needs ${javaRange(line)}`, { version });
    rejected.push(`${c.home} (JDK ${major ?? '?'}, from ${c.from})`);
  }
  throw new OpenSearchDevError('config',
    `no JDK for OpenSearch ${version}, which needs ${javaRange(line)}; ` +
    `${rejected.length ? `rejected ${rejected.join(', ')}; ` : 'no JDK found; '}set SEQSENTRY_OPENSEARCH_JAVA_HOME`, { version });
}

const javaRange = (line) => `JDK ${line.javaMin}${line.javaMax ? `..${line.javaMax}` : '+'}`;

function nodeEnv(cfg, javaHome, extra = {}) {
  // The integ-test zip has no bundled JDK, so OPENSEARCH_JAVA_HOME must point at one.
  return { ...process.env, JAVA_HOME: javaHome, OPENSEARCH_JAVA_HOME: javaHome, ...extra };
}

// ---------------------------------------------------------------------------------------------------------
// Locking: a fetch or start in one process (a test run, a shell) must not race another.
// ---------------------------------------------------------------------------------------------------------

function pidAlive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

async function withLock(lockDir, what, fn, waitMs = 20 * 60_000) {
  const deadline = Date.now() + waitMs;
  let announced = false;
  for (;;) {
    try {
      mkdirSync(lockDir, { recursive: false });
      writeFileSync(join(lockDir, 'owner'), String(process.pid));
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      const owner = Number(readFileSync(join(lockDir, 'owner'), { encoding: 'utf8', flag: 'a+' }) || 0);
      if (owner && !pidAlive(owner)) {
        log(`removing stale ${what} lock left by pid ${owner}`);
        rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new OpenSearchDevError(what, `timed out waiting for lock ${lockDir} held by pid ${owner || '?'}`);
      if (!announced) log(`waiting for another ${what} (pid ${owner || '?'}) to finish`);
      announced = true;
      await sleep(1000);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------------------
// fetch: Maven Central → ~/.m2 → cache/opensearch/<v>/home with both plugins installed
// ---------------------------------------------------------------------------------------------------------

function readMarker(cfg) {
  try {
    return JSON.parse(readFileSync(join(cfg.homeDir, INSTALL_MARKER), 'utf8'));
  } catch {
    return null;
  }
}

export function isInstalled(cfg) {
  const m = readMarker(cfg);
  return !!m && m.version === cfg.version && cfg.plugins.every((p) => m.plugins?.includes(p.name));
}

/** Runs a command to completion; with `quiet`, its output is kept back and shown only when it fails. */
function run(step, cfg, cmd, args, { quiet = false, ...opts } = {}) {
  const r = spawnSync(cmd, args, {
    stdio: ['ignore', quiet ? 'pipe' : 'inherit', quiet ? 'pipe' : 'inherit'], encoding: 'utf8', maxBuffer: 64 << 20, ...opts,
  });
  if (r.error) throw new OpenSearchDevError(step, `${cmd} could not run: ${r.error.message}`, { version: cfg.version });
  if (r.status !== 0) {
    // Maven's first [ERROR] lines name the missing artifact; its last ones are boilerplate.
    const lines = `${r.stdout ?? ''}${r.stderr ?? ''}`.replace(/\x1b\[[0-9;]*m/g, '').trim().split('\n');
    const errors = lines.filter((l) => l.startsWith('[ERROR]') && l.trim() !== '[ERROR]').slice(0, 3);
    const output = quiet ? `\n${(errors.length ? errors : lines.slice(-30)).join('\n')}` : '';
    throw new OpenSearchDevError(step, `${[cmd, ...args].join(' ')} exited with ${r.status ?? r.signal}${output}`, { version: cfg.version });
  }
}

function pomFor(cfg) {
  const dep = (g, a, v) => `    <dependency><groupId>${g}</groupId><artifactId>${a}</artifactId><version>${v}</version><type>zip</type>
      <exclusions><exclusion><groupId>*</groupId><artifactId>*</artifactId></exclusion></exclusions></dependency>`;
  // A throwaway POM so one Maven run resolves all three zips (the resolver downloads them in parallel).
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by scripts/opensearch.mjs; safe to delete. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.seqsentry</groupId><artifactId>opensearch-fetch</artifactId><version>0</version><packaging>pom</packaging>
  <dependencies>
${dep('org.opensearch.distribution.integ-test-zip', 'opensearch', cfg.version)}
${cfg.plugins.map((p) => dep(p.groupId, p.artifactId, cfg.pluginVersion)).join('\n')}
  </dependencies>
</project>
`;
}

function unzip(cfg, javaHome, zip, dest) {
  mkdirSync(dest, { recursive: true });
  if (which('unzip')) return run('fetch', cfg, 'unzip', ['-q', zip, '-d', dest]);
  // `jar` ships with every JDK, which this script needs anyway; it drops file modes (fixed by the caller).
  const jar = join(javaHome, 'bin', 'jar');
  if (existsSync(jar)) return run('fetch', cfg, jar, ['xf', zip], { cwd: dest });
  const py = which('python3');
  if (py) return run('fetch', cfg, py, ['-m', 'zipfile', '-e', zip, dest]);
  throw new OpenSearchDevError('fetch', 'need one of unzip, a JDK with bin/jar, or python3 to unpack the distribution', { version: cfg.version });
}

/** The modules this node is assembled with beyond its zip's (2.x only, not the secured node). */
function extraModules(cfg) {
  return cfg.line === LINES[2] && !cfg.secure ? MODULES_2X : [];
}

/**
 * Assembles the missing modules into an installed home (an install from before they were added gets them on its
 * next fetch or start, without downloading the distribution again). The node must be restarted to load them.
 */
function installModules(cfg) {
  const wanted = extraModules(cfg);
  const marker = readMarker(cfg);
  const missing = wanted.filter((m) => !marker?.modules?.includes(m.name));
  if (missing.length === 0) return;
  const { javaHome } = resolveJavaHome(cfg);
  const staging = join(cfg.versionDir, '.modules-staging');
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const coords = missing.flatMap((m) => m.jars(cfg.version));
  const deps = coords.map((c) => {
    const [g, a, v] = c.split(':');
    return `    <dependency><groupId>${g}</groupId><artifactId>${a}</artifactId><version>${v}</version>
      <exclusions><exclusion><groupId>*</groupId><artifactId>*</artifactId></exclusion></exclusions></dependency>`;
  });
  writeFileSync(join(staging, 'pom.xml'), `<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by scripts/opensearch.mjs; safe to delete. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.seqsentry</groupId><artifactId>opensearch-modules</artifactId><version>0</version><packaging>pom</packaging>
  <dependencies>
${deps.join('\n')}
  </dependencies>
</project>
`);
  log(`assembling modules ${missing.map((m) => m.name).join(', ')} from Maven Central`);
  const downloads = join(staging, 'downloads');
  const repoLocal = cfg.env.SEQSENTRY_MAVEN_REPO ? [`-Dmaven.repo.local=${resolve(cfg.env.SEQSENTRY_MAVEN_REPO)}`] : [];
  run('fetch', cfg, 'mvn', ['-B', '-ntp', '-Dstyle.color=never', '-f', join(staging, 'pom.xml'), ...repoLocal,
    `${MAVEN_DEPENDENCY_PLUGIN}:copy-dependencies`, `-DoutputDirectory=${downloads}`, '-DexcludeTransitive=true'],
  { env: nodeEnv(cfg, javaHome), quiet: true });
  for (const m of missing) {
    const dir = join(cfg.homeDir, 'modules', m.name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const c of m.jars(cfg.version)) {
      const [, a, v] = c.split(':');
      const jar = join(downloads, `${a}-${v}.jar`);
      if (!existsSync(jar)) throw new OpenSearchDevError('fetch', `Maven finished but ${jar} is missing`, { version: cfg.version });
      cpSync(jar, join(dir, `${a}-${v}.jar`));
    }
    writeFileSync(join(dir, 'plugin-descriptor.properties'), [
      `description=${m.description}`, `version=${cfg.version}`, `name=${m.name}`, `classname=${m.classname}`, 'java.version=11',
      `opensearch.version=${cfg.version}`, 'custom.foldername=', `extended.plugins=${m.extended}`, 'has.native.controller=false', '',
    ].join('\n'));
    if (m.policy) writeFileSync(join(dir, 'plugin-security.policy'), m.policy);
  }
  writeFileSync(join(cfg.homeDir, INSTALL_MARKER), JSON.stringify({ ...marker, modules: wanted.map((m) => m.name) }, null, 2));
  rmSync(staging, { recursive: true, force: true });
}

/** Downloads and installs OpenSearch and its plugins into the cache; a no-op when already complete. */
export async function fetchOpenSearch(cfg = resolveConfig()) {
  if (isInstalled(cfg)) {
    if (extraModules(cfg).some((m) => !readMarker(cfg)?.modules?.includes(m.name))) {
      await withLock(join(cfg.versionDir, '.fetch.lock'), 'fetch', async () => installModules(cfg));
    }
    log(`OpenSearch ${cfg.version} already installed in ${cfg.homeDir}`);
    return { homeDir: cfg.homeDir, cached: true };
  }
  const { javaHome } = resolveJavaHome(cfg);
  mkdirSync(cfg.versionDir, { recursive: true });
  return withLock(join(cfg.versionDir, '.fetch.lock'), 'fetch', async () => {
    if (isInstalled(cfg)) return { homeDir: cfg.homeDir, cached: true }; // another process finished it meanwhile
    if (!which('mvn')) throw new OpenSearchDevError('fetch', 'mvn is not on PATH (apt-get install maven)', { version: cfg.version });
    const t0 = Date.now();
    const staging = join(cfg.versionDir, '.staging');
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    writeFileSync(join(staging, 'pom.xml'), pomFor(cfg));

    log(`downloading OpenSearch ${cfg.version} + plugins ${cfg.pluginVersion} from Maven Central (about 450 MB the first time)`);
    const downloads = join(staging, 'downloads');
    const repoLocal = cfg.env.SEQSENTRY_MAVEN_REPO ? [`-Dmaven.repo.local=${resolve(cfg.env.SEQSENTRY_MAVEN_REPO)}`] : [];
    run('fetch', cfg, 'mvn', ['-B', '-ntp', '-Dstyle.color=never', '-f', join(staging, 'pom.xml'), ...repoLocal,
      `${MAVEN_DEPENDENCY_PLUGIN}:copy-dependencies`, `-DoutputDirectory=${downloads}`, '-DexcludeTransitive=true'],
    { env: nodeEnv(cfg, javaHome), quiet: true });
    const zipOf = (artifactId, v) => join(downloads, `${artifactId}-${v}.zip`);
    const distZip = zipOf('opensearch', cfg.version);
    for (const z of [distZip, ...cfg.plugins.map((p) => zipOf(p.artifactId, cfg.pluginVersion))]) {
      if (!existsSync(z)) throw new OpenSearchDevError('fetch', `Maven finished but ${z} is missing`, { version: cfg.version });
    }

    log('unpacking');
    unzip(cfg, javaHome, distZip, join(staging, 'unpacked'));
    const stagedHome = join(staging, 'unpacked', `opensearch-${cfg.version}`);
    if (!existsSync(join(stagedHome, 'bin', 'opensearch'))) {
      throw new OpenSearchDevError('fetch', `unexpected zip layout: no opensearch-${cfg.version}/bin/opensearch`, { version: cfg.version });
    }
    for (const f of readdirSync(join(stagedHome, 'bin'))) chmodSync(join(stagedHome, 'bin', f), 0o755);

    for (const p of cfg.plugins) {
      log(`installing plugin ${p.name}`);
      run('fetch', cfg, join(stagedHome, 'bin', 'opensearch-plugin'),
        ['install', '--batch', pathToFileURL(zipOf(p.artifactId, cfg.pluginVersion)).href],
        { env: nodeEnv(cfg, javaHome), quiet: true });
    }

    // The marker goes in last and the directory moves into place in one rename, so a half-finished
    // install never looks complete: the next fetch finds no marker and starts over.
    writeFileSync(join(stagedHome, INSTALL_MARKER), JSON.stringify({
      version: cfg.version, plugins: cfg.plugins.map((p) => p.name), installedAt: new Date().toISOString(),
    }, null, 2));
    rmSync(cfg.homeDir, { recursive: true, force: true });
    renameSync(stagedHome, cfg.homeDir);
    installModules(cfg);
    // The zips stay in the Maven local repository (~/.m2), so a re-fetch does not download again.
    rmSync(staging, { recursive: true, force: true });
    log(`installed OpenSearch ${cfg.version} in ${cfg.homeDir} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    return { homeDir: cfg.homeDir, cached: false };
  });
}

// ---------------------------------------------------------------------------------------------------------
// start / stop / status
// ---------------------------------------------------------------------------------------------------------

function readState(cfg) {
  try {
    return JSON.parse(readFileSync(cfg.stateFile, 'utf8'));
  } catch {
    return null;
  }
}

/** True when `pid` is the OpenSearch of this run dir (guards against a recycled pid). */
function isOurNode(cfg, pid) {
  if (!pidAlive(pid)) return false;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('org.opensearch.bootstrap.OpenSearch') && cmdline.includes(cfg.versionDir);
  } catch {
    return process.platform !== 'linux'; // no /proc: trust the pid file
  }
}

function runningNode(cfg) {
  const state = readState(cfg);
  return state && isOurNode(cfg, state.pid) ? state : null;
}

function tail(file, lines = 40) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n').trim();
  } catch {
    return '';
  }
}

function nodeLogTail(cfg) {
  const main = join(cfg.logsDir, 'seqsentry-dev.log');
  return tail(existsSync(main) ? main : cfg.consoleLog) || tail(cfg.consoleLog) || '(no log written)';
}

function portFree(port) {
  return new Promise((res) => {
    const srv = createServer();
    srv.once('error', () => res(false));
    srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => srv.close(() => res(true)));
  });
}

function anyFreePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen({ port: 0, host: '127.0.0.1' }, () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

/** GET as JSON; `access` (a secured node) gives the CA to verify its certificate against and the admin's login. */
async function getJson(url, timeoutMs = 3000, access = null) {
  if (!access) {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return res.json();
  }
  return new Promise((resolveJson, reject) => {
    const req = httpsRequest(url, { ca: readFileSync(access.caFile), auth: `${access.username}:${access.password}`, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { body += c; });
      res.on('end', () => {
        if ((res.statusCode ?? 0) >= 400) reject(new Error(`HTTP ${res.statusCode}`));
        else try { resolveJson(JSON.parse(body)); } catch (e) { reject(e); }
      });
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** The admin's access to a secured node from its state (null for a plain node). */
function adminAccess(state) {
  return state?.secure ? { caFile: state.secure.ca_file, username: 'admin', password: state.secure.users.admin } : null;
}

/** Health and plugin check; resolves to a reason string when not ready, or null when ready. */
async function notReadyReason(url, cfg, access = null) {
  try {
    const health = await getJson(`${url}/_cluster/health?wait_for_status=yellow&timeout=2s`, 5000, access);
    if (health.status !== 'yellow' && health.status !== 'green') return `cluster health is ${health.status}`;
    const plugins = (await getJson(`${url}/_cat/plugins?format=json`, 3000, access)).map((p) => p.component);
    const missing = cfg.plugins.map((p) => p.name).filter((n) => !plugins.includes(n));
    return missing.length ? `plugins not loaded: ${missing.join(', ')}` : null;
  } catch (e) {
    return `no answer (${e.cause?.code || e.message})`;
  }
}

function nodeSettings(cfg, port, extra = {}) {
  const settings = {
    'cluster.name': 'seqsentry-dev',
    'node.name': 'seqsentry-dev-0',
    'network.host': '127.0.0.1',
    'http.port': port,
    'discovery.type': 'single-node',
    'path.data': join(cfg.runDir, 'data'),
    'path.logs': cfg.logsDir,
    // Dev disks are often nearly full; the flood-stage watermark would turn every index read-only.
    'cluster.routing.allocation.disk.threshold_enabled': false,
    ...(cfg.secure ? {} : ML_DEV_SETTINGS),
    ...extra,
  };
  // JSON values are valid YAML flow scalars and sequences.
  return Object.entries(settings).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join('\n');
}

/**
 * Starts the node detached (fetching first if needed) and waits until it is healthy with its plugins loaded.
 * @param {ReturnType<typeof resolveConfig>} cfg
 * @param {{ fresh?: boolean, port?: number, anyPort?: boolean, timeoutS?: number }} [opts]
 */
export async function startOpenSearch(cfg = resolveConfig(), opts = {}) {
  await fetchOpenSearch(cfg);
  const { javaHome } = resolveJavaHome(cfg);
  return withLock(join(cfg.versionDir, '.start.lock'), 'start', async () => {
    const existing = runningNode(cfg);
    if (existing) {
      if (opts.fresh) throw new OpenSearchDevError('start', `--fresh: a node is already running (pid ${existing.pid}); stop it first`, { version: cfg.version });
      const reason = await notReadyReason(existing.url, cfg, adminAccess(existing));
      if (reason) throw new OpenSearchDevError('start', `a node is running (pid ${existing.pid}) but unhealthy: ${reason}`, { version: cfg.version, logTail: nodeLogTail(cfg) });
      log(`already running at ${existing.url} (pid ${existing.pid})`);
      return { ...existing, alreadyRunning: true };
    }

    const preferred = Number(opts.port ?? cfg.env.SEQSENTRY_OPENSEARCH_PORT ?? DEFAULT_PORT);
    let port = preferred;
    if (!(await portFree(port))) {
      if (!opts.anyPort) throw new OpenSearchDevError('start', `port ${port} is taken; pass --any-port or set SEQSENTRY_OPENSEARCH_PORT`, { version: cfg.version });
      port = await anyFreePort();
      log(`port ${preferred} is taken; using ${port}`);
    }

    if (opts.fresh) rmSync(cfg.runDir, { recursive: true, force: true });
    mkdirSync(cfg.logsDir, { recursive: true });
    // A per-run config dir keeps the installed home pristine and the effective settings easy to read.
    const confDir = join(cfg.runDir, 'config');
    rmSync(confDir, { recursive: true, force: true });
    cpSync(join(cfg.homeDir, 'config'), confDir, { recursive: true });
    let secure = null;
    let extra = {};
    if (cfg.secure) {
      const certDir = join(cfg.runDir, 'certs');
      const credentialsFile = join(cfg.runDir, 'credentials.json');
      extra = securityFiles({ homeDir: cfg.homeDir, confDir, certDir, credentialsFile, env: nodeEnv(cfg, javaHome) });
      secure = { ca_file: join(certDir, 'root-ca.pem'), credentials_file: credentialsFile, users: JSON.parse(readFileSync(credentialsFile, 'utf8')) };
    }
    appendFileSync(join(confDir, 'opensearch.yml'), `\n# --- added by scripts/opensearch.mjs ---\n${nodeSettings(cfg, port, extra)}\n`);

    const url = `${cfg.secure ? 'https' : 'http'}://127.0.0.1:${port}`;
    let javaOpts = cfg.env.SEQSENTRY_OPENSEARCH_JAVA_OPTS || DEFAULT_HEAP;
    if (process.getuid?.() === 0) {
      // OpenSearch refuses to run as root, and it checks through JNA. CI containers and this dev image run
      // as root, so for this loopback-only dev node JNA is switched off (the check then cannot run). Costs:
      // no mlockall, no seccomp filter, no rlimit probes; ML Commons' local (DJL) models need JNA, remote
      // connectors do not.
      javaOpts += ' -Djna.nosys=true -Djna.noclasspath=true -Djna.boot.library.path=/nonexistent';
      log('running as root: starting the node with JNA disabled so it does not refuse to start');
    }
    const out = openSync(cfg.consoleLog, 'a');
    const child = spawn(join(cfg.homeDir, 'bin', 'opensearch'), [], {
      detached: true,
      stdio: ['ignore', out, out],
      env: nodeEnv(cfg, javaHome, {
        OPENSEARCH_PATH_CONF: confDir,
        OPENSEARCH_JAVA_OPTS: javaOpts,
      }),
    });
    closeSync(out);
    let exit = null;
    child.on('exit', (code, signal) => { exit = signal ?? `code ${code}`; });
    child.unref();
    // bin/opensearch execs java, so this pid is the JVM's.
    const state = { pid: child.pid, port, url, version: cfg.version, javaHome, startedAt: new Date().toISOString(), ...(secure ? { secure } : {}) };
    writeFileSync(cfg.pidFile, `${child.pid}\n`);
    writeFileSync(cfg.stateFile, JSON.stringify(state, null, 2));
    log(`starting OpenSearch ${cfg.version} (pid ${child.pid}, JDK ${javaHome}) on ${url}; logs in ${cfg.logsDir}`);

    const timeoutS = Number(opts.timeoutS ?? cfg.env.SEQSENTRY_OPENSEARCH_START_TIMEOUT ?? DEFAULT_START_TIMEOUT_S);
    const t0 = Date.now();
    let reason = 'not polled yet';
    while (Date.now() - t0 < timeoutS * 1000) {
      if (exit) {
        removeRunFiles(cfg);
        throw new OpenSearchDevError('start', `node exited during start-up (${exit})`, { version: cfg.version, logTail: nodeLogTail(cfg) });
      }
      reason = await notReadyReason(url, cfg, adminAccess(state));
      if (!reason) {
        log(`ready at ${url} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        return { ...state, alreadyRunning: false };
      }
      await sleep(1000);
    }
    const logTail = nodeLogTail(cfg);
    await stopOpenSearch(cfg);
    throw new OpenSearchDevError('start', `not ready after ${timeoutS} s (${reason}); node stopped`, { version: cfg.version, logTail });
  });
}

function removeRunFiles(cfg) {
  rmSync(cfg.pidFile, { force: true });
  rmSync(cfg.stateFile, { force: true });
}

/** SIGTERM, up to 30 s for a clean shutdown, then SIGKILL. */
export async function stopOpenSearch(cfg = resolveConfig()) {
  const state = readState(cfg);
  if (!state || !isOurNode(cfg, state.pid)) {
    removeRunFiles(cfg);
    log('not running');
    return { stopped: false };
  }
  const { pid } = state;
  const waitGone = async (ms) => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (!pidAlive(pid)) return true;
      await sleep(250);
    }
    return !pidAlive(pid);
  };
  process.kill(pid, 'SIGTERM');
  if (!(await waitGone(30_000))) {
    log(`pid ${pid} ignored SIGTERM for 30 s; sending SIGKILL`);
    process.kill(pid, 'SIGKILL');
    await waitGone(10_000);
  }
  removeRunFiles(cfg);
  log(`stopped (pid ${pid})`);
  return { stopped: true };
}

export async function statusOpenSearch(cfg = resolveConfig()) {
  const node = runningNode(cfg);
  const reason = node ? await notReadyReason(node.url, cfg, adminAccess(node)) : 'not running';
  return {
    version: cfg.version,
    installed: isInstalled(cfg),
    homeDir: cfg.homeDir,
    running: !!node,
    ready: !reason,
    reason,
    pid: node?.pid ?? null,
    url: node?.url ?? null,
    ...(node?.secure ? { ca_file: node.secure.ca_file, credentials_file: node.secure.credentials_file } : {}),
  };
}

// ---------------------------------------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------------------------------------

const HELP = `usage: node scripts/opensearch.mjs <command> [options]

commands:
  fetch     download OpenSearch + opensearch-job-scheduler + opensearch-ml into the cache (idempotent)
  start     fetch if needed, start a detached single node, wait until healthy; prints the URL
  stop      stop the node started by 'start' (SIGTERM, then SIGKILL after 30 s)
  status    print JSON status; exit 0 when running and ready, 3 when not running, 1 when unhealthy
  url       print the running node's URL; exit 3 when not running

options:
  --v3           use the 3.x line (${LINES[3].version}, on JDK ${LINES[3].javaMin}+) instead of ${LINES[2].version}
  --secure       a secured node: OpenSearch ${SECURE.version} with the security plugin, TLS (a generated CA, its file
                 printed by status), internal users with generated passwords (credentials_file) and SeqSentry's
                 restricted roles (seqsentry-sidecar, seqsentry-shipper, seqsentry-installer); no ML Commons
  --fresh        (start) wipe the node's data and logs first
  --port N       (start) HTTP port, default $SEQSENTRY_OPENSEARCH_PORT or ${DEFAULT_PORT}
  --any-port     (start) take a free port when the wanted one is busy
  --timeout S    (start) seconds to wait for readiness, default ${DEFAULT_START_TIMEOUT_S}

environment: SEQSENTRY_OPENSEARCH_VERSION, SEQSENTRY_OPENSEARCH_LINE=3, SEQSENTRY_CACHE (default ~/.cache/seqsentry),
  SEQSENTRY_OPENSEARCH_JAVA_HOME, SEQSENTRY_OPENSEARCH_JAVA_OPTS (default "${DEFAULT_HEAP}"),
  SEQSENTRY_OPENSEARCH_START_TIMEOUT, SEQSENTRY_MAVEN_REPO (Maven local repository, default ~/.m2/repository)`;

function parseArgs(argv) {
  const [command, ...rest] = argv;
  const opts = { v3: false, secure: false, fresh: false, anyPort: false };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const value = () => {
      const v = rest[++i];
      if (v === undefined || !/^\d+$/.test(v)) throw new OpenSearchDevError('usage', `${a} needs a number`);
      return Number(v);
    };
    if (a === '--v3') opts.v3 = true;
    else if (a === '--secure') opts.secure = true;
    else if (a === '--fresh') opts.fresh = true;
    else if (a === '--any-port') opts.anyPort = true;
    else if (a === '--port') opts.port = value();
    else if (a === '--timeout') opts.timeoutS = value();
    else throw new OpenSearchDevError('usage', `unknown option ${a}`);
  }
  return { command, opts };
}

async function main(argv) {
  const { command, opts } = parseArgs(argv);
  if (!command || command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(`${HELP}\n`);
    return command ? 0 : 2;
  }
  const cfg = resolveConfig({ v3: opts.v3, secure: opts.secure });
  switch (command) {
    case 'fetch':
      await fetchOpenSearch(cfg);
      return 0;
    case 'start':
      process.stdout.write(`${(await startOpenSearch(cfg, opts)).url}\n`);
      return 0;
    case 'stop':
      await stopOpenSearch(cfg);
      return 0;
    case 'status': {
      const s = await statusOpenSearch(cfg);
      process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
      return s.ready ? 0 : s.running ? 1 : 3;
    }
    case 'url': {
      const node = runningNode(cfg);
      if (!node) {
        log(`OpenSearch ${cfg.version} is not running (node scripts/opensearch.mjs start${opts.v3 ? ' --v3' : ''})`);
        return 3;
      }
      process.stdout.write(`${node.url}\n`);
      return 0;
    }
    default:
      throw new OpenSearchDevError('usage', `unknown command ${command}\n${HELP}`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (err) => {
      process.stderr.write(`${err instanceof OpenSearchDevError ? err.message : err.stack}\n`);
      process.exitCode = err instanceof OpenSearchDevError && err.step === 'usage' ? 2 : 1;
    },
  );
}
