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

const ROOMS = ['common', 'catalog', 'engine', 'learning', 'bench', 'imaging', 'worker', 'services', 'app', 'cli', 'main', 'preload'];

/** Imports of the other rooms named, as `../<room>/...` (rooms are one folder deep). */
const rooms = (names, message) => ({ regex: `^\\.\\./(${names.join('|')})/`, message });
const pkg = (name, message) => ({ regex: `^${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(/.*)?$`, message });

const ELECTRON = pkg('electron', 'only electron/main and electron/preload run inside Electron; the rest runs under plain Node too');
const ORT = pkg('onnxruntime-node', 'onnxruntime-node loads only in the supervised worker (electron/worker): a native abort must not take its host down');
// The rooms of the two processes: main-side (CLI, Electron main) and worker-side; both share common.
const MAIN_SIDE = ['catalog', 'engine', 'learning', 'bench', 'services', 'app', 'cli', 'main', 'preload'];
const WORKER_SIDE = ['imaging', 'worker'];

/**
 * What each room must not import. Everything not listed is allowed: node:*, sharp, its own files.
 * docs/architecture.md draws the same table.
 */
const forbidden = {
  common: [{ regex: '^(?!\\./)', message: 'electron/common is pure TypeScript shared by every runtime: it imports only other common files' }],
  catalog: [rooms([...WORKER_SIDE, ...MAIN_SIDE.filter((r) => r !== 'catalog')], 'electron/catalog (the style catalog) sits below the engine: it imports only common'), ELECTRON, ORT],
  engine: [
    rooms(
      [...WORKER_SIDE, 'learning', 'bench', 'services', 'app', 'cli', 'main', 'preload'],
      'electron/engine (CLI and main process) imports catalog and common; it reaches the worker only through the supervisor and common/worker-protocol.ts',
    ),
    ELECTRON,
    ORT,
  ],
  learning: [rooms([...WORKER_SIDE, 'bench', 'services', 'app', 'cli', 'main', 'preload'], 'electron/learning learns styles through the engine: it imports common, catalog and engine'), ELECTRON, ORT],
  bench: [rooms([...WORKER_SIDE, 'learning', 'services', 'app', 'cli', 'main', 'preload'], 'electron/bench is a client of the engine facade: it imports common, catalog and engine'), ELECTRON, ORT],
  imaging: [rooms([...MAIN_SIDE, 'worker'], 'electron/imaging is the per-file pipeline of the worker side: it imports only common'), ELECTRON, ORT],
  worker: [rooms(MAIN_SIDE, 'electron/worker is the inference process: it imports common and imaging, never main-side code'), ELECTRON],
  services: [
    rooms([...WORKER_SIDE, 'catalog', 'engine', 'learning', 'bench', 'app', 'cli', 'main', 'preload'], 'electron/services reach the engine through engine-port.ts, which electron/app wires up'),
    ELECTRON,
    ORT,
  ],
  app: [rooms([...WORKER_SIDE, 'bench', 'cli', 'main', 'preload'], 'electron/app wires the engine and services for main and the e2e host; the worker is a separate process'), ELECTRON, ORT],
  cli: [rooms([...WORKER_SIDE, 'app', 'main', 'preload'], 'electron/cli drives the engine (electron/engine/index.ts), not its worker'), ELECTRON, ORT],
  main: [rooms([...WORKER_SIDE, 'bench', 'cli', 'preload'], 'electron/main wires the engine and services into Electron; the worker is a separate process'), ORT],
  preload: [{ regex: '^(?!\\./|\\.\\./common/|electron$)', message: 'electron/preload is bundled alone into the sandbox: it imports only electron and electron/common' }],
};

/** electron/common modules whose values the renderer may import: pure limits, defaults and geometry. */
const RENDERER_VALUES = ['params', 'geometry', 'style-meta'];

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
    // The renderer is a web page: limits, defaults and sizes from the pure modules of electron/common
    // (declared once, the controls render from them), only types from the rest; the app's data
    // comes through the preload's bridge.
    files: ['renderer/src/**/*.ts', 'renderer/src/**/*.svelte'],
    ignores: ['renderer/src/**/*.spec.ts'],
    rules: restrict([
      { regex: '(^|/)electron/(?!common/)', message: 'the renderer may import only from electron/common' },
      {
        regex: `(^|/)electron/common/(?!(${RENDERER_VALUES.join('|')})(\\.js)?$)`,
        allowTypeImports: true,
        message: `the renderer imports values only from electron/common's pure modules (${RENDERER_VALUES.join(', ')}), only types from the rest (\`import type\`); the app's data comes through window.pastiche`,
      },
      { regex: '^(node:|electron$|sharp$|onnxruntime-node$)', message: 'the renderer runs in Chromium: no Node modules' },
    ]),
  },
);
