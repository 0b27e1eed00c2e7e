import { expect, test } from "@playwright/test";
import { createSession, executeRule, expectGridOf, openSession, snap } from "./helpers";

test("reloading the editor keeps the seeds, the rules and the edited images", async ({ page, request }) => {
  const session = await createSession(request, "reload");
  await openSession(page, session.editUrl);
  await page.getByTestId("seed-input").fill("20");
  await page.getByTestId("seed-go").click();
  await expect(page.getByTestId("tile-20")).toBeVisible();
  // The standard rule paints on images 0, 3 and 5: go back to that page.
  await page.getByTestId("seed-input").fill("0");
  await page.getByTestId("seed-go").click();
  const hash = await executeRule(page);
  await page.getByTestId("rule-name").fill("towers");
  await page.getByTestId("rule-name").press("Enter");
  await page.getByTestId("rule-strength").fill("0.5");
  await expect(page.getByTestId("rule-item")).toHaveAttribute("data-status", "done");
  // Strength 0.5 changes the rule set: wait for its images.
  // (The tile may show no server image for a moment in between.)
  const tileHash = async () =>
    /rules=([0-9a-f]{64})/.exec((await page.getByTestId("tile-3").getAttribute("data-server-src")) ?? "")?.[1] ?? "";
  await expect.poll(tileHash, { timeout: 60_000 }).toMatch(new RegExp(`^(?!${hash})[0-9a-f]{64}$`));
  const halfHash = await tileHash();

  await page.reload();
  await expect(page.getByTestId("connection")).toContainText("synced");
  await expect(page.getByTestId("rule-item")).toHaveCount(1);
  await expect(page.getByTestId("rule-name")).toHaveValue("towers");
  await expect(page.getByTestId("rule-status")).toHaveText(/done/i);
  await expect(page.getByTestId("rule-strength")).toHaveValue("0.5");
  await expect(page.getByTestId("seed-input")).toHaveValue("0-11");
  await expectGridOf(page, halfHash);
  await snap(page, "reload-after");
});
