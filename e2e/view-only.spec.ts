import { expect, test } from "@playwright/test";
import { createSession, openSession, paint, snap } from "./helpers";

test("a view-only link shows the session but cannot edit it", async ({ browser, request }) => {
  const session = await createSession(request, "view only");
  const viewer = await (await browser.newContext()).newPage();
  await openSession(viewer, session.viewUrl);

  await expect(viewer.getByTestId("editor")).toHaveAttribute("data-role", "view");
  await expect(viewer.getByTestId("connection")).toContainText("view only");
  await expect(viewer.getByTestId("tool-copy")).toBeDisabled();
  await expect(viewer.getByTestId("seed-input")).toBeDisabled();
  await expect(viewer.getByTestId("execute")).toBeDisabled();

  // Painting does nothing: no draft appears.
  await viewer.keyboard.press("c");
  await paint(viewer, 1, [[20, 20], [30, 30]]);
  await expect(viewer.getByTestId("draft-copy")).toHaveText("—");

  // The server refuses a snapshot with the view token.
  const token = new URL(session.viewUrl, "http://x").searchParams.get("token")!;
  const refused = await request.post(`/api/sessions/${session.id}/snapshots`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  expect(refused.status()).toBe(403);
  expect((await refused.json()).error.code).toBe("READ_ONLY");
  await snap(viewer, "view-only");
});
