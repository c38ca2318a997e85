import { defineError } from '../../shared/errors.ts';

export const AuthRequired = defineError('AUTH_REQUIRED', 'unauthenticated', 'Sign in to do this');
export const InvalidToken = defineError(
  'AUTH_INVALID_TOKEN',
  'unauthenticated',
  'The access token is not valid',
);
export const SessionEnded = defineError(
  'AUTH_SESSION_ENDED',
  'unauthenticated',
  'This device has been signed out',
);
export const Forbidden = defineError('FORBIDDEN', 'forbidden', 'You are not allowed to do this');
export const InvalidCredentials = defineError(
  'AUTH_INVALID_CREDENTIALS',
  'unauthenticated',
  'Wrong email or password',
);
export const AccountDisabled = defineError('AUTH_ACCOUNT_DISABLED', 'forbidden', 'This account is disabled');
export const WeakPassword = defineError('AUTH_WEAK_PASSWORD', 'invalid', 'Choose a stronger password');
export const InvalidRefreshToken = defineError(
  'AUTH_INVALID_REFRESH_TOKEN',
  'unauthenticated',
  'The refresh token is not valid',
);
export const RefreshTokenReused = defineError(
  'AUTH_REFRESH_TOKEN_REUSED',
  'unauthenticated',
  'This refresh token was already used; the device has been signed out for safety',
);
export const DeviceLimitReached = defineError('AUTH_DEVICE_LIMIT', 'conflict', 'Too many signed-in devices');
export const TooManyAttempts = defineError(
  'AUTH_TOO_MANY_ATTEMPTS',
  'rate_limited',
  'Too many attempts; try again later',
);
export const InvalidEmailToken = defineError(
  'AUTH_INVALID_EMAIL_TOKEN',
  'invalid',
  'The link is invalid or has expired',
);
export const SessionNotFound = defineError('AUTH_SESSION_NOT_FOUND', 'not_found', 'No such session');
export const ProfileNotFound = defineError('PROFILE_NOT_FOUND', 'not_found', 'No such profile');
export const ProfileLimitReached = defineError(
  'PROFILE_LIMIT',
  'conflict',
  'This account has as many profiles as it may',
);
export const ProfileNameTaken = defineError(
  'PROFILE_NAME_TAKEN',
  'conflict',
  'Another profile already has this name',
);
export const ProfilePinRequired = defineError(
  'PROFILE_PIN_REQUIRED',
  'forbidden',
  'This profile is locked with a PIN',
);
export const LastProfile = defineError('PROFILE_LAST', 'conflict', 'An account keeps at least one profile');
export const UserNotFound = defineError('USER_NOT_FOUND', 'not_found', 'No such user');
export const RoleNotAssignable = defineError(
  'ROLE_NOT_ASSIGNABLE',
  'forbidden',
  'You may not assign these roles',
);
export const ApiKeyNotFound = defineError('API_KEY_NOT_FOUND', 'not_found', 'No such API key');
export const ScopeNotGrantable = defineError(
  'API_KEY_SCOPE_NOT_GRANTABLE',
  'forbidden',
  'You cannot grant a scope you do not hold',
);
export const OidcProviderUnknown = defineError(
  'OIDC_PROVIDER_UNKNOWN',
  'not_found',
  'No such sign-in provider',
);
export const OidcFailed = defineError('OIDC_FAILED', 'unauthenticated', 'Sign-in with the provider failed');
export const OidcEmailUnverified = defineError(
  'OIDC_EMAIL_UNVERIFIED',
  'conflict',
  'An account with this email exists, and the provider has not verified that you own the address',
);
export const InvalidReturnUrl = defineError(
  'OIDC_INVALID_RETURN_URL',
  'invalid',
  'The return address is not allowed',
);
export const ProfileRestricted = defineError(
  'PROFILE_RESTRICTED',
  'forbidden',
  'This profile may not change profiles; select a PIN-locked or adult profile first',
);
export const SignUpsClosed = defineError(
  'AUTH_SIGN_UPS_CLOSED',
  'forbidden',
  'New accounts are not being accepted right now',
);
