import { z } from 'zod';

/** Parsers for the kinds of value environment variables hold; the schema is in environment.ts. */

export const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], { error: 'must be true or false' })
  .transform((value) => ['true', '1', 'yes', 'on'].includes(value));

export const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `must be a whole number between ${min} and ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

export const decimal = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+(\.\d+)?$/, `must be a number between ${min} and ${max}`)
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

export const list = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean),
);

export const url = (protocols: string[]) =>
  z.string().refine((value) => URL.canParse(value) && protocols.includes(new URL(value).protocol), {
    message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
  });

export const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

export const withDefault = <T extends z.ZodType>(schema: T, fallback: string) =>
  z.preprocess((value) => (value === undefined || value === '' ? fallback : value), schema);

/** `TRUST_PROXY`: false, true, a hop count, or a comma-separated list of addresses/CIDRs. */
export const trustProxy = z.string().transform((value): boolean | number | string[] => {
  const trimmed = value.trim();
  if (['', 'false', '0', 'no', 'off'].includes(trimmed)) return false;
  if (['true', 'yes', 'on'].includes(trimmed)) return true;
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  return trimmed.split(',').map((item) => item.trim());
});

/**
 * `OIDC_PROVIDERS`: a JSON array of login providers. `type` "oidc" (default) discovers the
 * provider from its issuer (Google, Cognito, Keycloak, Auth0, Entra ID…); "oauth2" takes explicit
 * endpoints for providers without OpenID Connect discovery (Facebook). `preset` fills the
 * well-known values for google and facebook.
 */
const oidcProvider = z.object({
  id: z.string().regex(/^[a-z0-9-]{1,32}$/, 'provider id must be lowercase letters, digits or dashes'),
  name: z.string().min(1).max(64).optional(),
  preset: z.enum(['google', 'facebook']).optional(),
  type: z.enum(['oidc', 'oauth2']).optional(),
  issuer: z.url().optional(),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1).optional(),
  scopes: z.array(z.string()).optional(),
  authorizationUrl: z.url().optional(),
  tokenUrl: z.url().optional(),
  userinfoUrl: z.url().optional(),
});
export type OidcProviderConfig = z.infer<typeof oidcProvider>;

export const oidcProviders = z.string().transform((value, context): OidcProviderConfig[] => {
  let raw: unknown;
  try {
    raw = JSON.parse(value);
  } catch {
    context.addIssue({ code: 'custom', message: 'must be a JSON array of providers' });
    return z.NEVER;
  }
  const parsed = z.array(oidcProvider).safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    context.addIssue({
      code: 'custom',
      message: `is invalid at ${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}`,
    });
    return z.NEVER;
  }
  return parsed.data;
});

/** `TRANSCODE_LADDER`: rungs as `height:kbps`, e.g. `480:1400,720:2800`. */
export const ladder = z
  .string()
  .transform((value, context): Array<{ p: number; videoBitrateKbps: number }> => {
    const rungs = value.split(',').map((item) => /^\s*(\d{3,4}):(\d{2,6})\s*$/.exec(item));
    if (rungs.length === 0 || rungs.some((match) => !match)) {
      context.addIssue({
        code: 'custom',
        message: 'must be a comma-separated list of height:kbps, e.g. 480:1400',
      });
      return z.NEVER;
    }
    return rungs.map((match) => ({ p: Number(match![1]), videoBitrateKbps: Number(match![2]) }));
  });

/**
 * `RECS_SIGNAL_WEIGHTS`: overrides of the recommendation signal weights, "finish=2,thumbDown=-4"
 * (names from `DEFAULT_SIGNAL_WEIGHTS` in src/modules/recommendations/interactions.ts).
 */
export const numberOverrides = (names: readonly string[]) =>
  z.string().transform((value, context) => {
    const overrides: Record<string, number> = {};
    for (const pair of value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean)) {
      const [name = '', number = ''] = pair.split('=').map((part) => part.trim());
      if (!names.includes(name) || !/^-?\d+(\.\d+)?$/.test(number)) {
        context.addIssue({
          code: 'custom',
          message: `"${pair}": expected name=number, names: ${names.join(', ')}`,
        });
        return z.NEVER;
      }
      overrides[name] = Number(number);
    }
    return overrides;
  });

export interface LiveRung {
  /** The rung's height ("180" for 180p); a smaller source keeps its own height (never upscaled). */
  height: number;
  videoBitrateKbps: number;
}

/** `LIVE_RUNGS`: "height:kbps" pairs, comma-separated, tallest first after parsing. Pure. */
export function parseLiveRungs(value: string): LiveRung[] {
  const rungs = value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const match = /^(\d{2,4}):(\d{2,6})$/.exec(part);
      if (!match) throw new RangeError(`"${part}" is not height:kbps (e.g. 720:2800)`);
      return { height: Number(match[1]), videoBitrateKbps: Number(match[2]) };
    });
  if (rungs.length === 0) throw new RangeError('at least one rung');
  if (rungs.some((rung) => rung.height % 2 !== 0)) throw new RangeError('heights must be even (4:2:0)');
  if (new Set(rungs.map((rung) => rung.height)).size !== rungs.length)
    throw new RangeError('each height once');
  return rungs.sort((a, b) => b.height - a.height);
}

/** LIVE_RUNGS as a config value. */
export const liveRungs = z.string().transform((value, context): LiveRung[] => {
  try {
    return parseLiveRungs(value);
  } catch (error) {
    context.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});
