// One simulated authentication event and the LANL auth.txt line it becomes, plus small builders for the
// record shapes Windows/Kerberos logging produces, so benign and red-team code emit identical shapes (a session
// closed by its logoff, an interactive logon with its AuthMap: campaigns.ts attackerLogon).

import type { CampaignClass } from './profile.js';

export type CampaignId = CampaignClass;

export interface AuthEvent {
  /** Seconds from the start of the simulation (day 0 = Monday 00:00). */
  time: number;
  srcUser: string;
  dstUser: string;
  srcHost: string;
  dstHost: string;
  authType: string;
  logonType: string;
  orientation: string;
  success: boolean;
  /** Set on red-team events only: the campaign that produced it. */
  campaign?: CampaignId;
  /** Set on red-team events only: `class#n`, the campaign instance (several events, possibly two days). */
  instance?: string;
}

/** The LANL auth line: time,src_user@domain,dst_user@domain,src_computer,dst_computer,auth_type,logon_type,auth_orientation,success */
export function formatAuthLine(e: AuthEvent): string {
  return `${e.time},${e.srcUser},${e.dstUser},${e.srcHost},${e.dstHost},${e.authType},${e.logonType},${e.orientation},${e.success ? 'Success' : 'Fail'}`;
}

/** The LANL red-team label line: time,user@domain,src_computer,dst_computer */
export function formatRedTeamLine(e: AuthEvent): string {
  return `${e.time},${e.srcUser},${e.srcHost},${e.dstHost}`;
}

/** Columns of campaigns.tsv, the per-event ground truth beside LANL's redteam.txt. */
export const GROUND_TRUTH_HEADER = 'time\tuser\tsrc\tdst\tcampaign_class\tcampaign_instance';

/** One campaigns.tsv row: the redteam.txt key plus the class and instance that produced the event. */
export function formatGroundTruthLine(e: AuthEvent): string {
  return `${e.time}\t${e.srcUser}\t${e.srcHost}\t${e.dstHost}\t${e.campaign ?? ''}\t${e.instance ?? ''}`;
}

/** The key a label matches on (docs/contracts.md, Labels). */
export function labelKey(e: Pick<AuthEvent, 'time' | 'srcUser' | 'srcHost' | 'dstHost'>): string {
  return `${e.time}|${e.srcUser}|${e.srcHost}|${e.dstHost}`;
}

/** `auth_type,logon_type,auth_orientation,success`: the event type used in summaries. */
export function eventType(e: AuthEvent): string {
  return `${e.authType},${e.logonType},${e.orientation},${e.success ? 'Success' : 'Fail'}`;
}

/** Collects events for one day; times are clamped into the day so every file stays in day order. */
export class DayLog {
  readonly events: AuthEvent[] = [];
  readonly start: number;
  constructor(readonly day: number) {
    this.start = day * 86400;
  }

  /** A campaign's cover records (campaigns.ts CampaignResult.cover): what `add` writes inside covering(). */
  readonly cover: AuthEvent[] = [];
  private toCover = false;

  /** `t` is seconds since this day's midnight (fractions allowed; floored). */
  add(t: number, e: Omit<AuthEvent, 'time'>): void {
    const sec = Math.min(86399, Math.max(0, Math.floor(t)));
    (this.toCover ? this.cover : this.events).push({ time: this.start + sec, ...e });
  }

  /** Runs `write` with its records going to `cover` rather than `events`. */
  covering(write: () => void): void {
    this.toCover = true;
    try {
      write();
    } finally {
      this.toCover = false;
    }
  }

  /** Kerberos ticket-granting ticket; LANL logs it with the client on both sides. */
  tgt(t: number, user: string, client: string, success = true): void {
    this.add(t, { srcUser: user, dstUser: user, srcHost: client, dstHost: client, authType: '?', logonType: '?', orientation: 'TGT', success });
  }

  /** Kerberos service ticket for `service` (the destination host). */
  tgs(t: number, user: string, client: string, service: string, success = true): void {
    this.add(t, { srcUser: user, dstUser: user, srcHost: client, dstHost: service, authType: '?', logonType: '?', orientation: 'TGS', success });
  }

  logon(t: number, user: string, src: string, dst: string, authType: string, logonType: string, success = true, dstUser = user): void {
    this.add(t, { srcUser: user, dstUser, srcHost: src, dstHost: dst, authType, logonType, orientation: 'LogOn', success });
  }

  /** LANL records a logoff on the host where the session lived, as src = dst = that host. */
  logoff(t: number, user: string, host: string, logonType: string, dstUser = user): void {
    this.add(t, { srcUser: user, dstUser, srcHost: host, dstHost: host, authType: '?', logonType, orientation: 'LogOff', success: true });
  }

  /** Maps a domain user onto the workstation's machine account at interactive logon. */
  authMap(t: number, user: string, host: string): void {
    this.add(t, { srcUser: user, dstUser: machineAccount(host), srcHost: host, dstHost: host, authType: '?', logonType: '?', orientation: 'AuthMap', success: true });
  }

  /** A complete network session: logon at `dst`, logoff `seconds` later. */
  networkSession(t: number, user: string, src: string, dst: string, authType: string, seconds: number): void {
    this.logon(t, user, src, dst, authType, 'Network');
    this.logoff(t + seconds, user, dst, 'Network');
  }
}

export function machineAccount(host: string): string {
  return `${host}$@DOM1`;
}
