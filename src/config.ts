import { BlockList, isIP, isIPv4 } from 'node:net';
import { z } from 'zod';

const port = z.coerce.number().int().min(1).max(65535);

/** The subnets express's `trust proxy` knows by name. */
const namedSubnets = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * The widest subnets TRUST_PROXY takes. A /8 of IPv4 (16 million addresses, 10.0.0.0/8) and a /16
 * of IPv6 are already more than any operator's proxies: anything wider, up to 0.0.0.0/0 or ::/0,
 * trusts the Internet's addresses and is `true` in disguise (the client writes X-Forwarded-For).
 */
const minimumPrefix = { 4: 8, 6: 16 } as const;

/** More hops than any real chain of proxies; 4294967295 would be `true` in disguise too. */
const maximumHops = 10;

/**
 * Where IPv4 addresses sit in IPv6 (::ffff:a.b.c.d). express matches an IPv4 client against an
 * IPv6 subnet in this form, so ::/16 or ::ffff:0:0/96 would trust every IPv4 address: such a
 * subnet is held to the IPv4 minimum, counted in its last 32 bits.
 */
const ipv4Mapped = new BlockList();
ipv4Mapped.addSubnet('::ffff:0:0', 96, 'ipv6');

/** The prefix length of an IPv4 netmask (255.255.0.0: 16), or undefined if its ones are not contiguous. */
function netmaskPrefix(netmask: string): number | undefined {
  const bits = netmask.split('.').map((octet) => Number(octet).toString(2).padStart(8, '0')).join('');
  return /^1*0*$/.test(bits) ? bits.indexOf('0') === -1 ? 32 : bits.indexOf('0') : undefined;
}

/** What a TRUST_PROXY entry is: a proxy address or a subnet of at least the minimum prefix ('ok'), too wide, or not one. */
function proxyEntry(entry: string): 'ok' | 'too-wide' | 'invalid' {
  if (namedSubnets.has(entry) || isIP(entry) !== 0) return 'ok';
  const [address = '', range, ...rest] = entry.split('/');
  if (range === undefined || rest.length > 0) return 'invalid';
  const family = isIP(address);
  let bits: number | undefined;
  if (family === 4 && isIPv4(range)) bits = netmaskPrefix(range);
  else if (family !== 0 && /^\d{1,3}$/.test(range) && Number(range) <= (family === 4 ? 32 : 128)) bits = Number(range);
  if (bits === undefined || family === 0) return 'invalid';
  if (family === 4) return bits < minimumPrefix[4] ? 'too-wide' : 'ok';
  if (bits < minimumPrefix[6]) return 'too-wide';
  // Does the subnet hold IPv4-mapped addresses? It holds ::ffff:0:0 if it is that wide, else its own address says.
  const subnet = new BlockList();
  subnet.addSubnet(address, bits, 'ipv6');
  const mapsIpv4 = bits <= 96 ? subnet.check('::ffff:0:0', 'ipv6') : ipv4Mapped.check(address, 'ipv6');
  return mapsIpv4 && bits < 96 + minimumPrefix[4] ? 'too-wide' : 'ok';
}

/**
 * TRUST_PROXY as express's `trust proxy` takes it: false, a hop count, or a comma-separated list
 * of proxy addresses and subnets. `true` would believe the leftmost X-Forwarded-For entry, which
 * the client writes, so anyone could pick the address the login and registration limits count;
 * so would a hop count above 10 or a subnet wider than /8 (IPv4) or /16 (IPv6), which are refused.
 */
