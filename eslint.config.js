// Lint: typescript-eslint (type-aware) and the import boundaries of docs/architecture.md.
// Each folder of electron/ is a room run by one runtime; the `forbidden` table below says what a
// room must not import, so a wrong import fails `npm run lint` (and `npm test`).
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// The TypeScript projects that own the linted files; a file belongs to the first that includes it.
const project = ['./tsconfig.node.json', './electron/preload/tsconfig.json', './tsconfig.test.json', './renderer/tsconfig.json'];

const ROOMS = ['common', 'engine', 'imaging', 'worker', 'services', 'app', 'cli', 'main', 'preload'];

/** Imports of the other rooms named, as `../<room>/...` (rooms are one folder deep). */
const rooms = (names, message) => ({ regex: `^\\.\\./(${names.join('|')})/`, message });
const pkg = (name, message) => ({ regex: `^${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(/.*)?$`, message });

const ELECTRON = pkg('electron', 'only electron/main and electron/preload run inside Electron; the rest runs under plain Node too');
const ORT = pkg('onnxruntime-node', 'onnxruntime-node loads only in the supervised worker (electron/worker): a native abort must not take its host down');
// The worker protocol is the one part of the engine the worker side shares, and only its types.
const ENGINE_PROTOCOL_TYPES = {
  regex: '^\\.\\./engine/worker-protocol\\.js$',
  allowTypeImports: true,
  message: 'the worker side shares only the types of engine/worker-protocol.ts (use `import type`)',
};
const ENGINE_BUT_PROTOCOL = { regex: '^\\.\\./engine/(?!worker-protocol\\.js$)', message: 'the worker side runs no main-process engine code (supervisor, batch, manifest): it receives jobs' };

/**
 * What each room must not import. Everything not listed is allowed: node:*, sharp, its own files.
 * docs/architecture.md draws the same table.
 */
const forbidden = {
  common: [{ regex: '^(?!\\./)', message: 'electron/common is pure TypeScript shared by every runtime: it imports only other common files' }],
  engine: [
    rooms(['imaging', 'worker', 'services', 'app', 'cli', 'main', 'preload'], 'electron/engine (CLI and main process) reaches the worker only through the supervisor and worker-protocol.ts'),
    ELECTRON,
    ORT,
  ],
  imaging: [
    rooms(['worker', 'services', 'app', 'cli', 'main', 'preload'], 'electron/imaging is the per-file pipeline: it knows images, not the worker, services or apps around it'),
    ENGINE_BUT_PROTOCOL,
    ENGINE_PROTOCOL_TYPES,
    ELECTRON,
    ORT,
  ],
  worker: [
    rooms(['services', 'app', 'cli', 'main', 'preload'], 'electron/worker is the inference process: it imports common, imaging and the worker protocol'),
    ENGINE_BUT_PROTOCOL,
    ENGINE_PROTOCOL_TYPES,
    ELECTRON,
  ],
  services: [rooms(['engine', 'imaging', 'worker', 'app', 'cli', 'main', 'preload'], 'electron/services reach the engine through engine-port.ts, which electron/app wires up'), ELECTRON, ORT],
  app: [rooms(['imaging', 'worker', 'cli', 'main', 'preload'], 'electron/app wires the engine and services for main and the e2e host; the worker is a separate process'), ELECTRON, ORT],
  cli: [rooms(['imaging', 'worker', 'app', 'main', 'preload'], 'electron/cli drives the engine (electron/engine/index.ts), not its worker'), ELECTRON, ORT],
  main: [rooms(['imaging', 'worker', 'cli', 'preload'], 'electron/main wires the engine and services into Electron; the worker is a separate process'), ORT],
  preload: [{ regex: '^(?!\\./|\\.\\./common/|electron$)', message: 'electron/preload is bundled alone into the sandbox: it imports only electron and electron/common' }],
};

const restrict = (patterns) => ({ '@typescript-eslint/no-restricted-imports': ['error', { patterns }] });

export default defineConfig(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'training/**', 'bench/**', 'models/**', 'build/**'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  svelte.configs.recommended,
  {
    files: ['**/*.ts', '**/*.svelte'],
    languageOptions: {
      parserOptions: { project, tsconfigRootDir: import.meta.dirname, extraFileExtensions: ['.svelte'] },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // TypeScript itself reports undefined names, with the DOM and Node globals each project declares.
      'no-undef': 'off',
      // `_name` marks a parameter a signature needs but the body does not use.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
    rules: {
      // Plain Map/Set here are deliberate: non-reactive bookkeeping, or copies assigned to $state.raw.
      'svelte/prefer-svelte-reactivity': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: globals.node },
  },
  ...ROOMS.map((room) => ({ files: [`electron/${room}/**/*.ts`], rules: restrict(forbidden[room]) })),
  {
    // One concern per file: a source file that outgrows this is split, not scrolled.
    files: ['electron/**/*.ts', 'renderer/**/*.ts', 'renderer/**/*.svelte'],
    rules: { 'max-lines': ['error', { max: 400, skipBlankLines: false, skipComments: false }] },
  },
  {
    // The renderer is a web page: types from electron/common, values only through the preload's bridge.
    files: ['renderer/src/**/*.ts', 'renderer/src/**/*.svelte'],
    ignores: ['renderer/src/**/*.spec.ts'],
    rules: restrict([
      { regex: '(^|/)electron/(?!common/)', message: 'the renderer may import only from electron/common' },
      { regex: '(^|/)electron/common/', allowTypeImports: true, message: 'the renderer imports only types from electron/common (`import type`); values come through window.pastiche' },
      { regex: '^(node:|electron$|sharp$|onnxruntime-node$)', message: 'the renderer runs in Chromium: no Node modules' },
    ]),
  },
);
