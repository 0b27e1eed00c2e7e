import { expect, test, type Page } from "@playwright/test";
import { createSession, executeRule, openSession, snap } from "./helpers";

/** RGBA bytes of the canvas a tile currently shows its image on. */
async function shownPixels(page: Page, seed: number, layer: "preview" | "before"): Promise<number[]> {
  return page.evaluate(
    ([s, which]) => {
      const tile = document.querySelector(`[data-testid="tile-${s}"]`)!;
      const canvases = [...tile.querySelectorAll("canvas")];
      const canvas = (which === "preview" ? canvases[0] : canvases[1]) as HTMLCanvasElement;
      return [...canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data];
    },
    [seed, layer] as const,
  );
}

test("a snapshot link shows the edited model read-only, and forks into a new session", async ({ browser, request }) => {
  const session = await createSession(request, "snapshot");
  const editor = await (await browser.newContext()).newPage();
  await openSession(editor, session.editUrl);
  await executeRule(editor);

  await editor.getByTestId("share").click();
  await editor.getByTestId("take-snapshot").click();
  const link = await editor.getByTestId("share-snapshot").inputValue();
  expect(link).toMatch(/\/m\/[A-Za-z0-9_-]+$/);
  await snap(editor, "snapshot-share-panel");

  const visitor = await (await browser.newContext()).newPage();
  const fetched: string[] = [];
  visitor.on("requestfinished", (r) => fetched.push(new URL(r.url()).pathname));
  await visitor.goto(link);
  await expect(visitor.getByTestId("shared-rule")).toHaveCount(1);
  await expect(visitor.getByTestId("shared-model")).toHaveAttribute("data-preview-state", /^ready:/, { timeout: 120_000 });
  // The browser re-solved the rule on the layer's feature graph, not the whole generator.
  expect(fetched).toContain("/api/models/town64/features_conv16.onnx");
  await expect(visitor.getByTestId("tile-3")).toHaveAttribute("data-preview", "true");

  // The edited image differs from the original one.
  await visitor.getByTestId("compare-before").click();
  await expect(visitor.locator('[data-testid="tile-3"] canvas').nth(1)).toHaveAttribute("data-ready", "true");
  const original = await shownPixels(visitor, 3, "before");
  await visitor.getByTestId("compare-after").click();
  const edited = await shownPixels(visitor, 3, "preview");
  expect(edited.length).toBe(original.length);
  expect(edited.some((v, i) => v !== original[i])).toBe(true);
  await snap(visitor, "snapshot-shared-model");

  // No editing controls; forking opens an editable copy holding the rule.
  await expect(visitor.getByTestId("execute")).toHaveCount(0);
  await visitor.getByTestId("fork").click();
  await visitor.waitForURL(/\/s\//);
  await expect(visitor.getByTestId("connection")).toContainText("synced");
  await expect(visitor.getByTestId("editor")).toHaveAttribute("data-role", "edit");
  await expect(visitor.getByTestId("rule-item")).toHaveCount(1);
  await expect(visitor.getByTestId("rule-status")).toHaveText(/done/i);
});
