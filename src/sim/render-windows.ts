// Renders simulated authentication events as Winlogbeat-shaped Windows Security events, one event per simulated
// event so that red-team labels map 1:1 and the same enterprise can be scored as LANL lines and as Windows events.
// What Windows logs differently from LANL's auth.txt, and how it is represented here:
// - LogOn → 4624 (4625 when it failed, Status 0xC000006D / SubStatus 0xC000006A) on the destination computer, with
//   the logon type's number, the authentication package, WorkstationName = the source and IpAddress = its address.
// - LogOff → 4634 on the host; AuthMap (a user mapped onto the workstation at interactive logon) → 4672 on the host,
//   the per-logon companion event with the same user and host on both sides.
// - TGT → 4768 (4771 when pre-authentication failed, 0x18) and TGS → 4769 (0x20 on failure), logged by the client's
//   domain controller: a DC knows the client by IpAddress, not by name, so these events' source is the client's
//   address from the enterprise's address plan (`AddressPlan`), and a TGT's destination is that DC (LANL writes
//   the client on both sides). A TGS names the service as `HOST$`, which the adapter reads back as the host.
// - The account is LANL's source user (the credentials used), split into TargetUserName and TargetDomainName.
import type { AuthEvent } from './auth-event.js';
import type { Enterprise } from './enterprise.js';

/** Day 0 of every rendered simulation: Monday 1 January 2024, 00:00 UTC (LANL times count seconds from it). */
export const SIM_EPOCH_SECONDS = Date.UTC(2024, 0, 1) / 1000;

/** The rendered time of a simulated second. */
export function isoTime(simSeconds: number): string {
  return new Date((SIM_EPOCH_SECONDS + simSeconds) * 1000).toISOString();
}

const PROVIDER = 'Microsoft-Windows-Security-Auditing';

/** LANL logon type names → the LogonType numbers Windows writes (learn.microsoft.com, event 4624). */
const LOGON_TYPES: Readonly<Record<string, string>> = Object.freeze({
  Interactive: '2', Network: '3', Batch: '4', Service: '5', Unlock: '7', NetworkCleartext: '8', NewCredentials: '9',
  RemoteInteractive: '10', CachedInteractive: '11',
});

/** What an event id's EventData holds for one simulated event, and the computer that logs it. */
interface Parts {
  e: AuthEvent;
  name: string;
  domain: string;
  /** The client's address from the plan (for the DC's view of a Kerberos client). */
  client: () => string;
  dc: () => string;
}
type Builder = (p: Parts) => { computer: string; data: Record<string, string> };

const logon: Builder = ({ e, name, domain, client }) => ({
  computer: e.dstHost,
  data: {
    TargetUserName: name, TargetDomainName: domain, LogonType: LOGON_TYPES[e.logonType] ?? e.logonType, AuthenticationPackageName: e.authType,
    WorkstationName: e.srcHost, IpAddress: e.srcHost === e.dstHost ? '127.0.0.1' : client(),
  },
});

/** Per LANL orientation and outcome: the event id, how its EventData is filled, and its status codes. */
const EVENTS: Readonly<Record<string, { id: string; build: Builder; status?: string; subStatus?: string }>> = Object.freeze({
  'LogOn:ok': { id: '4624', build: logon },
  'LogOn:fail': { id: '4625', build: logon, status: '0xC000006D', subStatus: '0xC000006A' },
  'LogOff:ok': {
    id: '4634',
    build: ({ e, name, domain }) => ({ computer: e.dstHost, data: { TargetUserName: name, TargetDomainName: domain, LogonType: LOGON_TYPES[e.logonType] ?? e.logonType } }),
  },
  // 4672 names its account as the subject
  'AuthMap:ok': { id: '4672', build: ({ e, name, domain }) => ({ computer: e.dstHost, data: { SubjectUserName: name, SubjectDomainName: domain } }) },
  'TGT:ok': {
    id: '4768', status: '0x0',
    build: ({ name, domain, client, dc }) => ({ computer: dc(), data: { TargetUserName: name, TargetDomainName: domain, IpAddress: `::ffff:${client()}`, TicketOptions: '0x40810010', TicketEncryptionType: '0x12' } }),
  },
  'TGT:fail': { id: '4771', status: '0x18', build: ({ name, client, dc }) => ({ computer: dc(), data: { TargetUserName: name, IpAddress: `::ffff:${client()}`, TicketOptions: '0x40810010' } }) },
  'TGS:ok': { id: '4769', status: '0x0', build: (p) => ticket(p) },
  'TGS:fail': { id: '4769', status: '0x20', build: (p) => ticket(p) },
});

function ticket({ e, name, domain, client, dc }: Parts): ReturnType<Builder> {
  return { computer: dc(), data: { TargetUserName: name, TargetDomainName: domain, ServiceName: `${e.dstHost}$`, IpAddress: `::ffff:${client()}`, TicketOptions: '0x40810000', TicketEncryptionType: '0x12' } };
}

/**
 * Private IPv4 addresses for the enterprise's hosts, 10.0.0.1 upwards in the order the hosts were built (then in
 * the order any other host is first rendered), so the plan is the same for every rendering of a seed and one
 * address is one host.
 */
export class AddressPlan {
  private readonly byHost = new Map<string, string>();

  constructor(hosts: Iterable<string>) {
    for (const h of hosts) this.of(h);
  }

  of(host: string): string {
    let ip = this.byHost.get(host);
    if (ip === undefined) {
      const n = this.byHost.size + 1;
      if (n >= 1 << 24) throw new RangeError(`address plan: more than ${(1 << 24) - 2} hosts`);
      ip = `10.${n >>> 16}.${(n >>> 8) & 255}.${n & 255}`;
      this.byHost.set(host, ip);
    }
    return ip;
  }
}

function account(lanlUser: string): { name: string; domain: string } {
  const at = lanlUser.lastIndexOf('@');
  return at > 0 ? { name: lanlUser.slice(0, at), domain: lanlUser.slice(at + 1) } : { name: lanlUser, domain: '-' };
}

export interface WindowsRendering {
  /** One Winlogbeat document (as one JSON line) per simulated event. */
  event(e: AuthEvent): Record<string, unknown>;
}

/** A renderer bound to one enterprise: its DCs (who logs Kerberos events) and its address plan. */
export function windowsRendering(ent: Enterprise, plan = new AddressPlan(ent.hosts.keys())): WindowsRendering {
  const dcOf = (client: string): string => ent.hosts.get(client)?.dc ?? (ent.dcs[0] as string);
  return {
    event(e) {
      const kind = EVENTS[`${e.orientation}:${e.success ? 'ok' : 'fail'}`];
      if (!kind) throw new RangeError(`windows rendering: no Windows event for ${e.orientation} ${e.success ? 'success' : 'failure'}`);
      const { computer, data } = kind.build({ e, ...account(e.srcUser), client: () => plan.of(e.srcHost), dc: () => dcOf(e.srcHost) });
      if (kind.status !== undefined) data.Status = kind.status;
      if (kind.subStatus !== undefined) data.SubStatus = kind.subStatus;
      return {
        '@timestamp': isoTime(e.time),
        event: { code: kind.id, provider: PROVIDER, outcome: e.success ? 'success' : 'failure' },
        host: { name: computer },
        winlog: { channel: 'Security', provider_name: PROVIDER, event_id: kind.id, computer_name: computer, event_data: data },
      };
    },
  };
}
