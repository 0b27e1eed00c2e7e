import { expect, test } from "@playwright/test";
import { createSession, openSession, paintRule, snap } from "./helpers";

const SIZES = [
  { name: "laptop", width: 1280, height: 720 },
  { name: "projector", width: 1920, height: 1080 },
] as const;

for (const size of SIZES) {
  test(`the editor fits a ${size.name} screen (${size.width}×${size.height}) with square, unjumping tiles`, async ({ page, request }) => {
    await page.setViewportSize({ width: size.width, height: size.height });
    const session = await createSession(request, `layout ${size.name}`);
    await openSession(page, session.editUrl);
    await paintRule(page);

    // No horizontal scrolling; every tile is square and the grid fills its row.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    const boxes = await page.locator('[data-testid^="paint-"]').evaluateAll((els) =>
      els.map((el) => el.getBoundingClientRect()).map((r) => ({ w: r.width, h: r.height })),
    );
    expect(boxes).toHaveLength(12);
    for (const box of boxes) {
      expect(box.w).toBeGreaterThan(80);
      expect(Math.abs(box.w - box.h)).toBeLessThan(1);
    }
    // The tools, the grid and the rule list are all on screen.
    await expect(page.getByTestId("execute")).toBeInViewport();
    await expect(page.getByTestId("tile-0")).toBeInViewport();
    await expect(page.getByRole("heading", { name: "Rules" })).toBeInViewport();
    await snap(page, `layout-${size.name}`);
  });
}
