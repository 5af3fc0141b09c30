// ESLint flat config for the whole repository: typescript-eslint's recommended rules plus a line-length
// limit that matches Prettier's printWidth (.prettierrc.json). Prettier owns the rest of the layout.
import js from "@eslint/js";
import { defineConfig, globalIgnores } from "eslint/config";
import stylistic from "@stylistic/eslint-plugin";
import globals from "globals";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

export default defineConfig(
  globalIgnores([
    "**/node_modules/**",
    "**/dist/**",
    "**/.wrangler/**",
    "**/coverage/**",
    ".tools/**",
    "**/.turbo/**",
    // the published package's build output (git-ignored): the bundled Workers and emitted types
    "packages/artifacts-emulator/{worker,dashboard,types,.pack}/**",
  ]),
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
      // `a && f()` and `c ? f() : g()` as statements are a house idiom; a bare unused value is still an error.
      "@typescript-eslint/no-unused-expressions": ["error", { allowShortCircuit: true, allowTernary: true }],
      // `_`-prefixed names are deliberately unused (a rest-destructure that drops fields, a required parameter).
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_", caughtErrors: "none" },
      ],
      "@stylistic/max-len": ["error", { code: 160, ignoreUrls: true, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true }],
    },
  },
  // Tests and benchmarks poke at untyped shapes (RPC results, wrangler internals) on purpose.
  { files: ["**/test/**", "**/bench/**"], rules: { "@typescript-eslint/no-explicit-any": "off" } },
);
