import { z } from 'zod';
import { roles } from '../../tenancy/roles.js';
import { stringSchema } from './common.js';
import { passwordSchema, usernameSchema } from './tenancy.js';

/** A user named in a path (matched regardless of case, as at login). */
export const usernameParams = z.strictObject({ username: usernameSchema });

/** PATCH /api/users/:username (admin): the user's new role. */
export const roleChangeSchema = z.strictObject({ role: z.enum(roles) });

/** POST /api/users/:username/password (admin): the password the admin sets. */
export const passwordResetSchema = z.strictObject({ password: passwordSchema });

/** POST /api/me/password (any user): the current password and the new one. */
export const passwordChangeSchema = z.strictObject({ currentPassword: stringSchema().min(1).max(200), newPassword: passwordSchema });

/** A user as GET /api/users lists it and the administration routes answer it. */
export const userSchema = z.object({
  id: z.uuid(),
  username: z.string(),
  email: z.string(),
  role: z.enum(roles),
  status: z.enum(['active', 'disabled']),
  createdAt: z.string(),
  lastLoginAt: z.string().nullable(),
});

/** The answer to ending a user's sessions. */
export const sessionsEndedSchema = z.object({ sessionsEnded: z.number().int() });
