// Browser test of the e-mail template editor, on SQLite and PostgreSQL: a staff member edits
// a paragraph of a portal's "Access approved" e-mail and sees the preview change as they type;
// inserts a variable from the picker where the cursor is; adds a paragraph; sees the HTML only
// behind the "Advanced" switch; saves, and the saved texts come back. Then the Mail page shows
// a message's headers above a frame as tall as the message.
//
// In Debian's Chromium driven by playwright-core; the set-up is in harness.mjs.

import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import {
  ADMIT_BIN,
  apiPost,
  createAdmin,
  createApiKey,
  eventually,
  expectPath,
  expectText,
  launchChromium,
  newPage,
  onBothDatabases,
  staffLogIn,
  startServer,
  stepper,
  tearDown,
} from './harness.mjs';

function scenario(engine, makeDatabase) {
  describe(`the e-mail template editor on ${engine}`, () => {
    let db;
    let server;
    let browser;
    let page;
    const s = {};

    before(async () => {
      assert.ok(existsSync(ADMIT_BIN), `ADMIT_BIN ${ADMIT_BIN} does not exist: run cargo build --bin admit`);
      db = makeDatabase();
      createAdmin(db.url);
      s.key = createApiKey(db.url);
      server = await startServer(db.url, `mail-templates-${engine}-server.log`);
      browser = await launchChromium();
      const context = await browser.newContext({
        baseURL: server.base, locale: 'en-US', viewport: { width: 1400, height: 900 },
      });
      page = await newPage(context);
    }, { timeout: 120_000 });

    after(() => tearDown({ browser, server, db }), { timeout: 60_000 });

    const step = stepper(`mail-templates-${engine}`, { page: () => page, server: () => server });
    const previewBody = () => page.frameLocator('#preview-html').locator('body');

    step('set-up: a portal, and the editor of its "Access approved" e-mail', async () => {
      const portal = await apiPost(server, s.key, '/api/v1/portals', {
        name: 'Customer portal', kind: 'customer', base_url: 'https://portal.example.com',
        registration_mode: 'invitation_only', default_language: 'en',
      });
      s.url = `/console/portals/${portal.id}/templates/approved/en`;
      await staffLogIn(page);
      await page.goto(s.url);
      await expectText(previewBody(), 'your access to Customer portal has been approved', 'the preview');
      // The texts, not HTML: the HTML fields are behind the switch.
      assert.ok(await page.locator('#paragraph-1').isVisible());
      assert.ok(!(await page.locator('#html_body').isVisible()), 'no HTML at first');
      assert.equal(await page.locator('#button_link').inputValue(), 'login_url');
    });

    step('editing a paragraph changes the preview', async () => {
      await page.fill('#paragraph-1', 'Welcome on board of {{ portal_name }} & friends.');
      await expectText(previewBody(), 'Welcome on board of Customer portal & friends.', 'the HTML preview');
      await expectText(page.locator('#preview-text'), 'Welcome on board of Customer portal & friends.', 'the text preview');
      // A mistake is named at its field, and the preview keeps the last good text.
      await page.fill('#paragraph-1', 'Your {{ pasword }}');
      await expectText(page.locator('#paragraph-1-error'), 'unknown variable `pasword`', 'the error');
      await page.fill('#paragraph-1', 'Welcome on board of {{ portal_name }} & friends.');
      await eventually(async () => assert.ok(await page.locator('#paragraph-1-error').isHidden()));
    });

    step('the variable picker inserts a variable where the cursor is', async () => {
      await page.fill('#closing', 'Thanks,  and see you soon');
      // The cursor after "Thanks, ".
      await page.locator('#closing').evaluate((t) => { t.focus(); t.setSelectionRange(8, 8); });
      await page.locator('[data-insert="recipient_name"]').click();
      assert.equal(await page.locator('#closing').inputValue(), 'Thanks, {{ recipient_name }} and see you soon');
      await expectText(previewBody(), 'Thanks, Erika Mustermann and see you soon', 'the preview');
    });

    step('a paragraph is added, and the button relabelled', async () => {
      await page.getByRole('button', { name: 'Add a paragraph' }).click();
      // Named by its place, in the page's words.
      await expectText(page.locator('label[for=paragraph-2]'), 'Paragraph 2', 'the new label');
      await expectText(page.locator('.paragraph').nth(1).locator('[data-remove-paragraph]'), 'Remove paragraph 2', 'its remove button');
      await page.fill('#paragraph-2', 'A second paragraph.');
      await page.fill('#button_label', 'Go to the portal');
      await expectText(previewBody(), 'A second paragraph.', 'the preview');
      await expectText(previewBody().locator('a', { hasText: 'Go to the portal' }), 'Go to the portal', 'the button');
    });

    step('the HTML is behind the "Advanced" switch', async () => {
      await page.getByLabel('Advanced: edit the HTML').check();
      assert.ok(await page.locator('#html_body').isVisible(), 'the HTML field');
      assert.ok(!(await page.locator('#paragraph-1').isVisible()), 'the texts hidden');
      await page.getByLabel('Advanced: edit the HTML').uncheck();
      assert.ok(await page.locator('#paragraph-1').isVisible());
    });

    step('saved, the texts come back', async () => {
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await expectText(page.locator('.flash'), 'Template saved.', '.flash');
      await expectPath(page, s.url);
      assert.equal(await page.locator('#paragraph-1').inputValue(), 'Welcome on board of {{ portal_name }} & friends.');
      assert.equal(await page.locator('#paragraph-2').inputValue(), 'A second paragraph.');
      assert.equal(await page.locator('#closing').inputValue(), 'Thanks, {{ recipient_name }} and see you soon');
      await expectText(page.locator('p.meta').first(), 'edited for this portal', 'the state');
      await expectText(previewBody(), 'Go to the portal', 'the preview of what was saved');
    });

    step('the Mail page shows the headers and the whole message', async () => {
      await page.goto('/console/outbox');
      await page.fill('input[name=to]', 'erika@example.test');
      await page.getByRole('button', { name: 'Send test' }).click();
      await expectText(page.locator('.flash'), 'Test message queued.', '.flash');
      await eventually(async () => {
        await page.goto('/console/mail');
        await page.getByRole('link', { name: 'Test message from Admit' }).first().click({ timeout: 1000 });
      }, 20_000);
      const headers = page.locator('table.mail-headers');
      await expectText(headers, 'From', 'the headers');
      for (const [name, value] of [['To', 'erika@example.test'], ['Subject', 'Test message from Admit']]) {
        await expectText(headers.locator('tr', { has: page.locator(`th:text-is("${name}")`) }), value, name);
      }
      await expectText(headers.locator('tr', { has: page.locator('th:text-is("Date")') }), /\d/, 'Date');
      const frame = page.locator('iframe.mail');
      await eventually(async () => {
        const [height, content] = await frame.evaluate((f) => [f.getBoundingClientRect().height, f.contentDocument.body.getBoundingClientRect().height]);
        assert.ok(Math.abs(height - content) <= 6, `the frame (${height}px) as tall as the message (${content}px)`);
      });
    });
  });
}

onBothDatabases('the e-mail template editor', scenario);
