// ESLint flat config for the whole repository: typescript-eslint's recommended rules plus a line-length
// limit that matches Prettier's printWidth (.prettierrc.json). Prettier owns the rest of the layout.
import js from "@eslint/js";
import { defineConfig, globalIgnores } from "eslint/config";
import stylistic from "@stylistic/eslint-plugin";
import globals from "globals";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

export default defineConfig(
  globalIgnores(["**/node_modules/**", "**/dist/**", "**/.wrangler/**", "**/coverage/**", ".tools/**", "**/.turbo/**"]),
  js.configs.recommended,
  tseslint.configs.recommended,
  // Plain JavaScript here is Node scripts and configs (TypeScript files get their globals from tsc).
  { files: ["**/*.{js,mjs,cjs}"], languageOptions: { globals: globals.node } },
  // The dashboard is Preact with hooks: the two classic hook rules (its code names exhaustive-deps).
  {
    files: ["apps/dashboard/src/**/*.{ts,tsx}"],
    plugins: { "react-hooks": reactHooks },
    rules: { "react-hooks/rules-of-hooks": "error", "react-hooks/exhaustive-deps": "warn" },
  },
  {
    plugins: { "@stylistic": stylistic },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // Long strings, URLs and template literals may run past the limit: breaking them hurts grep.
      "@stylistic/max-len": ["error", { code: 160, ignoreUrls: true, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true }],
    },
  },
);
