// Browser tests of the staff's safe actions and the console's home, on SQLite and PostgreSQL:
//
// 1. every form of account actions (the account page, the contact page, the access list's row
//    menu) sent as it is, without a button chosen, changes nothing: no status, no e-mail;
// 2. declining from the access list's row menu first shows a page that says what will happen
//    and which e-mail goes to whom; "Keep it as it is" changes nothing; confirming declines,
//    says so, and the e-mail is in the list's row and on the Mail page;
// 3. the grant form on a contact's page offers only the chosen portal's modules, and a refused
//    pick (an admin-only module for a user) comes back with its ticks;
// 4. the home counts what needs staff now (accounts awaiting approval, registrations awaiting
//    a contact, invitations expiring within 48 hours, access ending within 7 days, failed
//    e-mails), each count a link to the list that shows exactly those.
//
// The states are set up through the API and, where only time would make them, in the database
// behind the server's back (setup.mjs). In Debian's Chromium driven by playwright-core; the
// helpers are in harness.mjs.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  eventually,
  expectPath,
  expectText,
  onBothDatabases,
  staffLogIn,
  textOf,
} from './harness.mjs';
import { PORTAL, accountsInStates, scenarioContext } from './setup.mjs';

const ANNA = 'anna@sonnenschein.example';
const DECLINE_MESSAGE = 'We only give access to customers with a contract.';

