import { z } from 'zod';
import { avatar, displayName, email, isoDate, opaqueToken, secretText, text } from '../../shared/schemas.ts';
import { permissions, roles } from './access.ts';
import { PASSWORD_MAX } from './passwords.ts';

// Length-capped before any hashing happens: a 10 MB "password" is refused by the schema, not argon2.
export const password = secretText({ min: 1, max: PASSWORD_MAX * 4 });

export const deviceTypes = ['web', 'mobile', 'tablet', 'tv', 'desktop', 'console', 'other'] as const;
export const device = z
  .object({ name: displayName(80), type: z.enum(deviceTypes) })
  .describe('The device signing in, shown in the list of signed-in devices');

export const registerBody = z.object({ email, password, name: displayName(100) });
export const loginBody = z.object({
  email,
  password,
  device: device.optional(),
  replaceSessionId: z.uuid().optional().describe('At the device limit: sign this device out to make room'),
});
const mailedToken = opaqueToken(200).min(16);
export const refreshBody = z.object({ refreshToken: mailedToken });
export const emailTokenBody = z.object({ token: mailedToken });
export const resetRequestBody = z.object({ email });
export const resetConfirmBody = z.object({ token: mailedToken, password });
export const changePasswordBody = z.object({ currentPassword: password, newPassword: password });

export const userSchema = z
  .object({
    id: z.uuid(),
    email: z.string(),
    name: z.string(),
    emailVerified: z.boolean(),
    roles: z.array(z.enum(roles)),
    hasPassword: z.boolean(),
    createdAt: isoDate,
  })
  .meta({ id: 'User' });

export const profileSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    avatar: z.string().nullable(),
    isKids: z.boolean(),
    maturityLimit: z
      .number()
      .int()
      .nullable()
      .describe('Highest maturity level (an age) shown; null: no cap'),
    hasPin: z.boolean(),
    language: z.string(),
    createdAt: isoDate,
  })
  .meta({ id: 'Profile' });

export const authResult = z
  .object({
    user: userSchema,
    accessToken: z.string().describe('JWT; send as `Authorization: Bearer <token>`'),
    accessTokenExpiresAt: isoDate,
    refreshToken: z.string().describe('Opaque and single-use: each refresh returns the next one'),
    sessionId: z.uuid(),
  })
  .meta({ id: 'AuthResult' });

export const sessionSchema = z
  .object({
    id: z.uuid(),
    deviceName: z.string(),
    deviceType: z.enum(deviceTypes),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    authMethod: z.string(),
    createdAt: isoDate,
    lastSeenAt: isoDate,
    current: z.boolean(),
  })
  .meta({ id: 'Session' });

/** A session as staff see it: the same device facts, without "current" (which is the viewer's own). */
export const adminSessionSchema = sessionSchema.omit({ current: true }).meta({ id: 'AdminUserSession' });

export const profileBody = z.object({
  name: displayName(40),
  avatar: avatar.nullable().optional(),
  isKids: z.boolean().optional(),
  maturityLimit: z.number().int().min(0).max(21).nullable().optional(),
  pin: z
    .string()
    .regex(/^\d{4}$/, 'must be 4 digits')
    .nullable()
    .optional()
    .describe('null removes the PIN'),
  language: z
    .string()
    .regex(/^[a-z]{2,3}(-[A-Z]{2})?$/, 'must be a language tag like en or pt-BR')
    .optional(),
});
export const profilePatch = profileBody.partial();
export const selectProfileBody = z.object({
  pin: z
    .string()
    .regex(/^\d{4}$/, 'must be 4 digits')
    .optional(),
});

export const mePatch = z.object({ name: displayName(100).optional() });

export const securityEventSchema = z.object({
  id: z.uuid(),
  kind: z.string(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  createdAt: isoDate,
});

export const adminUserSchema = userSchema
  .extend({ disabled: z.boolean(), activeSessions: z.number().int() })
  .meta({ id: 'AdminUser' });
export const adminUsersQuery = z.object({
  q: text({ max: 200 }).optional().describe('Part of an email or a name'),
  role: z.enum(roles).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: opaqueToken(500).optional(),
});
export const adminUserPatch = z
  .object({ roles: z.array(z.enum(roles)).min(1).max(4).optional(), disabled: z.boolean().optional() })
  .refine((value) => value.roles !== undefined || value.disabled !== undefined, 'change roles or disabled');

export const apiKeyCreate = z.object({
  name: displayName(80),
  scopes: z.array(z.enum(permissions)).min(1).max(permissions.length),
  expiresInDays: z.number().int().min(1).max(3650).optional().describe('Omit for a key that never expires'),
});
export const apiKeySchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    prefix: z.string(),
    scopes: z.array(z.string()),
    createdBy: z.uuid().nullable().describe('The person responsible (for a key made by a key: its creator)'),
    parentKeyId: z.uuid().nullable().describe('The key that made this one; revoking it revokes this'),
    createdAt: isoDate,
    expiresAt: isoDate.nullable(),
    lastUsedAt: isoDate.nullable(),
    lastUsedIp: z.string().nullable(),
    revokedAt: isoDate.nullable(),
  })
  .meta({ id: 'ApiKey' });
