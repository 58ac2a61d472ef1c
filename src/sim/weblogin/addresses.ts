// Where simulated web logins come from: address blocks of real autonomous systems, each with the country and AS
// the bundled @ip-location-db databases give it. Every address handed out is looked up through the weblogin
// adapter's own enrichment before use, so a database update that moves a block fails loudly instead of
// silently turning a "new country" campaign into an ordinary login.
import { SeqSentryError } from '../../core/errors.js';
import { asnOf, countryOf } from '../../adapters/weblogin-enrich.js';

export interface AddressBlock {
  /** What the block stands for in the simulation. */
  use: 'office' | 'home' | 'mobile' | 'foreign' | 'hosting';
  /** First address of the block (its network address, never handed out). */
  start: string;
  /** Addresses in the block. */
  size: number;
  country: string;
  asn: string;
}

/**
 * Found in @ip-location-db/asn (asn-ipv4-num.csv) by AS number, then checked with countryOf/asnOf: 255 addresses
 * spread over each block gave the one country and AS below. Blocks whose addresses span several countries in the
 * country database (OVH, Hetzner) were left out.
 */
export const ADDRESS_BLOCKS = Object.freeze({
  office: { use: 'office', start: '23.29.96.0', size: 4096, country: 'US', asn: 'AS701' }, // Verizon Business
  comcast: { use: 'home', start: '23.24.0.0', size: 131072, country: 'US', asn: 'AS7922' },
  att: { use: 'home', start: '12.0.0.0', size: 30720, country: 'US', asn: 'AS7018' },
  charter: { use: 'home', start: '16.203.0.0', size: 49152, country: 'US', asn: 'AS20115' },
  tmobile: { use: 'mobile', start: '23.18.0.0', size: 65536, country: 'US', asn: 'AS21928' },
  telekom: { use: 'foreign', start: '2.160.0.0', size: 1048576, country: 'DE', asn: 'AS3320' },
  bt: { use: 'foreign', start: '5.80.0.0', size: 131072, country: 'GB', asn: 'AS2856' },
  rostelecom: { use: 'foreign', start: '2.60.0.0', size: 233472, country: 'RU', asn: 'AS12389' },
  chinanet: { use: 'foreign', start: '1.48.0.0', size: 16384, country: 'CN', asn: 'AS4134' },
  digitalocean: { use: 'hosting', start: '5.101.96.0', size: 4096, country: 'NL', asn: 'AS14061' },
} satisfies Record<string, AddressBlock>);

export type BlockName = keyof typeof ADDRESS_BLOCKS;

export const HOME_BLOCKS: readonly BlockName[] = ['comcast', 'att', 'charter'];
export const FOREIGN_BLOCKS: readonly BlockName[] = ['telekom', 'bt', 'rostelecom', 'chinanet'];

function ipv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function ipv4Number(ip: string): number {
  return ip.split('.').reduce((acc, p) => acc * 256 + Number(p), 0);
}

const checked = new Set<string>();

/** The `k`-th usable address of a block (wrapping), after checking the databases put it where the block says. */
export function blockAddress(name: BlockName, k: number): string {
  const block: AddressBlock = ADDRESS_BLOCKS[name];
  const ip = ipv4(ipv4Number(block.start) + 1 + (Math.abs(Math.trunc(k)) % (block.size - 2)));
  if (!checked.has(ip)) {
    const country = countryOf(ip);
    const asn = asnOf(ip);
    if (country !== block.country || asn !== block.asn) {
      throw new SeqSentryError(`simulate weblogin: address ${ip} of block ${name} is ${country}/${asn} in the bundled databases, not ${block.country}/${block.asn} (src/sim/weblogin/addresses.ts)`);
    }
    checked.add(ip);
  }
  return ip;
}
