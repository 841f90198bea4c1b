import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures';

/**
 * The library as a user works it in web mode: create, rename, move to the Trash and back, search, theme, shortcuts.
 * Every test makes its own uniquely named projects, so the tests hold whether or not they share a library.
 */

const unique = (base: string) => `${base} ${Math.random().toString(36).slice(2, 7)}`;

const grid = (page: Page) => page.getByRole('list', { name: 'Projects' });
const card = (page: Page, name: string): Locator => grid(page).getByRole('button', { name, exact: true });

async function openStudio(page: Page, url: string): Promise<void> {
  await page.goto(url);
  // The library has loaded once the toolbar shows its count.
  await expect(page.getByRole('heading', { name: 'Library', level: 1 })).toBeVisible();
  await expect(page.getByText(/\d+ projects?$/)).toBeVisible();
}

async function createProject(page: Page, name: string): Promise<void> {
  await page.getByRole('button', { name: 'New project' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'New project' });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel('Project name').fill(name);
  await dialog.getByRole('button', { name: 'Create project' }).click();
  await expect(dialog).toBeHidden();
  // The new project opens; back in the library its card is there (and selected).
  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible();
  await page.getByRole('button', { name: 'Library', exact: true }).click();
  await expect(card(page, name)).toBeVisible();
}

test('create a project from the toolbar and with N; both are still there after a reload', async ({ page, studio }) => {
  await openStudio(page, studio.url);
  const first = unique('Anna studio session');
  await createProject(page, first);

  // The N shortcut opens the same dialog, with a sensible default name already selected.
  const second = unique('Ben outdoor');
  await page.locator('body').press('n');
  const dialog = page.getByRole('dialog', { name: 'New project' });
  await expect(dialog.getByLabel('Project name')).toHaveValue(/Untitled project/);
  await page.keyboard.type(second); // replaces the selected default
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: second, level: 1 })).toBeVisible();
  await page.getByRole('button', { name: 'Library', exact: true }).click();
  await expect(card(page, second)).toBeVisible();

  await page.reload();
  await expect(card(page, first)).toBeVisible();
  await expect(card(page, second)).toBeVisible();
});

test('rename inline: F2 and Enter keep the name, Esc cancels, double-click also renames', async ({ page, studio }) => {
  await openStudio(page, studio.url);
  const name = unique('Chloé test');
  await createProject(page, name);

  // F2 on the selected card, then Esc: nothing changes.
  await card(page, name).click();
  await page.keyboard.press('F2');
  const field = grid(page).getByLabel('Project name');
  await expect(field).toBeFocused();
  await field.fill('Not this name');
  await page.keyboard.press('Escape');
  await expect(field).toBeHidden();
  await expect(card(page, name)).toBeVisible();

  // F2, type, Enter: renamed, and it survives a reload.
  const renamed = unique('Chloé final');
  await card(page, name).click();
  await page.keyboard.press('F2');
  await field.fill(renamed);
  await page.keyboard.press('Enter');
  await expect(card(page, renamed)).toBeVisible();
  await expect(card(page, name)).toHaveCount(0);

  // Double-clicking the name renames too.
  const again = unique('Chloé v3');
  await grid(page).getByText(renamed, { exact: true }).dblclick();
  await field.fill(again);
  await field.press('Enter');
  await expect(card(page, again)).toBeVisible();

  await page.reload();
  await expect(card(page, again)).toBeVisible();
});

