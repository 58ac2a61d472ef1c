// LANL logons re-dressed as the Windows Security events a SIEM really stores: each one a real 4624 / 4625 / 4634
// record of /work/shared/data/windows (OTRF, NXLog-shaped) with the logon's user, hosts, time, package and logon
// type put in, then shaped as Winlogbeat 8 ships it (ECS around `winlog`, EventData as strings). Storage figures on
// 90-byte LANL lines say little about a 2 KB Windows event; these are the same logons at their real size.
import { readFileSync } from 'node:fs';

/** NXLog's own keys next to the flattened EventData (im_msvistalog fields): everything else is EventData. */
const NXLOG_KEYS = new Set([
  '@timestamp', '@version', 'ActivityID', 'Category', 'Channel', 'ERROR_EVT_UNRESOLVED', 'EventID', 'EventReceivedTime', 'EventTime', 'EventType',
  'ExecutionProcessID', 'Hostname', 'Keywords', 'Level', 'Message', 'Opcode', 'OpcodeValue', 'ProcessID', 'ProviderGuid', 'RecordNumber', 'Severity',
  'SeverityValue', 'SourceModuleName', 'SourceModuleType', 'SourceName', 'Task', 'ThreadID', 'TimeCreated', 'Version', '_source_file', 'host', 'port', 'tags', 'type',
]);

/** LANL logon types as Windows numbers them (LogonType in 4624/4625/4634). */
const LOGON_TYPES = Object.freeze({ Interactive: '2', Network: '3', Batch: '4', Service: '5', Unlock: '7', NetworkCleartext: '8', NewCredentials: '9', RemoteInteractive: '10', CachedInteractive: '11' });

/** The first record of each event id wanted, from the OTRF file: the templates every logon is dressed in. */
export function windowsTemplates(path) {
  const wanted = { 4624: null, 4625: null, 4634: null };
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line) continue;
    const r = JSON.parse(line);
    if (r.EventID in wanted && wanted[r.EventID] === null && (r.EventID === 4625 || String(r.LogonType) === '3')) wanted[r.EventID] = r;
  }
  for (const [id, r] of Object.entries(wanted)) if (!r) throw new Error(`${path}: no ${id} event to use as a template`);
  return wanted;
}

/** The Winlogbeat document of an NXLog-shaped record. */
export function winlogbeat(r) {
  const failure = r.EventType === 'AUDIT_FAILURE';
  const eventData = Object.fromEntries(Object.entries(r).filter(([k]) => !NXLOG_KEYS.has(k)).map(([k, v]) => [k, String(v)]));
  return {
    '@timestamp': r['@timestamp'],
    message: r.Message,
    event: { code: String(r.EventID), kind: 'event', provider: r.SourceName, action: r.Category, outcome: failure ? 'failure' : 'success' },
    host: { name: String(r.Hostname).toLowerCase() },
    winlog: {
      api: 'wineventlog', channel: r.Channel, provider_name: r.SourceName, provider_guid: r.ProviderGuid, computer_name: r.Hostname,
      event_id: String(r.EventID), record_id: String(r.RecordNumber), task: r.Category, opcode: r.Opcode, keywords: [failure ? 'Audit Failure' : 'Audit Success'],
      process: { pid: r.ExecutionProcessID, thread: { id: r.ThreadID } }, event_data: eventData,
    },
  };
}

/**
 * A LANL line (`time,user@domain,dstuser@domain,src,dst,package,logon type,orientation,outcome`) as a Winlogbeat
 * document, at `timestamp`, numbered `record`. The rendered Message is the template's with the names replaced, so
 * the document keeps a real event's length.
 */
export function lanlAsWinlogbeat(templates, line, timestamp, record) {
  const [, srcUser, , src, dst, pkg, logonType, orientation, outcome] = line.split(',');
  const [user, domain] = srcUser.split('@');
  const id = orientation === 'LogOff' ? 4634 : outcome === 'Fail' ? 4625 : 4624;
  const t = templates[id];
  const replace = (text) => String(text).replaceAll(String(t.TargetUserName), user).replaceAll(String(t.WorkstationName ?? '\u0000'), src);
  const r = {
    ...t,
    '@timestamp': timestamp,
    Hostname: `${dst}.corp.local`,
    RecordNumber: record,
    TargetUserName: user,
    TargetDomainName: domain,
    ...(id === 4634 ? {} : { WorkstationName: src, AuthenticationPackageName: pkg === '?' ? t.AuthenticationPackageName : pkg }),
    LogonType: LOGON_TYPES[logonType] ?? t.LogonType,
    Message: replace(t.Message),
  };
  return winlogbeat(r);
}
