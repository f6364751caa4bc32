import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KrerouteError } from '../../common/errors.ts';

export interface MetricsPage {
  contentType: string;
  body: string;
}

export interface MetricsServer {
  /** Where Prometheus scrapes, e.g. http://0.0.0.0:9464/metrics. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Serves GET /metrics (the page `render` makes at each scrape) on host:port; port 0 takes a free one. */
export async function serveMetrics(host: string, port: number, render: () => Promise<MetricsPage>): Promise<MetricsServer> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' || (path !== '/metrics' && path !== '/')) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('kreroute serves its metrics at /metrics\n');
      return;
    }
    render().then(
      (page) => response.writeHead(200, { 'content-type': page.contentType }).end(page.body),
      (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`${(error as Error).message}\n`),
    );
  });
  // A scrape must not keep a finished job's process alive.
  server.unref();
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const hint = error.code === 'EADDRINUSE' ? 'give another --metrics-port (0: any free port)' : 'check --metrics-host and --metrics-port';
      reject(new KrerouteError('BAD_INPUT', `--metrics-port: cannot serve metrics on ${host}:${port} (${error.code ?? error.message})`, { hint }));
    });
    server.listen(port, host, resolve);
  });
  const bound = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${bound}/metrics`,
    port: bound,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
