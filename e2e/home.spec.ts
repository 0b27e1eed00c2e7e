import { expect, test } from "@playwright/test";

test("the start page creates a session and lists it among the recent ones", async ({ page }) => {
  await page.goto("/");
  await page.getByTestId("title-input").fill("town towers");
  await page.getByTestId("create-session").click();
  await page.waitForURL(/\/s\/[A-Za-z0-9_-]+\?token=/);
  await expect(page.getByTestId("connection")).toContainText("synced");
  await expect(page.getByTestId("session-title")).toContainText("town towers");
  const editorUrl = page.url();

  await page.goto("/");
  const recent = page.getByTestId("recent-list").locator("li");
  await expect(recent).toHaveCount(1);
  await expect(recent.first()).toContainText("town towers");
  await expect(recent.first()).toContainText("can edit");
  await recent.first().locator("a").click();
  await expect(page).toHaveURL(editorUrl);
  await expect(page.getByTestId("editor")).toHaveAttribute("data-role", "edit");

  // A link without a token, or with a wrong one, is refused with a message.
  await page.goto(editorUrl.replace(/\?token=.*/, ""));
  await expect(page.getByTestId("no-token")).toContainText("no token");
  await page.goto(editorUrl.replace(/token=.*/, "token=wrong"));
  await expect(page.getByTestId("session-refused")).toContainText("token");
});
