/**
 * A store and context for the pure decision functions: the default stack config plus a few apps
 * and users that exercise the edges (several resource servers, secondary audiences, an inactive
 * resource server, a client and a user with admin roles).
 */
import { ControllableClock } from '../../common/clock.js';
import { CUSTOM_USER_SCHEMA, type StackConfig } from '../../common/config.js';
import { tenantIdentity } from '../../mock-iam/iam-context.js';
import { IamStore, type App, type User } from '../../mock-iam/store.js';
import { defaultConfigObject, testConfig } from '../support/iam.js';

export const TENANT = 'idcs-0a1b2c3d4e5f60718293a4b5c6d7e8f9';
export const DOMAIN_URL = `https://${TENANT}.identity.oraclecloud.com`;
export const SECURE_DOMAIN_URL = `https://${TENANT}.eu-frankfurt-idcs-1.secure.identity.oraclecloud.com`;
export const LBAAS_AUDIENCE = `urn:opc:lbaas:logicalguid=${TENANT}`;

export const EXTRA_APPS = [
  {
    id: 'orders_rs_id',
    name: 'orders_rs',
    displayName: 'Orders RS',
    isOAuthResource: true,
    audience: 'https://api.example.com/',
    scopes: [{ value: 'orders' }],
    accessTokenExpiry: 900,
  },
  {
    id: 'multi_aud_rs_id',
    name: 'multi_aud_rs',
    displayName: 'Multi Audience RS',
    isOAuthResource: true,
    audience: 'primary',
    secondaryAudiences: ['second-a', 'second-b'],
    scopes: [{ value: 'Use' }],
  },
  {
    name: 'old_rs',
    displayName: 'Old RS',
    active: false,
    isOAuthResource: true,
    audience: 'old',
    scopes: [{ value: 'thing' }],
  },
  {
    id: 'multi_client_id',
    name: 'multi_client',
    displayName: 'Multi Client',
    isOAuthClient: true,
    clientSecret: 'multi-secret',
    allowedGrants: ['client_credentials', 'password'],
    allowedScopes: [{ fqs: 'anwendung1AnwendungReadA' }, { fqs: 'https://api.example.com/orders' }, { fqs: 'primaryUse' }, { fqs: 'oldthing' }],
  },
  {
    id: 'role_client_id',
    name: 'role_client',
    displayName: 'Role Client',
    isOAuthClient: true,
    clientSecret: 'role-secret',
    allowedGrants: ['password', 'refresh_token', 'client_credentials'],
    allowedScopes: [{ fqs: 'anwendung1AnwendungReadA' }],
    allowedOperations: ['onBehalfOfUser'],
    grantedAppRoles: ['User Administrator', 'Me', 'Application Administrator'],
  },
];

export const EXTRA_USERS = [
  {
    id: 'admin_user_id',
    userName: 'admin.user',
    displayName: 'Ada Admin',
    timezone: 'Europe/Berlin',
    locale: 'de',
    preferredLanguage: 'de',
    grantedAppRoles: ['User Administrator'],
    emails: [
      { value: 'ada@example.com', primary: true },
      { value: 'ada@home.example', type: 'home' },
    ],
    [CUSTOM_USER_SCHEMA]: { MichaelFischerTest1: 'AdminAccess' },
  },
];

export function unitConfig(iamOverrides: Record<string, unknown> = {}): StackConfig {
  const raw = defaultConfigObject();
  return testConfig({
    apps: [...raw.iam.apps, ...EXTRA_APPS],
    users: [...raw.iam.users, ...EXTRA_USERS],
    ...iamOverrides,
  });
}

export interface UnitWorld {
  config: StackConfig;
  store: IamStore;
  ctx: { store: IamStore; identity: ReturnType<typeof tenantIdentity>; accessTokenExpiry: number };
  app(name: string): App;
  user(userName: string): User;
}

export function unitWorld(iamOverrides: Record<string, unknown> = {}, accessTokenExpiry = 3600): UnitWorld {
  const config = unitConfig(iamOverrides);
  const store = new IamStore(config.iam, new ControllableClock());
  return {
    config,
    store,
    ctx: { store, identity: tenantIdentity(config.iam), accessTokenExpiry },
    app(name) {
      const found = store.appByClientId(name);
      if (!found) throw new Error(`no app ${name}`);
      return found;
    },
    user(userName) {
      const found = store.userByName(userName);
      if (!found) throw new Error(`no user ${userName}`);
      return found;
    },
  };
}
