/**
 * The services the IAM's decision functions need, as one narrow record (each function takes a
 * `Pick` of it), in the manner of cognito-local's targets.
 */
import type { Clock } from '../common/clock.js';
import { resolveIssuer, type IamConfig } from '../common/config.js';
import type { KeyRing } from './keys/key-ring.js';
import type { IamStore } from './store.js';

export interface TenantIdentity {
  /** `idcs-<guid>` */
  tenant: string;
  /** `eu-frankfurt-1` */
  region: string;
  /** `https://idcs-<guid>.identity.oraclecloud.com`: the domain URL IDCS names itself by. */
  domainUrl: string;
  /** `https://idcs-<guid>.eu-frankfurt-idcs-1.secure.identity.oraclecloud.com` */
  secureDomainUrl: string;
}

export interface IamContext {
  store: IamStore;
  keys: KeyRing;
  clock: Clock;
  /** The `iss` of every token: the configured string, not the listen address. */
  issuer: string;
  /** Where this mock is reached, for discovery documents and assertion audiences. */
  baseUrl: string;
  identity: TenantIdentity;
  accessTokenExpiry: number;
  refreshTokenExpiry: number;
  settings: { signingCertPublicAccess: boolean; customClaimsEnabled: boolean };
}

export function tenantIdentity(config: Pick<IamConfig, 'tenant' | 'region'>): TenantIdentity {
  const idcsRegion = config.region.replace(/-(\d+)$/, '-idcs-$1');
  return {
    tenant: config.tenant,
    region: config.region,
    domainUrl: `https://${config.tenant}.identity.oraclecloud.com`,
    secureDomainUrl: `https://${config.tenant}.${idcsRegion}.secure.identity.oraclecloud.com`,
  };
}

export function iamContext(config: IamConfig, parts: { store: IamStore; keys: KeyRing; clock: Clock; baseUrl: string }): IamContext {
  return {
    ...parts,
    issuer: resolveIssuer(config.issuer),
    baseUrl: parts.baseUrl.replace(/\/+$/, ''),
    identity: tenantIdentity(config),
    accessTokenExpiry: config.accessTokenExpiry,
    refreshTokenExpiry: config.refreshTokenExpiry,
    settings: { ...config.settings },
  };
}
