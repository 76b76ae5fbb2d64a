import { openApiDocument } from '../../src/api/openapi.js';
import type { AnyRoute } from '../../src/api/route.js';
import { adminRoutes } from '../../src/api/routes/admin-routes.js';
import { auditRoutes } from '../../src/api/routes/audit-routes.js';
import { catalogRoutes } from '../../src/api/routes/catalog-routes.js';
import { liveRoutes } from '../../src/api/routes/live-routes.js';
import { movementRoutes } from '../../src/api/routes/movement-routes.js';
import { queryRoutes } from '../../src/api/routes/query-routes.js';
import { tenancyRoutes } from '../../src/api/routes/tenancy-routes.js';
import { userRoutes } from '../../src/api/routes/user-routes.js';

/**
 * A route factory's dependencies are used only when a request is handled, never to declare the
 * route; the document needs the declarations alone, so nothing is connected or started.
 */
const unused = {} as never;

/**
 * The OpenAPI document that `GET /api/openapi.json` serves, built from the same route
 * declarations as the composition root (test/web/api-types.test.ts checks that they agree).
 */
export function apiDocument(): ReturnType<typeof openApiDocument> {
  const routes: AnyRoute[] = [
    ...tenancyRoutes(unused),
    ...userRoutes(unused, unused),
    ...catalogRoutes(unused, unused, unused),
    ...movementRoutes(unused),
    ...queryRoutes(unused),
    ...auditRoutes(unused),
    ...adminRoutes(unused),
    ...liveRoutes(unused),
  ];
  return openApiDocument(routes, { title: 'StockControl API', version: '1.0.0' });
}
