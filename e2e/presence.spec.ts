import { expect, test } from "@playwright/test";
import { createSession, openSession, snap } from "./helpers";

test("presence: each editor sees the others' cursors and tools, follows a presenter, and sees grid changes live", async ({
  browser,
  request,
}) => {
  const session = await createSession(request, "presence");
  const presenter = await (await browser.newContext()).newPage();
  const follower = await (await browser.newContext()).newPage();
  await openSession(presenter, session.editUrl);
  await openSession(follower, session.editUrl);
  await expect(follower.getByTestId("peer")).toHaveCount(1);

  // The presenter's pointer over image 4 shows on the follower's image 4, with the current tool.
  await presenter.keyboard.press("p");
  const box = (await presenter.getByTestId("paint-4").boundingBox())!;
  await presenter.mouse.move(box.x + box.width / 2, box.y + box.height / 3);
  const name = (await follower.getByTestId("peer").getAttribute("data-peer-name"))!;
  await expect(follower.getByTestId("paint-4").getByTestId("remote-cursor")).toHaveAttribute("title", name);
  await expect(follower.getByTestId("peer")).toContainText("paste");
  await snap(follower, "presence-cursor");

  // Following mirrors the presenter's enlarged image and view mode.
  await follower.getByTestId("peer").click();
  await expect(follower.getByTestId("peer")).toContainText("following");
  await presenter.getByRole("button", { name: "Enlarge sample 4" }).click();
  await expect(follower.getByTestId("enlarged")).toBeVisible();
  await expect(follower.getByTestId("enlarged")).toHaveAttribute("aria-label", "Sample 4");
  await presenter.keyboard.press("Escape");
  await expect(follower.getByTestId("enlarged")).toHaveCount(0);
  await presenter.getByTestId("compare-split").click();
  await expect(follower.getByTestId("compare-split")).toHaveAttribute("aria-pressed", "true");

  // Leaving follow mode stops mirroring.
  await follower.getByTestId("peer").click();
  await expect(follower.getByTestId("peer")).not.toContainText("following");
  await presenter.getByTestId("compare-before").click();
  await expect(follower.getByTestId("compare-split")).toHaveAttribute("aria-pressed", "true");

  // The grid is shared: paging on one screen pages the other.
  await presenter.getByTestId("page-next").click();
  await expect(follower.getByTestId("tile-12")).toBeVisible();
  await expect(follower.getByTestId("seed-input")).toHaveValue("12-23");
});
