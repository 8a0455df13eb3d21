import type { FastifyInstance } from 'fastify';

/**
 * Which methods each path answers, for 405 Method Not Allowed with `Allow` (RFC 9110): a PUT on a
 * camera is a method the camera does not take, not a route that does not exist.
 */
export class AllowedMethods {
  /** By route URL (`/api/v1/cameras/:id`): the URL as a pattern and the methods routed there. */
  private readonly routes = new Map<string, { pattern: RegExp; methods: Set<string> }>();

  /** Call on the root instance before any route is added. */
  watch(app: FastifyInstance): void {
    app.addHook('onRoute', (route) => {
      if (route.url.includes('*')) return;
      let entry = this.routes.get(route.url);
      if (!entry) {
        const pattern = new RegExp(`^${route.url.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z_]\w*/g, '[^/]+')}/?$`);
        this.routes.set(route.url, (entry = { pattern, methods: new Set() }));
      }
      for (const m of [route.method].flat()) entry.methods.add(String(m).toUpperCase());
    });
  }

  /** The methods a path answers, or undefined when no route has that path. */
  allowed(path: string): string[] | undefined {
    const methods = new Set<string>();
    for (const r of this.routes.values()) if (r.pattern.test(path)) r.methods.forEach((m) => methods.add(m));
    return methods.size ? [...methods].sort() : undefined;
  }
}
