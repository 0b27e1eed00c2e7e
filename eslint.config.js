import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      ".next/",
      "next-env.d.ts",
      "models/.work/",
      "test-results/",
      "playwright-report/",
      "public/ort/",
      "**/*.py",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      "no-console": "error",
    },
  },
  {
    // shared/ is pure: it runs on the server, in the CLI and in the browser.
    files: ["shared/**/*.ts"],
    ignores: ["shared/**/*.test.ts", "shared/**/testing/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["@/server/*", "@/app/*", "@/components/*", "../../server/*"], message: "shared/ may not import app or server code" },
            { group: ["onnxruntime-*", "node:*", "socket.io*", "better-sqlite3", "react", "react-dom"], message: "shared/ stays free of runtimes, Node APIs and UI" },
          ],
        },
      ],
    },
  },
);
