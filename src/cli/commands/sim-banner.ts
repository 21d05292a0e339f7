// What `kisd sim` prints at start: where it listens, the credentials it accepts and ready-to-paste client
// configuration (kisd's own YAML, and the kis_devlp.yaml of KIS's official Python sample, open-trading-api),
// so a client can be pointed at it without reading the source. Pure text; the command writes it to stdout.
import type { SimAppCredentials } from './sim-apps-file.js';

export interface SimBannerInput {
  flavor: 'real' | 'paper';
  seed: number;
  /** per app key per second; 0 = unlimited */
  ratePerSec: number;
  restUrl: string;
  wsUrl: string;
  /** The built-in (or configured) app first, then those from --credentials files. */
  apps: readonly SimAppCredentials[];
  /**
   * Whether the first app's values may be printed in full: true for kisd's built-in simulator credentials,
   * false when they came from KISD_APP_* / a credentials file (they might be someone's real keys).
   */
  firstIsBuiltIn: boolean;
  /** Files the further apps came from, for the banner. */
  credentialFiles: readonly string[];
  /** "2026-11-23 08:55:00 KST, 60x" when time travel is on. */
  clockNote?: string;
  /** The OpenDART simulator beside it: its URL and the crtfc_key it accepts (a simulator key, not a secret). */
  dart?: { url: string; apiKey: string };
  /** With time travel: the `kisd run …` flags that make a daemon follow this simulator's clock. */
  followClock?: string;
}

function mask(v: string): string {
  return `${v.slice(0, 4)}${'*'.repeat(Math.min(8, Math.max(0, v.length - 4)))} (${v.length} chars)`;
}

function maskAccount(accountNo: string): string {
  return `${accountNo.slice(0, 2)}******${accountNo.slice(8)}`;
}

/** The banner, ending with a newline. */
export function simBanner(o: SimBannerInput): string {
  const [first, ...more] = o.apps;
  if (!first) throw new TypeError('simBanner needs at least one app');
  const [cano = '', prdt = ''] = first.accountNo.split('-');
  const show = (v: string): string => (o.firstIsBuiltIn ? v : `${mask(v)} (as configured)`);
  const paper = o.flavor === 'paper';
  const other = paper ? 'real' : 'paper';
  const lines = [
    `KIS simulator: the ${paper ? 'paper (모의투자, VTS)' : 'real (실전)'} server, seed ${o.seed}, ${o.ratePerSec > 0 ? `${o.ratePerSec} req/s per app key` : 'no rate limit'}${o.clockNote ? `, clock ${o.clockNote}` : ''}`,
    `  REST       ${o.restUrl}`,
    `  WebSocket  ${o.wsUrl}   (any path, e.g. ${o.wsUrl}/tryitout)`,
    `  control    GET ${o.restUrl}/__sim/stats · POST ${o.restUrl}/__sim/faults · POST ${o.restUrl}/__sim/tokens/expire`,
    ...(o.dart ? [`  DART       ${o.dart.url}   (OpenDART simulator; crtfc_key ${o.dart.apiKey}; control ${o.dart.url}/__sim/faults)`] : []),
    '',
    `Credentials it accepts${o.firstIsBuiltIn ? ' (simulator credentials, not secrets)' : ''}:`,
    `  app key     ${show(first.appKey)}`,
    `  app secret  ${show(first.appSecret)}`,
    `  account     ${o.firstIsBuiltIn ? `${first.accountNo}  (CANO ${cano}, ACNT_PRDT_CD ${prdt})` : `${maskAccount(first.accountNo)} (as configured)`}`,
    `  HTS id      ${o.firstIsBuiltIn ? first.htsId : `${mask(first.htsId)} (as configured)`}`,
  ];
  if (more.length > 0) {
    lines.push(`  and ${more.length} more app${more.length === 1 ? '' : 's'} from ${o.credentialFiles.join(', ')} (each its own account and rate budget):`);
    for (const a of more) lines.push(`    app key ${mask(a.appKey)}  account ${maskAccount(a.accountNo)}  HTS id ${a.htsId}`);
  }
  lines.push(
    `  Order and account tr_ids must be the ${o.flavor} server's (${paper ? 'VTTC…' : 'TTTC…'}); a client sending ${paper ? 'TTTC…' : 'VTTC…'} needs \`kisd sim --flavor ${other}\`.`,
    '',
    'kisd (your kisd.yaml):',
    '  mode: sim',
    '  kis:',
    `    rest_base_url: ${o.restUrl}`,
    `    ws_url: ${o.wsUrl}`,
    ...(o.dart ? ['  dart:', '    enabled: true', `    base_url: ${o.dart.url}`] : []),
    ...(o.followClock ? ['  and start it on this clock:', `    ${o.followClock}`] : []),
  );
  const appValue = o.firstIsBuiltIn ? first.appKey : '<your app key>';
  const secValue = o.firstIsBuiltIn ? first.appSecret : '<your app secret>';
  const acctValue = o.firstIsBuiltIn ? cano : '<CANO>';
  const hts = o.firstIsBuiltIn ? first.htsId : '<HTS id>';
  lines.push(
    '',
    `KIS's official Python sample (~/KIS/config/kis_devlp.yaml; then ka.auth(svr="${paper ? 'vps' : 'prod'}")):`,
    ...(paper
      ? [`  paper_app: "${appValue}"`, `  paper_sec: "${secValue}"`, `  my_paper_stock: "${acctValue}"`]
      : [`  my_app: "${appValue}"`, `  my_sec: "${secValue}"`, `  my_acct_stock: "${acctValue}"`]),
    `  my_htsid: "${hts}"`,
    `  my_prod: "${prdt}"`,
    ...(paper ? [`  vps: "${o.restUrl}"`, `  vops: "${o.wsUrl}"`] : [`  prod: "${o.restUrl}"`, `  ops: "${o.wsUrl}"`]),
    '',
    'Any other client: set its REST and WebSocket base URLs to the two above (plain http:// and ws://).',
    'Press Ctrl+C to stop.',
    '',
  );
  return lines.join('\n');
}
