import { expect, test } from './fixtures';

/**
 * The StudioApi as a hostile or buggy client would use it, from inside the studio page: malformed and oversized
 * messages get typed errors on the same connection, and the studio keeps serving the UI afterwards.
 */
test('a malformed API message gets a typed error and the server keeps serving', async ({ page, studio }) => {
  await page.goto(studio.url);
  await expect(page.getByRole('heading', { name: 'Library', level: 1 })).toBeVisible();

  const replies = await page.evaluate(async (token) => {
    const ws = new WebSocket(`ws://${location.host}/api?token=${encodeURIComponent(token)}`);
    await new Promise((r) => (ws.onopen = r));
    const received: unknown[] = [];
    const next = () => new Promise<unknown>((r) => (ws.onmessage = (e) => r(JSON.parse(String(e.data)))));
    for (const msg of ['{broken', JSON.stringify({ type: 'request', id: 7, method: 'projects.create', params: { name: 42 } }), 'x'.repeat(2 * 1024 * 1024)]) {
      const reply = next();
      ws.send(msg);
      received.push(await reply);
    }
    const ok = next();
    ws.send(JSON.stringify({ type: 'request', id: 8, method: 'app.info', params: {} }));
    received.push(await ok);
    ws.close();
    return received as { ok: boolean; id: number | null; error?: { code: string; message: string } }[];
  }, studio.token);

  expect(replies[0]).toMatchObject({ ok: false, id: null, error: { code: 'BAD_REQUEST' } });
  expect(replies[1]).toMatchObject({ ok: false, id: 7, error: { code: 'BAD_REQUEST' } });
  expect(replies[1]!.error!.message).toMatch(/name/);
  expect(replies[2]).toMatchObject({ ok: false, error: { code: 'MESSAGE_TOO_LARGE' } });
  expect(replies[3]).toMatchObject({ ok: true, id: 8 });

  // The UI still works on its own connection.
  await page.getByRole('button', { name: 'New project' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'New project' });
  await dialog.getByLabel('Project name').fill('After the storm');
  await dialog.getByRole('button', { name: 'Create project' }).click();
  // The new project opens.
  await expect(page.getByRole('heading', { name: 'After the storm', level: 1 })).toBeVisible();
});

test('a page from a wrong link is told how to get in', async ({ page, studio }) => {
  await page.goto(`http://127.0.0.1:${studio.port}/?token=not-the-token`);
  await expect(page.getByText(/token/i).first()).toBeVisible();
});
