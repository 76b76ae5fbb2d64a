/** The roles of API.md. */
export const roles = ['admin', 'manager', 'operator', 'viewer', 'auditor'] as const;
export type Role = (typeof roles)[number];

/**
 * What a route needs, as API.md's roles read:
 * - `read`: every query and report; every role has it (a manager's "reports" and a viewer's
 *   "reads only" are the same GET routes).
 * - `move`: stock movements (operator, manager, admin).
 * - `catalog`: articles and locations (manager, admin).
 * - `audit`: /api/audit (auditor, admin).
 * - `admin`: users, tokens and read models (admin).
 */
export type Permission = 'read' | 'move' | 'catalog' | 'audit' | 'admin';

const grants: Record<Role, ReadonlySet<Permission>> = {
  admin: new Set<Permission>(['read', 'move', 'catalog', 'audit', 'admin']),
  manager: new Set<Permission>(['read', 'move', 'catalog']),
  operator: new Set<Permission>(['read', 'move']),
  viewer: new Set<Permission>(['read']),
  auditor: new Set<Permission>(['read', 'audit']),
};

/** Whether a role may do what a permission covers. */
export function allows(role: Role, permission: Permission): boolean {
  return grants[role].has(permission);
}
