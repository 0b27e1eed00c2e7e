import { expect, test } from "@playwright/test";
import { createSession, openSession, paint, snap } from "./helpers";

test("context matching outlines where the context fires and ranks many seeds by it", async ({ page, request }) => {
  const session = await createSession(request, "match");
  await openSession(page, session.editUrl);

  await page.keyboard.press("x");
  await paint(page, 2, [[8, 10], [40, 12]]);
  await paint(page, 7, [[10, 8], [50, 10]]);
  await expect(page.getByTestId("context-tray").locator("li")).toHaveCount(2);

  await expect(page.getByTestId("show-matches")).toBeEnabled({ timeout: 120_000 });
  await page.keyboard.press("m");
  await expect(page.getByTestId("show-matches")).toBeChecked();
  const tiles = page.locator('[data-testid^="heat-"][data-ready="true"]');
  await expect(tiles).toHaveCount(12);
  await snap(page, "match-heatmap");

  await page.getByRole("spinbutton", { name: "Seeds to search" }).fill("40");
  await page.getByTestId("search").click();
  const results = page.getByTestId("search-results").locator("li");
  await expect(results).toHaveCount(12, { timeout: 120_000 });
  const best = Number(await results.first().getAttribute("data-seed"));
  const scores = await results.locator("span").allTextContents();
  const numbers = scores.map(Number);
  expect([...numbers].sort((a, b) => b - a)).toEqual(numbers);

  await page.getByTestId("show-results").click();
  await expect(page.getByTestId(`tile-${best}`)).toBeVisible();
  await expect(page.locator('[data-testid^="tile-"]').first()).toHaveAttribute("data-seed", String(best));
  await snap(page, "match-search");
});
