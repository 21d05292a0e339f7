// Public surface of the KIS auth layer: access token and WebSocket approval key managers, the OAuth client.
export type { AccessToken, ApprovalKeyProvider, KisCredentials, KisMode, TokenProvider } from './types.js';
export {
  createTokenManager,
  type StoredAccessToken,
  type TokenChangedEvent,
  type TokenCheckResult,
  type TokenManager,
  type TokenManagerOptions,
  type TokenStatus,
} from './token-manager.js';
export {
  createApprovalKeyManager,
  type ApprovalKeyManager,
  type ApprovalKeyManagerOptions,
  type StoredApprovalKey,
} from './approval-key-manager.js';
export { createOAuthClient, DEFAULT_OAUTH_TIMEOUT_MS, type OAuthClient, type OAuthClientOptions } from './oauth-client.js';
export {
  AUTH_ERROR_CODES,
  KisAuthError,
  OAUTH_ERROR_TABLE,
  oauthErrorFromReply,
  parseAccessTokenReply,
  parseApprovalKeyReply,
  parseRevokeReply,
  type IssuedAccessToken,
  type IssuedApprovalKey,
} from './oauth-wire.js';
export type { ChangeSource, CredentialChange } from './cached-credential.js';
export { credentialFingerprint, secretId } from './state-file.js';
export { formatRemaining } from './format-remaining.js';
export { fileCredentialStores, type CredentialRecord, type CredentialStore, type CredentialStoreFactory, type CredentialStoreSpec } from './credential-store.js';
export type { StateRead } from './state-file.js';
