// ESLint (flat config) with typescript-eslint; formatting is Prettier's (`npm run format`).
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import prettier from "eslint-config-prettier";
import comments from "@eslint-community/eslint-plugin-eslint-comments/configs";

export default tseslint.config(
    {
        ignores: [
            "bin/**",
            ".stryker-tmp/**",
            "reports/**",
            "node_modules/**",
            "sdk/**",
            ".tmp/**",
            ".cache/**",
            "examples/**/node_modules/**",
        ],
    },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    prettier,
    comments.recommended,
    {
        linterOptions: { reportUnusedDisableDirectives: "error" },
        rules: {
            "no-duplicate-imports": "error",
            // A disable comment says why on its own line: `// eslint-disable-next-line rule -- reason`.
            "@eslint-community/eslint-comments/require-description": ["error", { ignore: [] }],
            "@typescript-eslint/no-explicit-any": "off",
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
            "@typescript-eslint/no-require-imports": "off",
        },
    },
);
