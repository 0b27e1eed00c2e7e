import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import { createSession, executeRule, openSession, snap } from "./helpers";

test("the rule list: rename, switch off, undo and redo, history restore, save and load as JSON", async ({ page, request }) => {
  const session = await createSession(request, "rules");
  await openSession(page, session.editUrl);
  await executeRule(page);
  const rule = page.getByTestId("rule-item");

  await page.getByTestId("rule-name").fill("spire");
  await page.getByTestId("rule-name").press("Enter");
  await page.getByTestId("rule-enabled").uncheck();
  await expect(page.getByTestId("rule-enabled")).not.toBeChecked();

  // Undo switches the rule back on, then undoes the rename; redo re-applies.
  await page.getByTestId("undo").click();
  await expect(page.getByTestId("rule-enabled")).toBeChecked();
  await page.getByTestId("undo").click();
  await expect(page.getByTestId("rule-name")).toHaveValue("Rule 1");
  await page.getByTestId("redo").click();
  await expect(page.getByTestId("rule-name")).toHaveValue("spire");

  // A snapshot in the history restores the rule after it is deleted.
  await page.getByTestId("history-snapshot").click();
  await expect(page.getByTestId("history-entry")).toHaveCount(1);
  await page.getByTestId("rule-delete").click();
  await expect(rule).toHaveCount(0);
  await page.getByTestId("history-restore").click();
  await expect(rule).toHaveCount(1);
  await expect(page.getByTestId("rule-name")).toHaveValue("spire");
  await expect(page.getByTestId("rule-status")).toHaveText(/done/i);
  await snap(page, "rules-history");

  // Save as JSON, delete, load it back: the rule is solved again.
  const download = page.waitForEvent("download");
  await page.getByTestId("save-rules").click();
  const saved = await (await download).path();
  const json = JSON.parse(await readFile(saved, "utf8")) as { kind: string; rules: { name: string }[] };
  expect(json.kind).toBe("rewrite-rule-set");
  expect(json.rules.map((r) => r.name)).toEqual(["spire"]);
  await page.getByTestId("rule-delete").click();
  await expect(rule).toHaveCount(0);
  await page.getByTestId("load-rules-file").setInputFiles(saved);
  await expect(rule).toHaveCount(1);
  await expect(page.getByTestId("rule-name")).toHaveValue("spire");
  await expect(page.getByTestId("rule-status")).toHaveText(/done/i, { timeout: 120_000 });

  // A file that is not a rule set is refused with a message and changes nothing.
  await page.getByTestId("load-rules-file").setInputFiles({ name: "bad.json", mimeType: "application/json", buffer: Buffer.from("{}") });
  await expect(page.getByTestId("message")).toContainText("not a rule set");
  await expect(rule).toHaveCount(1);
});
