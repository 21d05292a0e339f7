// The configuration schema: one zod schema with units in every name, bounds on every number and unknown
// keys rejected. Defaults live here only (config/kisd.example.yaml documents them); the seed's 500-defence
// guide (seeds/000) supplies the HTTP knobs and their recommended values.
import { z } from 'zod';
import { PHASES, phaseTimeSettings, type PhaseDeclaration, type PhaseTimeKey, type PhaseTimeSetting } from '../core/phases.js';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time of day "HH:MM" (00:00-23:59)');
const ymd = z.string().regex(/^\d{8}$/, 'expected a date "YYYYMMDD"');
const int = (min: number, max: number) => z.number().int().min(min).max(max);

/** The phase times configured in one section, from the phase table (src/core/phases.ts) with its defaults. */
const phaseTimes = <S extends 'scheduler' | 'feed'>(section: S) =>
  Object.fromEntries(phaseTimeSettings(section).map((t) => [t.key, hhmm.default(t.default)])) as { [K in PhaseTimeKey<S>]: z.ZodDefault<typeof hhmm> };

const rateWindows = (perSecond: number, perMinute: number, perHour: number) =>
  z
    .strictObject({
      per_second: int(1, 100).default(perSecond),
      per_minute: int(1, 6000).default(perMinute),
      per_hour: int(1, 360000).default(perHour),
    })
    .prefault({});

export const httpSchema = z
  .strictObject({
    connect_timeout_ms: int(100, 60_000).default(5_000),
    read_timeout_ms: int(100, 300_000).default(20_000),
    max_retries: int(0, 20).default(8),
    backoff_base_ms: int(1, 60_000).default(2_000),
    backoff_cap_ms: int(1, 600_000).default(60_000),
    backoff_jitter_ms: int(0, 60_000).default(500),
    /** Replace the HTTP connection pool when a call reaches this attempt (seed: keep-alive tangles). */
    session_reset_at_attempt: int(1, 20).default(3),
    cooldown_after_consecutive_errors: int(1, 1000).default(10),
    cooldown_sec: int(0, 3600).default(180),
    /** Wait after EGW00201 before retrying (the limiter normally prevents it). */
    rate_limited_wait_ms: int(0, 120_000).default(1_000),
  })
  .prefault({});

