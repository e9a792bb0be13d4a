import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { describe, expect, it } from 'vitest';
import { ApiProblem, errorHandler, invalidRequest, notFoundHandler, PROBLEM_KINDS } from './errors.ts';

function appThrowing(err: unknown, logged: unknown[][] = []) {
  const app = new Hono();
  app.onError(errorHandler((...args) => logged.push(args)));
  app.notFound(notFoundHandler);
  app.get('/boom', () => {
    throw err;
  });
  return app;
}

describe('problem details', () => {
  it('renders an ApiProblem as application/problem+json with its fields, headers and members', async () => {
    const problem = new ApiProblem('unauthorized', 'send a token', {
      headers: { 'www-authenticate': 'Bearer' },
      members: { runId: 'r1' },
    });
    const res = await appThrowing(problem).request('/boom');
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(await res.json()).toEqual({
      type: 'urn:ganzoo:problem:unauthorized',
      title: PROBLEM_KINDS.unauthorized.title,
      status: 401,
      detail: 'send a token',
      runId: 'r1',
    });
  });

  it('carries per-field errors for a 400', async () => {
    const res = await appThrowing(invalidRequest('bad', [{ field: 'steps', message: 'too big' }])).request(
      '/boom',
    );
    expect(await res.json()).toMatchObject({ status: 400, errors: [{ field: 'steps', message: 'too big' }] });
  });

  it('cannot be spoofed by members named like the standard fields', () => {
    const p = new ApiProblem('not-found', 'gone', { members: { status: 200, type: 'x' } });
    expect(p.problem).toMatchObject({ status: 404, type: 'urn:ganzoo:problem:not-found' });
  });

  it("keeps the status of Hono's own 4xx exceptions and speaks problem+json", async () => {
    const res = await appThrowing(new HTTPException(413, { message: 'too large' })).request('/boom');
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({
      type: 'urn:ganzoo:problem:payload-too-large',
      detail: 'too large',
    });
    const teapot = await appThrowing(new HTTPException(418)).request('/boom');
    expect(await teapot.json()).toMatchObject({ type: 'about:blank', status: 418 });
  });

  it('answers anything unexpected with a generic 500 that shows nothing of the error, and logs it', async () => {
    const logged: unknown[][] = [];
    const secret = new Error('connect ECONNREFUSED 10.0.0.7:8000 with key AKIA...');
    const res = await appThrowing(secret, logged).request('/boom');
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain('ECONNREFUSED');
    expect(text).not.toContain('at ');
    const body = JSON.parse(text) as { instance: string; type: string };
    expect(body.type).toBe('urn:ganzoo:problem:internal');
    expect(body.instance).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
    expect(logged).toHaveLength(1);
    expect(String(logged[0]![0])).toContain(body.instance.slice('urn:uuid:'.length));
    expect(logged[0]![1]).toBe(secret);
    // A 5xx HTTPException is just as unexpected.
    expect((await appThrowing(new HTTPException(503)).request('/boom')).status).toBe(500);
  });

  it('logs the cause of a 502 while telling the client only the detail', async () => {
    const logged: unknown[][] = [];
    const cause = new Error('AccessDenied for arn:aws:batch:...');
    const res = await appThrowing(
      new ApiProblem('upstream-failed', 'the job could not be submitted', { cause }),
      logged,
    ).request('/boom');
    expect(res.status).toBe(502);
    expect(await res.text()).not.toContain('arn:aws');
    expect(logged[0]![1]).toBe(cause);
  });

  it('answers unknown routes with a 404 problem', async () => {
    const res = await appThrowing(new Error()).request('/nowhere', { method: 'DELETE' });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({
      type: 'urn:ganzoo:problem:not-found',
      detail: 'no route for DELETE /nowhere',
    });
  });
});
