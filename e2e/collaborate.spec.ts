import { expect, test } from "@playwright/test";
import { createSession, expectGridOf, openSession, paintRule, rulesHashOf, serverImage, snap } from "./helpers";

test("two editors share one session: one paints and executes, the other sees the rule, its progress and the changed images", async ({
  browser,
  request,
  baseURL,
}) => {
  const session = await createSession(request, "collaborate");
  const alice = await (await browser.newContext()).newPage();
  const bob = await (await browser.newContext()).newPage();
  await openSession(alice, session.editUrl);
  await openSession(bob, session.editUrl);

  // Each sees the other in the presence bar.
  await expect(alice.getByTestId("peer")).toHaveCount(1);
  await expect(bob.getByTestId("peer")).toHaveCount(1);

  await expect(bob.getByTestId("tile-3")).toHaveAttribute("data-server-src", /rules=[0-9a-f]{64}/);
  const before = rulesHashOf(await serverImage(bob, 3));
  expect(before).toMatch(/^[0-9a-f]{64}$/);

  await paintRule(alice);
  // Alice's pointer shows on Bob's grid, in her colour, while she paints.
  await snap(alice, "collaborate-painted");

  // Bob watches the rule list while Alice executes.
  const seenStatuses = bob.evaluate(
    () =>
      new Promise<string[]>((resolve) => {
        const seen = new Set<string>();
        const observer = new MutationObserver(() => {
          document.querySelectorAll('[data-testid="rule-item"]').forEach((el) => seen.add(el.getAttribute("data-status") ?? ""));
          if (seen.has("done") || seen.has("failed")) {
            observer.disconnect();
            resolve([...seen]);
          }
        });
        observer.observe(document.body, { subtree: true, attributes: true, childList: true });
      }),
  );
  await alice.getByTestId("execute").click();

  await expect(bob.getByTestId("rule-item")).toHaveCount(1);
  await expect(bob.getByTestId("rule-status")).toHaveText(/done/i, { timeout: 120_000 });
  const statuses = await seenStatuses;
  expect(statuses.some((s) => s === "queued" || s === "running")).toBe(true);

  // The grid re-renders with the new rule set, on both screens.
  await expect.poll(async () => rulesHashOf(await serverImage(bob, 3)), { timeout: 60_000 }).not.toBe(before);
  const after = rulesHashOf(await serverImage(bob, 3));
  await expectGridOf(bob, after);
  await expectGridOf(alice, after);

  // The paste image really changed: the server's PNGs for both rule sets differ.
  const token = new URL(session.editUrl, baseURL).searchParams.get("token")!;
  const png = async (hash: string) =>
    (await request.get(`/api/sessions/${session.id}/image/3.png?rules=${hash}&token=${token}`)).body();
  expect(Buffer.compare(await png(before), await png(after))).not.toBe(0);

  await snap(bob, "collaborate-bob-after");
  await bob.getByTestId("compare-split").click();
  await snap(bob, "collaborate-bob-split");
});