test('Delete moves to the Trash with Undo; the Trash view restores', async ({ page, studio }) => {
  await openStudio(page, studio.url);
  const name = unique('Dmitri close-up');
  await createProject(page, name);

  // Delete key → toast with Undo → back in the grid.
  await card(page, name).click();
  await page.keyboard.press('Delete');
  await expect(card(page, name)).toHaveCount(0);
  const toast = page.getByRole('status').filter({ hasText: `Moved “${name}” to the Trash` });
  await expect(toast).toBeVisible();
  await toast.getByRole('button', { name: 'Undo' }).click();
  await expect(card(page, name)).toBeVisible();

  // The card's own button → Trash view → Restore.
  await grid(page).getByRole('button', { name: `Move ${name} to the Trash` }).click();
  await expect(card(page, name)).toHaveCount(0);
  await page.getByRole('link', { name: /Trash/ }).click();
  await expect(page).toHaveURL(/#\/trash$/);
  const trashList = page.getByRole('list', { name: 'Projects in the Trash' });
  await expect(trashList.getByText(name, { exact: true })).toBeVisible();

  // Reloading keeps the page (hash routing) and the project stays in the Trash.
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Trash', level: 1 })).toBeVisible();
  await expect(trashList.getByText(name, { exact: true })).toBeVisible();

  await trashList.getByRole('button', { name: `Restore ${name}` }).click();
  await expect(trashList.getByText(name, { exact: true })).toHaveCount(0);
  await page.getByRole('link', { name: /Library/ }).first().click();
  await expect(card(page, name)).toBeVisible();

  // Ctrl+Z undoes the last move to the Trash as well.
  await card(page, name).click();
  await page.keyboard.press('Delete');
  await expect(card(page, name)).toHaveCount(0);
  await page.keyboard.press('Control+z');
  await expect(card(page, name)).toBeVisible();
});

test('search filters as you type; / focuses it and Esc clears it', async ({ page, studio }) => {
  await openStudio(page, studio.url);
  const tag = Math.random().toString(36).slice(2, 7);
  const eve = `Eve ${tag}`;
  const frank = `Frank ${tag}`;
  await createProject(page, eve);
  await createProject(page, frank);

  await page.locator('body').press('/');
  const search = page.getByRole('searchbox', { name: 'Search projects' });
  await expect(search).toBeFocused();
  await page.keyboard.type(`eve ${tag}`);
  await expect(card(page, eve)).toBeVisible();
  await expect(card(page, frank)).toHaveCount(0);

  await search.fill(`nothing-like-this-${tag}`);
  await expect(page.getByRole('heading', { name: /No projects match/ })).toBeVisible();

  await search.press('Escape');
  await expect(search).toHaveValue('');
  await expect(card(page, eve)).toBeVisible();
  await expect(card(page, frank)).toBeVisible();
});

test('duplicating runs as a job in the Jobs panel and adds the copy', async ({ page, studio }) => {
  await openStudio(page, studio.url);
  const name = unique('Gina');
  await createProject(page, name);

  await grid(page).getByRole('button', { name: `Duplicate ${name}` }).click();
  const panel = page.getByRole('complementary', { name: 'Jobs' });
  await expect(panel).toBeVisible();
  const job = panel.getByRole('listitem').filter({ hasText: `${name} copy` });
  await expect(job).toContainText('Done');
  await expect(job.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '100');
  await expect(card(page, `${name} copy`)).toBeVisible();

  await job.getByRole('button', { name: /^Dismiss/ }).click();
  await expect(job).toHaveCount(0);
});

test('the project view opens with Enter, lists every capability, and Esc goes back', async ({ page, studio }) => {
  await openStudio(page, studio.url);
  const name = unique('Hugo');
  await createProject(page, name);

  await card(page, name).focus();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/#\/project\/[0-9a-f]{32}$/);
  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible();
  const rail = page.getByRole('navigation', { name: 'Project sections' });
  for (const section of ['Footage', 'Tracking', 'Avatar', 'Texture', 'Live', 'Export']) {
    const item = rail.getByText(section, { exact: true });
    await expect(item).toBeVisible();
  }
  // Every section is a link.
  await expect(rail.getByRole('link', { name: 'Footage' })).toBeVisible();
  await expect(rail.getByRole('link', { name: 'Avatar' })).toBeVisible();
  await expect(rail.getByRole('link', { name: 'Live' })).toBeVisible();
  await expect(rail.getByRole('link', { name: /^Export/ })).toBeVisible();
  // Every capability is built now: nothing is disabled.
  await expect(rail.locator('[aria-disabled="true"]')).toHaveCount(0);
  await expect(rail.getByRole('link', { name: 'Tracking', exact: true })).toBeVisible();

  // Each is a page of its own, also in an empty project: Tracking lists the captures, Texture, Live and Export the
  // avatars; with none yet they say what to do first.
  await rail.getByRole('link', { name: 'Tracking', exact: true }).click();
  await expect(page).toHaveURL(/#\/project\/[0-9a-f]{32}\/tracking$/);
  await expect(page.getByRole('heading', { name: 'Nothing to track yet' })).toBeVisible();
  for (const [label, path] of [
    ['Texture', 'texture'],
    ['Live', 'live'],
    ['Export', 'export'],
  ] as const) {
    const link = rail.getByRole('link', { name: label, exact: true });
    await link.click();
    await expect(page).toHaveURL(new RegExp(`#/project/[0-9a-f]{32}/${path}$`));
    await expect(link).toHaveAttribute('aria-current', 'page');
    await expect(page.getByRole('heading', { name: 'No avatar yet' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Import footage' })).toBeVisible();
  }

  // Reload keeps the project page.
  await page.reload();
  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible();

  await page.locator('body').press('Escape');
  await expect(card(page, name)).toBeVisible();
});

test('the theme choice persists across a reload', async ({ page, studio }) => {
  await openStudio(page, studio.url);
  const html = page.locator('html');

  await page.getByRole('button', { name: 'Settings' }).click();
  const settings = page.getByRole('dialog', { name: 'Settings' });
  await settings.getByRole('radio', { name: 'Dark' }).check();
  await expect(html).toHaveAttribute('data-theme', 'dark');
  await settings.getByRole('radio', { name: 'Light' }).check();
  await expect(html).toHaveAttribute('data-theme', 'light');
  await page.keyboard.press('Escape');
  await expect(settings).toBeHidden();

  // Stored in the library (settings.update), not only in this page: a fresh page shows it too.
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await expect(html).toHaveAttribute('data-theme', 'light');
  await expect(page.getByRole('button', { name: /^Theme: Light/ })).toBeVisible();

  // The top-bar toggle cycles light → dark, and that sticks too.
  await page.getByRole('button', { name: /^Theme: Light/ }).click();
  await expect(html).toHaveAttribute('data-theme', 'dark');
  await page.reload();
  await expect(html).toHaveAttribute('data-theme', 'dark');

  // Leave the shared setting as a fresh library has it.
  await page.getByRole('button', { name: /^Theme: Dark/ }).click();
  await expect(page.getByRole('button', { name: /^Theme: System/ })).toBeVisible();
});

test('? opens the keyboard shortcuts help; Esc closes it', async ({ page, studio }) => {
  await openStudio(page, studio.url);
  await page.locator('body').press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(help).toBeVisible();
  await expect(help.getByText('New project', { exact: true })).toBeVisible();
  await expect(help.getByText('Move the selected project to the Trash')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(help).toBeHidden();
});

test('settings show the library path, schema version and access', async ({ page, studio }) => {
  await openStudio(page, studio.url);
  await page.keyboard.press('Control+,');
  const settings = page.getByRole('dialog', { name: 'Settings' });
  await expect(settings).toBeVisible();
  await expect(settings.getByText('Schema version')).toBeVisible();
  await expect(settings.getByText('Read and write')).toBeVisible();
  await expect(settings.getByRole('button', { name: 'Open library' })).toHaveAttribute('aria-disabled', 'true');
});

test('emptying the Trash asks first, runs as a job, and leaves the Trash empty', async ({ page, studio }) => {
  await openStudio(page, studio.url);
  const name = unique('Ivy');
  await createProject(page, name);
  await grid(page).getByRole('button', { name: `Move ${name} to the Trash` }).click();

  await page.locator('body').press('Shift+T');
  await expect(page).toHaveURL(/#\/trash$/);
  await page.getByRole('button', { name: 'Empty Trash…' }).click();
  const confirm = page.getByRole('dialog', { name: 'Empty the Trash?' });
  await expect(confirm).toContainText('cannot be undone');
  // Cancel is the safe default.
  await expect(confirm.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await confirm.getByRole('button', { name: 'Delete for good' }).click();
  await expect(confirm).toBeHidden();

  await expect(page.getByRole('heading', { name: 'The Trash is empty' })).toBeVisible();
  const panel = page.getByRole('complementary', { name: 'Jobs' });
  await expect(panel.getByRole('listitem').filter({ hasText: 'Empty' }).first()).toContainText('Done');
  await expect(page.getByRole('button', { name: 'Empty Trash…' })).toHaveAttribute('aria-disabled', 'true');
});
