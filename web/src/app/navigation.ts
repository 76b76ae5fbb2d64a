/** A role of the API (API.md): what a user may see and do. */
export type Role = 'admin' | 'manager' | 'operator' | 'viewer' | 'auditor';

/** Roles that record movements (the movement forms). */
const movers: readonly Role[] = ['admin', 'manager', 'operator'];
const everyone: readonly Role[] = ['admin', 'manager', 'operator', 'viewer', 'auditor'];

/** One screen of the dashboard: where it is, what the menu calls it, and who may open it. */
export interface Screen {
  readonly path: string;
  readonly title: string;
  readonly icon: string;
  readonly roles: readonly Role[];
  readonly group: 'Warehouse' | 'Movements' | 'Insight' | 'Settings';
}

/** Every screen of the dashboard, in menu order (an unknown address shows "There is no such page"). */
export const screens: readonly Screen[] = [
  { path: '/', title: 'Overview', icon: 'speedometer2', roles: everyone, group: 'Warehouse' },
  { path: '/stock', title: 'Stock', icon: 'boxes', roles: everyone, group: 'Warehouse' },
  { path: '/articles', title: 'Articles', icon: 'tags', roles: everyone, group: 'Warehouse' },
  { path: '/locations', title: 'Locations', icon: 'diagram-3', roles: everyone, group: 'Warehouse' },
  { path: '/movements', title: 'Movements', icon: 'journal-text', roles: everyone, group: 'Warehouse' },
  { path: '/receive', title: 'Receive', icon: 'box-arrow-in-down', roles: movers, group: 'Movements' },
  { path: '/transfer', title: 'Transfer', icon: 'arrow-left-right', roles: movers, group: 'Movements' },
  { path: '/reserve', title: 'Reserve', icon: 'bookmark', roles: movers, group: 'Movements' },
  { path: '/ship', title: 'Ship', icon: 'truck', roles: movers, group: 'Movements' },
  { path: '/return', title: 'Return', icon: 'arrow-return-left', roles: movers, group: 'Movements' },
  { path: '/adjust', title: 'Adjust', icon: 'sliders', roles: movers, group: 'Movements' },
  { path: '/count', title: 'Count', icon: '123', roles: movers, group: 'Movements' },
  { path: '/scan', title: 'Scan', icon: 'upc-scan', roles: everyone, group: 'Insight' },
  { path: '/reports', title: 'Reports', icon: 'graph-down', roles: everyone, group: 'Insight' },
  { path: '/audit', title: 'Audit', icon: 'clock-history', roles: ['admin', 'auditor'], group: 'Insight' },
  { path: '/admin', title: 'Admin', icon: 'gear', roles: ['admin'], group: 'Settings' },
];

/** The screens a role may open, for the menu and the router alike. */
export function screensFor(role: Role): readonly Screen[] {
  return screens.filter((screen) => screen.roles.includes(role));
}
