import { isIP, isIPv4 } from 'node:net';
import { z } from 'zod';

const port = z.coerce.number().int().min(1).max(65535);

/** The subnets express's `trust proxy` knows by name. */
const namedSubnets = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** Whether `entry` is a proxy address, a subnet (`address/bits` or `IPv4/netmask`) or a named subnet. */
function isProxyAddress(entry: string): boolean {
  if (namedSubnets.has(entry) || isIP(entry) !== 0) return true;
  const [address = '', range, ...rest] = entry.split('/');
  if (range === undefined || rest.length > 0) return false;
  const family = isIP(address);
  if (family === 4 && isIPv4(range)) return true;
  return family !== 0 && /^\d{1,3}$/.test(range) && Number(range) <= (family === 4 ? 32 : 128);
}

/**
 * TRUST_PROXY as express's `trust proxy` takes it: false, a hop count, or a comma-separated list
 * of proxy addresses and subnets. `true` would believe the leftmost X-Forwarded-For entry, which
 * the client writes, so anyone could pick the address the login and registration limits count.
 */
function trustProxySetting(value: string, context: z.RefinementCtx): false | number | string {
  if (value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  if (value === 'true') {
    context.addIssue({
      code: 'custom',
      message:
        'true would believe any X-Forwarded-For a client sends; set the number of proxies in front of the service (e.g. TRUST_PROXY=1) or their addresses/subnets (e.g. TRUST_PROXY=10.0.0.0/8 or loopback)',
    });
    return z.NEVER;
  }
  const entries = value.split(',').map((entry) => entry.trim());
  const bad = entries.filter((entry) => !isProxyAddress(entry));
  if (bad.length > 0) {
    context.addIssue({
      code: 'custom',
      message: `must be false, a number of proxies, or comma-separated proxy addresses/subnets (CIDR, loopback, linklocal, uniquelocal); not ${bad.map((entry) => JSON.stringify(entry)).join(', ')}`,
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
