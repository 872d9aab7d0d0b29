import { request as httpsRequest, type Agent } from 'node:https';
import type { Context, Middleware } from '@microsoft/microsoft-graph-client';

/**
 * Last link of the Graph client's middleware chain when a private CA must be trusted: the SDK's own
 * HTTPMessageHandler uses global fetch, whose CA list can only be changed through an undici dispatcher
 * (undici is not a dependency) or NODE_EXTRA_CA_CERTS at process start. This sends over node:https with
 * the same Agent the credential uses, stops when the request's signal aborts, and hands the SDK a standard
 * fetch Response.
 */
export class AgentHttpHandler implements Middleware {
  constructor(private readonly agent: Agent) {}

  async execute(context: Context): Promise<void> {
    const request = new Request(context.request, context.options as RequestInit);
    const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
    context.response = await this.send(request, body);
  }

  private send(request: Request, body: Buffer | undefined): Promise<Response> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        request.url,
        {
          method: request.method,
          headers: Object.fromEntries(request.headers),
          agent: this.agent,
          signal: request.signal,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const headers = new Headers();
            for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
              headers.append(res.rawHeaders[i] as string, res.rawHeaders[i + 1] as string);
            }
            const status = res.statusCode ?? 500;
            const noBody = status === 204 || status === 304;
            resolve(
              new Response(noBody ? null : Buffer.concat(chunks), {
                status,
                statusText: res.statusMessage ?? '',
                headers,
              }),
            );
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }
}
