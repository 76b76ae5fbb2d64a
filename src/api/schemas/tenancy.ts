import { z } from 'zod';
import { roles } from '../../tenancy/roles.js';
import { registrableSlugSchema } from '../../tenancy/slug.js';
import { isPrintable, stringSchema, textSchema } from './common.js';

/** A username as users are created with it. */
export const usernameSchema = stringSchema().regex(/^[a-zA-Z0-9._-]{3,40}$/, 'must be 3 to 40 of a-z, A-Z, 0-9, ".", "_", "-"');
/** A new password. */
export const passwordSchema = stringSchema().min(10, 'must be at least 10 characters').max(200, 'must be at most 200 characters');
const emailSchema = z.email('must be a valid email address').max(254);

/** POST /api/tenants: a company's registration; every bad field is reported at once. */
export const registrationSchema = z
  .object({
    companyName: stringSchema().trim().min(2, 'must be 2 to 100 characters').max(100, 'must be 2 to 100 characters').refine(isPrintable, 'must not contain control characters'),
    tenant: registrableSlugSchema,
    email: emailSchema,
    username: usernameSchema,
    password: passwordSchema,
    passwordConfirm: stringSchema(),
  })
  .refine((value) => value.password === value.passwordConfirm, {
    message: 'must equal password',
    path: ['passwordConfirm'],
    // Checked even when other fields are bad, so that every error comes back at once.
    when: (payload) => typeof (payload.value as { password?: unknown }).password === 'string',
  });

/** The answer to a registration. */
export const registeredSchema = z.object({ tenant: z.string(), domain: z.string(), loginUrl: z.string() });

/**
 * POST /api/auth/login. The username is any text here (NUL and lone surrogates aside, refused at
 * the field like every string): one off the creation pattern names no user, and is answered as a
 * wrong username (401) by the login route, not as a bad field.
 */
export const loginSchema = z.object({ username: stringSchema(), password: stringSchema().min(1).max(200) });

/** The answer to a login. */
export const loginAnswerSchema = z.object({
  token: z.string(),
  csrfToken: z.string(),
  user: z.object({ username: z.string(), role: z.enum(roles) }),
  tenant: z.string(),
});

/**
 * POST /api/auth/login as sent: `"session": "cookie"` asks for the session in the HttpOnly cookie
 * only (a browser), with no token in the answer.
 */
export const loginRequestSchema = loginSchema.extend({ session: z.enum(['cookie', 'token']).optional() });

/** The answer to a cookie-only login: the CSRF token and user, no secret. */
export const sessionAnswerSchema = loginAnswerSchema.omit({ token: true });

/** POST /api/tokens (admin). */
export const newTokenSchema = z.strictObject({ name: textSchema(100), role: z.enum(roles) });

/** POST /api/users (admin). */
export const newUserSchema = z.strictObject({ username: usernameSchema, email: emailSchema, password: passwordSchema, role: z.enum(roles) });

/** A token id in a path. */
export const tokenParams = z.strictObject({ id: z.uuid() });