export const configSchema = z
  .strictObject({
    /** sim: the built-in KIS simulator; paper: KIS's paper (VTS) server; real: the real server. */
    mode: z.enum(['sim', 'paper', 'real']).default('sim'),
    /** Decisions are logged, no order is sent. */
    dry_run: z.boolean().default(false),
    /** Required, with credentials, before kisd sends real orders. */
    real_trading_confirmed: z.boolean().default(false),
    paths: z
      .strictObject({
        /** Root of state/, data/ and log/ (relative paths resolve against the working directory). */
        var_dir: z.string().min(1).default('./var'),
      })
      .prefault({}),
    /** YAML/JSON file with app_key, app_secret, account_no, hts_id; must be mode 0600. Env KISD_CREDENTIALS_FILE overrides. */
    credentials_file: z.string().optional(),
    kis: z
      .strictObject({
        /** Override the REST base URL (default: by mode, fact sheet §1). */
        rest_base_url: z.url().optional(),
        ws_url: z.url().optional(),
        custtype: z.enum(['P', 'B']).default('P'),
        http: httpSchema,
        rate_limits: z
          .strictObject({
            /**
             * KIS real: 20/s per app key nominal; 18/s leaves room for clock skew and other tools. KIS documents
             * no per-minute or per-hour cap: those windows default just above 18/s sustained so they never bind
             * unless you lower them.
             */
            real: rateWindows(18, 1_100, 66_000),
            /** KIS paper: 2/s. */
            paper: rateWindows(2, 120, 7_200),
            /** Margin on the 1 s window so network jitter never shows the server N+1 calls in a second. */
            window_safety_ms: int(0, 500).default(25),
            /** Spread each second's quota evenly (one grant every 1000/per_second ms) instead of in a burst. */
            spread_evenly: z.boolean().default(true),
          })
          .prefault({}),
        token: z
          .strictObject({
            /** Refresh when less than this remains (PK re-issues at < 10 min; 30 min leaves a check interval of slack). */
            refresh_margin_sec: int(60, 43_200).default(1_800),
            min_issue_interval_sec: int(60, 3_600).default(60),
            check_interval_min: int(1, 720).default(30),
            broker_reinit_hours: int(1, 24).default(6),
          })
          .prefault({}),
      })
      .prefault({}),
    coordination: z
      .strictObject({
        /** local: processes sharing one state directory share the budget (budget.db); redis: every host on one Redis. */
        backend: z.enum(['local', 'redis'], { error: 'expected "local" (one host, the default) or "redis" (several hosts)' }).default('local'),
        /** redis://[user[:password]@]host[:port][/db] or rediss:// (TLS); the password may come from KISD_REDIS_PASSWORD instead. */
        redis_url: z.string().regex(/^rediss?:\/\/[^\s]+$/, 'expected a URL "redis://host:6379" or "rediss://host:6380" (TLS)').optional(),
        /** A Redis without a password or ACL user is refused unless this is true. */
        allow_unauthenticated: z.boolean().default(false),
        /** PEM CA bundle that signs the Redis server's certificate (rediss:// only; default: the system's CAs). */
        redis_tls_ca_file: z.string().min(1).optional(),
        /** Share of each rate window this host uses alone while Redis is unreachable. */
        fallback_share: z.number().gt(0, 'must be above 0').max(1, 'must be at most 1 (the whole budget)').default(0.1),
      })
      .prefault({}),
    sim: z
      .strictObject({
        host: z.string().default('127.0.0.1'),
        /** 0 = any free port (printed at start-up). */
        port: int(0, 65_535).default(0),
        /** Which KIS server the simulator emulates (tr_ids, page sizes, rate limit). */
        flavor: z.enum(['real', 'paper']).default('real'),
        seed: int(0, 2 ** 31 - 1).default(1),
        /** Per app key per rolling second; 0 = off. */
        rate_limit_per_sec: int(0, 1000).default(20),
        tick_records_per_sec: int(0, 100_000).default(50),
        holidays: z.array(ymd).default([]),
      })
      .prefault({}),
    dart: z
      .strictObject({
        /** OpenDART (disclosures, financials): the key comes only from KISD_DART_API_KEY; sim mode starts the DART simulator. */
        enabled: z.boolean().default(false),
        /** Override the OpenDART base URL (default https://opendart.fss.or.kr; in sim mode the embedded DART simulator). */
        base_url: z.url().optional(),
        /** Requests per rolling minute per key (OpenDART documents about 1,000). */
        per_minute: int(1, 1_000).default(900),
        /** Requests per KST day per key (OpenDART documents 20,000). */
        per_day: int(1, 20_000).default(19_000),
        /** The disclosure watch: new disclosures of watched and held symbols, polled every N minutes in the window. */
        watch_interval_min: int(1, 120).default(10),
        watch_from: hhmm.default('07:00'),
        watch_until: hhmm.default('19:00'),
      })
      .prefault({}),
    log: z
      .strictObject({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
        /** Relative to paths.var_dir unless absolute; rotated as kisd.<n>.log with a current.log symlink. */
        file: z.string().default('log/kisd.log'),
        max_size_mb: int(1, 1024).default(10),
        max_files: int(1, 100).default(5),
        console: z.enum(['auto', 'pretty', 'json', 'off']).default('auto'),
      })
      .prefault({}),
    feed: z
      .strictObject({
        enabled: z.boolean().default(true),
        kr_watchlist: z.array(z.string()).default(['005930', '000660', '035420', '005935', '051910']),
        us_watchlist: z.array(z.string()).default(['NAS:AAPL', 'NAS:MSFT', 'NAS:NVDA', 'NYS:KO']),
        /** kr_open, us_open: the feed switches (phases kr-feed and us-feed). */
        ...phaseTimes('feed'),
        max_subscriptions: int(1, 41).default(40),
        subscribe_spacing_ms: int(0, 5_000).default(150),
        keepalive_interval_sec: int(5, 600).default(30),
        dead_after_silence_sec: int(5, 3_600).default(60),
        release_grace_ms: int(0, 30_000).default(3_000),
        reconnect_base_ms: int(10, 60_000).default(1_000),
        reconnect_cap_ms: int(100, 600_000).default(30_000),
        reconnect_jitter_ms: int(0, 60_000).default(500),
        /** One summary log line per interval, not one per tick. */
        tick_log_interval_sec: int(1, 3_600).default(60),
        /** After a KR feed gap in session, fetch the missed minute bars through KIS's minute chart. */
        gap_fill: z.boolean().default(true),
        us_holidays: z.array(ymd).default([]),
      })
      .prefault({}),
    scheduler: z
      .strictObject({
        enabled: z.boolean().default(true),
        /** screening_at, selection_from/_until, trading_from/_until, market_close_at, daily_report_at: one per phase time. */
        ...phaseTimes('scheduler'),
        holiday_check_at: hhmm.default('05:30'),
        kr_holidays: z.array(ymd).default([]),
        /** Symbols phase 1 collects and ranks; empty = the whole universe (the simulator's, or feed.kr_watchlist on KIS). */
        screening_symbols: z.array(z.string()).default([]),
        /** Cap on the universe phase 1 collects (0 = no cap): the demo config keeps the first start short. */
        screening_universe_limit: int(0, 10_000).default(0),
      })
      .prefault({}),
    health: z
      .strictObject({
        enabled: z.boolean().default(true),
        host: z.string().default('127.0.0.1'),
        /** 0 = any free port. */
        port: int(0, 65_535).default(9464),
      })
      .prefault({}),
    alerts: z
      .strictObject({
        dedup_window_min: int(0, 1_440).default(30),
        /** SMTP settings come from KISD_SMTP_HOST/PORT/USER/PASSWORD/FROM/TO. */
        email_enabled: z.boolean().default(false),
        /** Generic JSON webhook (Slack/Telegram-compatible "text"); secret URLs belong in KISD_ALERT_WEBHOOK_URL. */
        webhook_enabled: z.boolean().default(false),
      })
      .prefault({}),
    orders: z
      .strictObject({
        /** An order that cannot leave within this many seconds of its decision is abandoned as not sent (never sent late). */
        send_deadline_sec: int(1, 600).default(10),
        /** Seconds between reconciliations of the order journal with KIS (orders, fills, balance). */
        reconcile_interval_sec: int(10, 3_600).default(60),
        /** While no order is open or unknown, reconcile only this often (nights, weekends, a flat session). */
        reconcile_idle_interval_sec: int(60, 86_400).default(3_600),
      })
      .prefault({}),
    trading: z
      .strictObject({
        enabled: z.boolean().default(true),
        /** Strategies run in the trading session: kind from the registry, optional name and params. */
        strategies: z
          .array(z.strictObject({ kind: z.string().min(1), name: z.string().min(1).optional(), params: z.record(z.string(), z.unknown()).default({}) }))
          .default([{ kind: 'opening-range-breakout', params: {} }]),
        /** Capital the daily report measures returns against (KRW). */
        capital_krw: z.number().positive().default(100_000_000),
        risk: z
          .strictObject({
            max_order_value_krw: z.number().positive().default(5_000_000),
            max_position_value_krw: z.number().positive().default(10_000_000),
            max_gross_exposure_krw: z.number().positive().default(30_000_000),
            max_orders_per_minute: int(1, 600).default(20),
            /** Realized + unrealized loss today that trips the kill switch (no new entries until tomorrow or `kisd risk reset`). */
            daily_loss_limit_krw: z.number().positive().default(1_000_000),
          })
          .prefault({}),
        screening: z
          .strictObject({
            lookback_days: int(2, 250).default(20),
            min_price_krw: z.number().nonnegative().default(1_000),
            max_price_krw: z.number().positive().default(1_000_000),
            min_avg_turnover_krw: z.number().nonnegative().default(1_000_000_000),
            momentum_weight: z.number().default(1),
            foreign_net_buying_weight: z.number().default(0.5),
            institution_net_buying_weight: z.number().default(0.5),
            min_score: z.number().default(0),
            /** Names selected into today's batches (batches of at most 40, the WebSocket cap). */
            max_selected: int(1, 400).default(40),
          })
          .prefault({}),
      })
      .prefault({}),
    collect: z
      .strictObject({
        checkpoint_every: int(1, 10_000).default(50),
        concurrency: int(1, 32).default(4),
        /** News ≤ 24 h (checked every 30 min) and consensus ≤ 7 days (every 3 h) for the universe; stale → re-collect. */
        research_freshness: z.boolean().default(true),
        /** The daily research collection (news, opinions, estimates for the universe) on KR trading days at research_at. */
        research_daily: z.boolean().default(true),
        research_at: hhmm.default('08:00'),
        export_csv: z
          .strictObject({
            enabled: z.boolean().default(false),
            out_dir: z.string().default('data/csv'),
            mode: z.enum(['overwrite', 'append']).default('overwrite'),
            /** Empty = every table. */
            tables: z.array(z.string()).default([]),
          })
          .prefault({}),
      })
      .prefault({}),
  })
  .superRefine((cfg, ctx) => {
    if (cfg.mode === 'real' && !cfg.dry_run && !cfg.real_trading_confirmed) {
      ctx.addIssue({ code: 'custom', path: ['real_trading_confirmed'], message: 'mode "real" sends real orders: set real_trading_confirmed: true, or dry_run: true to only log decisions' });
    }
    if (cfg.coordination.backend === 'redis' && !cfg.coordination.redis_url) {
      ctx.addIssue({ code: 'custom', path: ['coordination', 'redis_url'], message: 'coordination.backend "redis" needs redis_url (e.g. "rediss://kisd@redis.example:6380"), or set backend: local' });
    }
    if (cfg.coordination.redis_tls_ca_file && !cfg.coordination.redis_url?.startsWith('rediss://')) {
      ctx.addIssue({ code: 'custom', path: ['coordination', 'redis_tls_ca_file'], message: 'a CA file only applies to a TLS URL: write redis_url as "rediss://..."' });
    }
    if (cfg.dart.watch_until <= cfg.dart.watch_from) {
      ctx.addIssue({ code: 'custom', path: ['dart', 'watch_until'], message: `must be later than dart.watch_from (${cfg.dart.watch_from})` });
    }
    if (cfg.kis.http.backoff_cap_ms < cfg.kis.http.backoff_base_ms) {
      ctx.addIssue({ code: 'custom', path: ['kis', 'http', 'backoff_cap_ms'], message: `must be >= kis.http.backoff_base_ms (${cfg.kis.http.backoff_base_ms})` });
    }
    // Two registrations per domestic symbol (H0STCNT0 tick + H0STASP0 book) plus one for our execution
    // notices (H0STCNI0, when an HTS id is set); one per US symbol.
    const krNeeded = cfg.feed.kr_watchlist.length * 2 + 1;
    if (cfg.feed.enabled && krNeeded > cfg.feed.max_subscriptions) {
      ctx.addIssue({ code: 'custom', path: ['feed', 'kr_watchlist'], message: `${cfg.feed.kr_watchlist.length} symbols need ${krNeeded} registrations (tick + order book each, + execution notices); one socket allows feed.max_subscriptions = ${cfg.feed.max_subscriptions}` });
    }
    const every = cfg.kis.token.check_interval_min;
    if (!(60 % every === 0 || (every % 60 === 0 && 24 % (every / 60) === 0))) {
      ctx.addIssue({ code: 'custom', path: ['kis', 'token', 'check_interval_min'], message: `must divide 60, or be whole hours that divide 24 (e.g. 10, 15, 30, 60, 120; got ${every})` });
    }
    if (cfg.feed.kr_open >= cfg.feed.us_open) {
      ctx.addIssue({ code: 'custom', path: ['feed', 'us_open'], message: `the US socket opens after the KR one each day: must be later than feed.kr_open (${cfg.feed.kr_open})` });
    }
    if (cfg.feed.enabled && cfg.feed.us_watchlist.length > cfg.feed.max_subscriptions) {
      ctx.addIssue({ code: 'custom', path: ['feed', 'us_watchlist'], message: `${cfg.feed.us_watchlist.length} symbols exceed feed.max_subscriptions = ${cfg.feed.max_subscriptions}` });
    }
    // From the phase table (src/core/phases.ts): a window or session ends after it starts, and the day's phases
    // run in table order (a restart recovers them in it); each start may equal the previous one.
    const phases = PHASES as readonly PhaseDeclaration[];
    const timeOf = (t: PhaseTimeSetting): string => String((cfg[t.section] as Record<string, unknown>)[t.key]);
    for (const p of phases) {
      for (const end of [p.windowEndsAt, p.endsAt]) {
        if (end && timeOf(end) <= timeOf(p.at)) ctx.addIssue({ code: 'custom', path: [end.section, end.key], message: `must be later than ${p.at.section}.${p.at.key}` });
      }
    }
    const order: [string[], string][] = phases.map((p) => [[p.at.section, p.at.key], timeOf(p.at)]);
    for (let i = 1; i < order.length; i++) {
      const [prevPath, prev] = order[i - 1]!;
      const [path, at] = order[i]!;
      if (at < prev) {
        ctx.addIssue({ code: 'custom', path, message: `must not be earlier than ${prevPath.join('.')} (${prev}): the day runs ${order.map(([p]) => p.join('.')).join(' <= ')}` });
      }
    }
    for (const [i, code] of cfg.feed.kr_watchlist.entries()) {
      if (!/^[0-9A-Z]{6}$/.test(code)) ctx.addIssue({ code: 'custom', path: ['feed', 'kr_watchlist', i], message: 'expected a 6-character KRX code such as "005930"' });
    }
    for (const [i, key] of cfg.feed.us_watchlist.entries()) {
      if (!/^([A-Za-z]{3}:)?[A-Za-z0-9.\-/]+$/.test(key)) ctx.addIssue({ code: 'custom', path: ['feed', 'us_watchlist', i], message: 'expected "EXCHANGE:SYMBOL" such as "NAS:AAPL" (NAS, NYS, AMS)' });
    }
    if (cfg.feed.reconnect_cap_ms < cfg.feed.reconnect_base_ms) {
      ctx.addIssue({ code: 'custom', path: ['feed', 'reconnect_cap_ms'], message: `must be >= feed.reconnect_base_ms (${cfg.feed.reconnect_base_ms})` });
    }
    const risk = cfg.trading.risk;
    if (risk.max_order_value_krw > risk.max_position_value_krw) {
      ctx.addIssue({ code: 'custom', path: ['trading', 'risk', 'max_order_value_krw'], message: `must not exceed trading.risk.max_position_value_krw (${risk.max_position_value_krw})` });
    }
    if (risk.max_position_value_krw > risk.max_gross_exposure_krw) {
      ctx.addIssue({ code: 'custom', path: ['trading', 'risk', 'max_position_value_krw'], message: `must not exceed trading.risk.max_gross_exposure_krw (${risk.max_gross_exposure_krw})` });
    }
    if (cfg.trading.screening.max_price_krw <= cfg.trading.screening.min_price_krw) {
      ctx.addIssue({ code: 'custom', path: ['trading', 'screening', 'max_price_krw'], message: `must be greater than trading.screening.min_price_krw (${cfg.trading.screening.min_price_krw})` });
    }
  });

export type RawConfig = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;
