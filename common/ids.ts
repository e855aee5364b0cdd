import { randomBytes } from 'node:crypto';

/** A 32-hex-digit id, the shape IDCS uses for SCIM `id`s and GUIDs. */
export function idcsGuid(): string {
  return randomBytes(16).toString('hex');
}

/** An OCID-shaped identifier for a resource type, e.g. `ocid1.app.oc1..aaaa…`. */
export function ocid(resourceType: string): string {
  return `ocid1.${resourceType}.oc1..aaaaaaaa${randomBytes(26).toString('hex').slice(0, 52)}`;
}

/** A URL-safe random secret. */
export function randomSecret(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}
