import { z } from 'zod';

const port = z.coerce.number().int().min(1).max(65535);

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
    DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(20),
    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
    /**
     * Which proxies in front of the service to believe about the client's address
     * (X-Forwarded-For), as express's `trust proxy`: `false` (none, the default), `true`, a number
     * of hops, or a comma-separated list of addresses or subnets. The login and registration
     * limits count per client address.
     */
    TRUST_PROXY: z
      .string()
      .default('false')
      .transform((value): boolean | number | string => (value === 'true' ? true : value === 'false' ? false : /^\d+$/.test(value) ? Number(value) : value)),
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
