// A staff member's day, from the console's home page, on SQLite and PostgreSQL: every form of
// account actions on the pages of the day sent as it is (no button chosen) changes nothing;
// then from the home's counts she approves Bob, links Cara's registration to her contact,
// sends Dora's invitation again, declines Anna after reading the confirmation, and undoes the
// decline. Each is checked where staff would look: the result message, the lists (the home's
// counts and the access list's rows) and the Mail page.
//
// The accounts' states are set up through the API and, where only time would make them, in the
// database behind the server's back (setup.mjs). In Debian's Chromium driven by playwright-core.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, expectPath, expectText, onBothDatabases, staffLogIn, textOf } from './harness.mjs';
import { PORTAL, accountsInStates, scenarioContext } from './setup.mjs';

function scenario(engine, makeDatabase) {
  describe(`a staff member's day on ${engine}`, () => {
    const cx = scenarioContext(engine, makeDatabase, 'staff-day');
    const { step } = cx;
    let s = {};

    /** What an action could change: every account's statuses and every e-mail queued. */
    async function snapshot() {
      const accounts = (await cx.get('/api/v1/accounts?limit=100')).items
        .map((a) => [a.id, a.contact_id, a.registration, a.approval, a.access_granted, a.lifecycle, a.valid_until]);
      return { accounts, mails: (await cx.get('/api/v1/outbox?limit=500')).length };
    }

    /** The count on the home page beside the line that leads to `href` (a path with query). */
    async function homeCount(what) {
      const page = cx.page;
      await page.goto('/console');
      const link = page.locator('ul.pending a').filter({ hasText: what });
      return Number(await textOf(link.locator('.count')));
    }

    /** From the home page, the line `what`: opens its list, which must show `email`'s row. */
    async function fromHome(what, email) {
      const page = cx.page;
      await page.goto('/console');
      await page.locator('ul.pending a').filter({ hasText: what }).click();
      await expectPath(page, '/console/access');
      const row = page.locator('tbody tr').filter({ hasText: email });
      assert.equal(await row.count(), 1, `${what}: the row of ${email} at ${page.url()}`);
      return row;
    }

    /** The texts of the cells of `email`'s row in the access list, spaces collapsed. */
    async function rowCells(email) {
      const page = cx.page;
      await page.goto(`/console/access?q=${encodeURIComponent(email)}`);
      return (await page.locator('tbody tr').filter({ hasText: email }).locator('td').allTextContents())
        .map((c) => c.replace(/\s+/g, ' ').trim());
    }

    /** How many messages with `subject` to `to` the Mail page lists (it is read again until `n`). */
    async function mailsOnMailPage(subject, to, n) {
      const page = cx.page;
      const rows = page.locator('tbody tr').filter({ hasText: to }).filter({ has: page.getByRole('link', { name: subject, exact: true }) });
      await eventually(async () => {
        await page.goto('/console/mail');
        assert.equal(await rows.count(), n, `messages "${subject}" to ${to} on the Mail page`);
      }, 15_000, 300);
    }

    step('set-up: accounts in the states the home counts, and the staff member logs in', async () => {
      s = await accountsInStates(cx);
      await staffLogIn(cx.page);
      await expectPath(cx.page, '/console');
    });

    step('every action form of the day, sent as it is, changes nothing', async () => {
      const page = cx.page;
      const before = await snapshot();
      const pages = ['/console/access'];
      for (const who of ['anna', 'bob', 'cara', 'dora', 'eva']) pages.push(`/console/accounts/${s[who].id}`);
      let sent = 0;
      for (const path of pages) {
        await page.goto(path);
        const n = await page.locator('form[action$="/status"]').count();
        assert.ok(n >= 2, `${path}: the action forms (${n})`);
        for (let i = 0; i < n; i += 1) {
          await page.goto(path);
          // The browser sends the form without a button: what Enter in an untouched form sends.
          await Promise.all([
            page.waitForNavigation(),
            page.locator('form[action$="/status"]').nth(i).evaluate((f) => f.requestSubmit()),
          ]);
          sent += 1;
        }
      }
      assert.deepEqual(await snapshot(), before, `one of the ${sent} forms changed something`);
      assert.ok(sent >= 15, `forms sent: ${sent}`);
    });

    step('approve Bob from "Accounts awaiting approval"', async () => {
      const page = cx.page;
      assert.equal(await homeCount('Accounts awaiting approval'), 1);
      const row = await fromHome('Accounts awaiting approval', s.bob.email);
      await row.locator('summary').click();
      await row.getByRole('button', { name: 'Approve', exact: true }).click();
      await expectText(page.locator('.flash'), `Approved: ${s.bob.email} on ${PORTAL}.`, '.flash');
      assert.equal((await cx.get(`/api/v1/accounts/${s.bob.id}`)).approval, 'approved');
      assert.ok((await rowCells(s.bob.email)).includes('approved'), 'the access list shows Bob approved');
      assert.equal(await homeCount('Accounts awaiting approval'), 0, 'the home counts no one awaiting approval');
      await mailsOnMailPage(`Your access to ${PORTAL} is approved`, s.bob.email, 1);
    });

    step('link Cara\'s registration to her contact from "Registrations awaiting a contact"', async () => {
      const page = cx.page;
      assert.equal(await homeCount('Registrations awaiting a contact'), 1);
      const row = await fromHome('Registrations awaiting a contact', s.cara.email);
      await row.locator('summary').click();
      await row.getByRole('link', { name: 'Link a contact…' }).click();
      await expectPath(page, `/console/accounts/${s.cara.id}`);
      const candidate = page.locator('#assign tbody tr').filter({ hasText: 'Cara Contact' });
      await expectText(candidate, 'same e-mail address', 'why Cara\'s contact is offered');
      await candidate.getByRole('button', { name: 'Link Cara Contact' }).click();
      await expectPath(page, `/console/accounts/${s.cara.id}`);
      await expectText(page.locator('.flash'), s.cara.email, '.flash');
      assert.equal(await page.locator('#assign').count(), 0, 'nothing left to link');
      assert.equal((await cx.get(`/api/v1/accounts/${s.cara.id}`)).contact_id, s.cara.contactId);
      const cells = await rowCells(s.cara.email);
      assert.ok(cells.includes('Cara Contact'), `the access list names the contact: ${JSON.stringify(cells)}`);
      assert.equal(await homeCount('Registrations awaiting a contact'), 0, 'the home counts no registration awaiting a contact');
    });

    step('send Dora\'s invitation again from "Invitations expiring within 48 hours"', async () => {
      const page = cx.page;
      const subject = `You are invited to ${PORTAL}`;
      await mailsOnMailPage(subject, s.dora.email, 1);
      const row = await fromHome('Invitations expiring within 48 hours', s.dora.email);
      await row.locator('summary').click();
      await row.getByRole('button', { name: 'Send the invitation again' }).click();
      await expectText(page.locator('.flash'), s.dora.email, '.flash');
      await mailsOnMailPage(subject, s.dora.email, 2);
      // The new link is good for days: her invitation no longer expires within 48 hours.
      assert.equal(await homeCount('Invitations expiring within 48 hours'), 0, 'the home counts no invitation expiring');
    });

    step('decline Anna after reading the confirmation, then undo it', async () => {
      const page = cx.page;
      const before = await snapshot();
      await page.goto(`/console/access?q=${encodeURIComponent(s.anna.email)}`);
      const row = page.locator('tbody tr').filter({ hasText: s.anna.email });
      await row.locator('summary').click();
      await row.getByRole('button', { name: 'Decline…' }).click();
      await expectText(page.locator('#consequence'), `${s.anna.email} can no longer log in to ${PORTAL}`, '#consequence');
      assert.deepEqual(await snapshot(), before, 'the confirmation changed something');
      await page.getByRole('button', { name: 'Decline', exact: true }).click();
      await expectPath(page, '/console/access');
      await expectText(page.locator('.flash'), `Declined: ${s.anna.email} on ${PORTAL}.`, '.flash');
      const cells = (await page.locator('tbody tr').filter({ hasText: s.anna.email }).locator('td').allTextContents())
        .map((c) => c.replace(/\s+/g, ' ').trim());
      assert.ok(cells.includes('declined'), `the access list shows Anna declined: ${JSON.stringify(cells)}`);
      assert.equal((await cx.get(`/api/v1/accounts/${s.anna.id}`)).approval, 'declined');

      await page.locator('form.undo').getByRole('button', { name: 'Undo', exact: true }).click();
      await expectPath(page, '/console/access');
      const said = await textOf(page.locator('.flash'));
      assert.match(said, new RegExp(`^Undone: ${s.anna.email.replace(/\./g, '\\.')} on ${PORTAL} is back to “Approved”\\.`), '.flash');
      assert.equal((await cx.get(`/api/v1/accounts/${s.anna.id}`)).approval, 'approved');
      assert.ok((await rowCells(s.anna.email)).includes('approved'), 'the access list shows Anna approved again');
      assert.equal(await page.locator('form.undo').count(), 0, 'the Undo goes with its message');
      // The e-mail of the decline: not sent if it was still waiting, else sent (and said so).
      const cancelled = said.includes(`The e-mail to ${s.anna.email} is not sent.`);
      assert.ok(cancelled || said.includes('had already been sent'), `what became of the e-mail: ${said}`);
      await mailsOnMailPage(`Your request for ${PORTAL}`, s.anna.email, cancelled ? 0 : 1);
    });
  });
}

onBothDatabases("a staff member's day", scenario);