function trustProxySetting(value: string, context: z.RefinementCtx): false | number | string {
  if (value === 'false') return false;
  if (/^\d+$/.test(value)) {
    if (Number(value) <= maximumHops) return Number(value);
    context.addIssue({
      code: 'custom',
      message: `${value} hops would believe X-Forwarded-For entries a client writes; set the number of proxies in front of the service (at most ${maximumHops}, e.g. TRUST_PROXY=1) or their addresses/subnets`,
    });
    return z.NEVER;
  }
  if (value === 'true') {
    context.addIssue({
      code: 'custom',
      message:
        'true would believe any X-Forwarded-For a client sends; set the number of proxies in front of the service (e.g. TRUST_PROXY=1) or their addresses/subnets (e.g. TRUST_PROXY=10.0.0.0/8 or loopback)',
    });
    return z.NEVER;
  }
  const entries = value.split(',').map((entry) => entry.trim());
  const kinds = entries.map((entry) => [entry, proxyEntry(entry)] as const);
  const bad = kinds.filter(([, kind]) => kind === 'invalid').map(([entry]) => entry);
  if (bad.length > 0) {
    context.addIssue({
      code: 'custom',
      message: `must be false, a number of proxies, or comma-separated proxy addresses/subnets (CIDR, loopback, linklocal, uniquelocal); not ${bad.map((entry) => JSON.stringify(entry)).join(', ')}`,
    });
    return z.NEVER;
  }
  const wide = kinds.filter(([, kind]) => kind === 'too-wide').map(([entry]) => entry);
  if (wide.length > 0) {
    context.addIssue({
      code: 'custom',
      message: `${wide.map((entry) => JSON.stringify(entry)).join(', ')} would believe X-Forwarded-For from most of the Internet, as true would; name the proxies' addresses or subnets of at least /${minimumPrefix[4]} (IPv4) or /${minimumPrefix[6]} (IPv6), e.g. TRUST_PROXY=10.0.0.0/8, loopback or uniquelocal (all of 10/8, 172.16/12, 192.168/16 and fc00::/7)`,
    });
    return z.NEVER;
  }
  return entries.join(',');
}

/** Environment variables read at start-up; see the README's configuration table. */
export const configSchema = z
  .object({
    DATABASE_URL: z
      .string()
      .url()
      .refine((url) => /^postgres(ql)?:\/\//.test(url), 'must be a postgres:// or postgresql:// URL')
      .optional(),
    DATA_DIR: z.string().min(1).default('./.data'),
    EMBEDDED_PG_PORT: port.default(5433),
    EVENT_STORE: z.enum(['postgres', 'kurrentdb']).default('postgres'),
    KURRENTDB_URL: z.string().min(1).optional(),
    PORT: port.default(3000),
    BASE_DOMAIN: z.string().min(1).default('localhost'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    // At least 2: a user-administration act holds its transaction's connection while the event
    // store's append takes a second one (and acts run one at a time per process); with 1 the
    // append would wait for the connection its own transaction holds, forever.
    DB_POOL_SIZE: z.coerce.number().int().min(2).max(200).default(20),
    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
    /**
     * Empty read schemas kept built ahead (schema-pool.ts), so that a registration renames one
     * instead of creating tables while the company waits; 0 builds each in the request.
     */
    READ_SCHEMA_POOL_SIZE: z.coerce.number().int().min(0).max(50).default(2),
    /**
     * Which proxies in front of the service to believe about the client's address
     * (X-Forwarded-For): `false` (none, the default: the socket's address), a number of hops, or
     * a comma-separated list of proxy addresses or subnets (CIDR, or express's names `loopback`,
     * `linklocal`, `uniquelocal`). The login and registration limits count per client address.
     * `true` is refused: it believes the leftmost entry, which the client writes itself.
     */
    TRUST_PROXY: z.string().default('false').transform(trustProxySetting),
    /** Mark the session cookie Secure (set it when clients reach the service over HTTPS, e.g. behind a TLS proxy). */
    SESSION_COOKIE_SECURE: z.enum(['true', 'false']).default('false').transform((value) => value === 'true'),
    /** On the first start against an empty database, create the `demo` tenant (DEMO=false skips it). */
    DEMO: z.enum(['true', 'false']).default('true').transform((value) => value === 'true'),
  });

/** The parsed, validated configuration. */
export type Config = z.infer<typeof configSchema>;

/** Thrown when the environment does not describe a valid configuration. */
export class ConfigError extends Error {
  readonly code = 'invalid-config';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses the configuration from environment variables. Empty strings count as unset, so
 * `DATABASE_URL= npm start` means "use the embedded database".
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = configSchema.safeParse(present);
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`);
  // Checked apart from the schema so that it is reported together with every other problem.
  if (present.EVENT_STORE === 'kurrentdb' && !present.KURRENTDB_URL) problems.push('KURRENTDB_URL: required when EVENT_STORE=kurrentdb');
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  return parsed.data;
}