function scenario(engine, makeDatabase) {
  describe(`safe actions and the home on ${engine}`, () => {
    const cx = scenarioContext(engine, makeDatabase, 'safe-actions');
    const { step, get } = cx;
    let page;
    const s = {};

    /** What an action could change: the account's statuses and every e-mail queued. */
    async function snapshot(id) {
      const a = await get(`/api/v1/accounts/${id}`);
      const outbox = await get('/api/v1/outbox?limit=500');
      return {
        statuses: [a.registration, a.approval, a.access_granted, a.lifecycle, a.valid_until],
        mails: outbox.length,
      };
    }

    step('set-up: a portal, an organization, and accounts in the states the home counts', async () => {
      page = cx.page;
      const made = await accountsInStates(cx, { emails: { anna: ANNA } });
      s.portalId = made.portalId;
      s.anna = made.anna.id;
      s.annaContact = made.anna.contactId;
      await cx.post('/api/v1/portals', {
        name: 'Installer portal', kind: 'installer', base_url: 'https://installers.example.com',
        registration_mode: 'invitation_only', default_language: 'en',
        modules: [{ name: 'Schedule' }, { name: 'Invoices' }],
      });
      await staffLogIn(page);
      await expectPath(page, '/console');
    });

    step('every action form sent as it is changes nothing (account page, contact page, access list)', async () => {
      const before = await snapshot(s.anna);
      const pages = [`/console/accounts/${s.anna}`, `/console/contacts/${s.annaContact}`, `/console/access?q=anna`];
      let sent = 0;
      for (const path of pages) {
        await page.goto(path);
        const forms = page.locator(`form[action="/console/accounts/${s.anna}/status"]`);
        const n = await forms.count();
        assert.ok(n >= 2, `${path}: the action forms (${n})`);
        for (let i = 0; i < n; i += 1) {
          await page.goto(path);
          // The browser sends the form without a button: what an untouched form sends.
          await Promise.all([
            page.waitForNavigation(),
            forms.nth(i).evaluate((f) => f.requestSubmit()),
          ]);
          assert.deepEqual(await snapshot(s.anna), before, `${path}: form ${i + 1} of ${n} changed something`);
          sent += 1;
        }
      }
      assert.ok(sent >= 7, `forms sent: ${sent}`);
      // The valid-until form's own button with its date untouched: nothing to change.
      await page.goto(`/console/accounts/${s.anna}`);
      await page.locator('form.valid-until-form').getByRole('button', { name: 'Set valid until' }).click();
      await expectText(page.locator('main'), 'Nothing would change.', 'the refusal');
      assert.deepEqual(await snapshot(s.anna), before, 'the valid-until form changed something');
    });

    step('decline from the row menu asks first; "Keep it as it is" changes nothing', async () => {
      const before = await snapshot(s.anna);
      await page.goto('/console/access?q=anna');
      const row = page.locator('tbody tr').filter({ hasText: ANNA });
      await row.locator('summary').click();
      await row.getByRole('button', { name: 'Decline…' }).click();
      await expectText(page.locator('h1'), `Decline ${ANNA} on ${PORTAL}?`, 'h1');
      await expectText(page.locator('#consequence'), `${ANNA} can no longer log in to ${PORTAL}`, '#consequence');
      await expectText(page.locator('#mail-plan'), `“Request declined” (in English) to ${ANNA}`, '#mail-plan');
      assert.deepEqual(await snapshot(s.anna), before, 'the confirmation page changed something');
      await page.getByRole('link', { name: 'Keep it as it is' }).click();
      await expectPath(page, '/console/access');
      assert.deepEqual(await snapshot(s.anna), before, '"Keep it as it is" changed something');
    });

    step('confirmed, the decline is done, said, and shown in the list', async () => {
      const row = page.locator('tbody tr').filter({ hasText: ANNA });
      await row.locator('summary').click();
      await row.getByRole('button', { name: 'Decline…' }).click();
      await page.getByLabel(/A few words of your own/).fill(DECLINE_MESSAGE);
      await page.getByRole('button', { name: 'Decline', exact: true }).click();
      await expectPath(page, '/console/access');
      assert.equal(new URL(page.url()).searchParams.get('q'), 'anna', 'back to the same list');
      await expectText(page.locator('.flash'), `Declined: ${ANNA} on ${PORTAL}. The e-mail to ${ANNA} is queued.`, '.flash');
      const cells = (await page.locator('tbody tr').filter({ hasText: ANNA }).locator('td').allTextContents())
        .map((c) => c.replace(/\s+/g, ' ').trim());
      assert.ok(cells.includes('declined'), `the row's approval: ${JSON.stringify(cells)}`);
      const a = await get(`/api/v1/accounts/${s.anna}`);
      assert.equal(a.approval, 'declined');
    });

    step('the Mail page has the e-mail, with the message', async () => {
      await page.goto('/console/mail');
      const subject = `Your request for ${PORTAL}`;
      const rows = page.locator('tbody tr').filter({ hasText: ANNA }).filter({ hasText: subject });
      await eventually(async () => {
        await page.reload();
        assert.equal(await rows.count(), 1, `one message "${subject}" to ${ANNA}`);
      }, 15_000, 300);
      await rows.first().getByRole('link', { name: subject }).click();
      await expectPath(page, /^\/console\/mail\/[^/]+$/);
      await expectText(page.locator('pre.mail-text'), DECLINE_MESSAGE, 'the text body');
    });

    step('the grant form offers the chosen portal\'s modules only, and a refused pick keeps the ticks', async () => {
      await page.goto(`/console/contacts/${s.annaContact}`);
      const form = page.locator('form#grant');
      const offered = () => form.locator('input[name=modules]:visible').evaluateAll((xs) => xs.map((x) => x.value));
      assert.deepEqual(await offered(), ['Invoices', 'Pricing'], 'the first portal\'s modules');
      await form.getByLabel('Portal', { exact: true }).selectOption({ label: 'Installer portal' });
      await eventually(async () => assert.deepEqual(await offered(), ['Schedule', 'Invoices'], 'the installer portal\'s modules'));
      await form.getByLabel('Portal', { exact: true }).selectOption({ label: PORTAL });
      await form.getByLabel('Role', { exact: true }).selectOption('user');
      const shown = form.locator('fieldset.portal-modules:not([hidden])');
      await shown.getByLabel('Pricing').check();
      await shown.getByLabel('Invoices').check();
      const accounts = (await get('/api/v1/accounts?limit=100')).items.length;
      await form.getByRole('button', { name: 'Grant access and send the invitation' }).click();
      await expectText(page.locator('#modules-error'), '“Pricing” is for admins only', '#modules-error');
      const again = page.locator('form#grant');
      assert.equal(await again.getByLabel('Portal', { exact: true }).inputValue(), String(s.portalId), 'the portal is kept');
      assert.equal(await again.getByLabel('Role', { exact: true }).inputValue(), 'user', 'the role is kept');
      const kept = again.locator('fieldset.portal-modules:not([hidden])');
      assert.ok(await kept.getByLabel('Pricing').isChecked(), 'Pricing stays ticked');
      assert.ok(await kept.getByLabel('Invoices').isChecked(), 'Invoices stays ticked');
      assert.equal((await get('/api/v1/accounts?limit=100')).items.length, accounts, 'nothing granted');
    });

    step('the home counts what needs staff now, each count a link to exactly those', async () => {
      await page.goto('/console');
      await expectText(page.locator('h1'), 'What needs you now', 'h1');
      const lines = [
        ['Accounts awaiting approval', ['bob@']],
        ['Registrations awaiting a contact', ['cara@']],
        ['Invitations expiring within 48 hours', ['dora@']],
        ['Access ending within 7 days', ['eva@']],
        ['E-mails that failed to send', ['eva@']],
      ];
      for (const [what, who] of lines) {
        await page.goto('/console');
        const link = page.locator('ul.pending a').filter({ hasText: what });
        const count = Number(await textOf(link.locator('.count')));
        assert.equal(count, who.length, `${what}: ${count}`);
        await link.click();
        await expectPath(page, /^\/console\/(access|outbox)$/);
        const rows = page.locator('tbody tr:not(:has(td.empty))');
        assert.equal(await rows.count(), count, `${what}: the list at ${page.url()} shows as many as counted`);
        for (const w of who) await rows.filter({ hasText: w }).first().waitFor();
      }
    });
  });
}

onBothDatabases('safe actions', scenario);
