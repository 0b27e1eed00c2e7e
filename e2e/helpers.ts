import { expect, type APIRequestContext, type Page } from "@playwright/test";
import type { CreateSessionResponse } from "@/shared/protocol/api";

/** Creates a session through the HTTP API (as the home page does). */
export async function createSession(request: APIRequestContext, title = "e2e"): Promise<CreateSessionResponse> {
  const response = await request.post("/api/sessions", { data: { title } });
  expect(response.status()).toBe(201);
  return (await response.json()) as CreateSessionResponse;
}

/** Opens a session link and waits until the document is synced. */
export async function openSession(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expect(page.getByTestId("connection")).toContainText("synced");
}

/** Drags the mouse over image `seed` through points given in image pixels (0–64). */
export async function paint(page: Page, seed: number, points: readonly [number, number][]): Promise<void> {
  const box = await page.getByTestId(`paint-${seed}`).first().boundingBox();
  if (!box) throw new Error(`image ${seed} is not on screen`);
  const at = ([x, y]: readonly [number, number]) => [box.x + (x / 64) * box.width, box.y + (y / 64) * box.height] as const;
  await page.mouse.move(...at(points[0]!));
  await page.mouse.down();
  for (const point of points.slice(1)) await page.mouse.move(...at(point), { steps: 4 });
  await page.mouse.up();
}

/**
 * Paints a rule on the grid — copy on image 0, paste on image 3, context on
 * images 3 and 5 — with the keyboard shortcuts, as a user would.
 */
export async function paintRule(page: Page): Promise<void> {
  await page.keyboard.press("c");
  await paint(page, 0, [[18, 18], [30, 22], [24, 30]]);
  await page.keyboard.press("p");
  await paint(page, 3, [[40, 30], [44, 34]]);
  await page.keyboard.press("x");
  await paint(page, 3, [[34, 26], [48, 36]]);
  await paint(page, 5, [[10, 30], [22, 30]]);
  await expect(page.getByTestId("draft-copy")).toHaveText("#0");
  await expect(page.getByTestId("draft-paste")).toHaveText("#3");
  await expect(page.getByTestId("context-tray").locator("li")).toHaveCount(2);
}

/** The URL of the server image a tile currently shows ("" while none). */
export async function serverImage(page: Page, seed: number): Promise<string> {
  return (await page.getByTestId(`tile-${seed}`).getAttribute("data-server-src")) ?? "";
}

/** Waits until every tile shows a server image for the rule set `hash`. */
export async function expectGridOf(page: Page, hash: string): Promise<void> {
  const tiles = page.locator('[data-testid^="tile-"]');
  const count = await tiles.count();
  for (let i = 0; i < count; i++) {
    await expect(tiles.nth(i)).toHaveAttribute("data-server-src", new RegExp(`rules=${hash}`));
  }
}

/** The rule-set hash in a server image URL. */
export function rulesHashOf(src: string): string {
  return /rules=([0-9a-f]{64})/.exec(src)?.[1] ?? "";
}

/** Saves a screenshot under e2e/screenshots/<name>.png (kept across runs, not committed). */
export async function snap(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `e2e/screenshots/${name}.png` });
}

/** Paints the standard rule, executes it and waits until it is solved and drawn. */
export async function executeRule(page: Page): Promise<string> {
  await expect(page.getByTestId("tile-3")).toHaveAttribute("data-server-src", /rules=[0-9a-f]{64}/);
  const before = rulesHashOf(await serverImage(page, 3));
  await paintRule(page);
  await page.getByTestId("execute").click();
  await expect(page.getByTestId("rule-status").last()).toHaveText(/done/i, { timeout: 120_000 });
  await expect.poll(async () => rulesHashOf(await serverImage(page, 3)), { timeout: 60_000 }).not.toBe(before);
  return rulesHashOf(await serverImage(page, 3));
}

/** The edit token of a session link. */
export function tokenOf(url: string): string {
  return new URL(url, "http://app.invalid").searchParams.get("token") ?? "";
}
