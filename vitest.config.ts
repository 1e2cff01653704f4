import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';

// Two projects: Node-side code (engine, imaging, worker, services, CLI, main wiring) and Svelte components in jsdom.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          environment: 'node',
          include: ['test/electron/**/*.test.ts', 'test/scripts/**/*.test.ts', 'test/build/**/*.test.ts', 'test/lint/**/*.test.ts', 'test/repository/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // expect.poll's own 1 s: a loaded machine that stalls between two timers of what is polled
          // (a fake engine's files) outlasts it. A poll still ends as soon as it passes.
          expect: { poll: { timeout: 10_000 } },
          pool: 'forks',
          // Tests that load onnxruntime themselves: its telemetry off, as the worker turns it off.
          env: { ORT_DISABLE_TELEMETRY: '1' },
        },
      },
      {
        plugins: [svelte(), svelteTesting()],
        test: {
          name: 'renderer',
          environment: 'jsdom',
          include: ['renderer/src/**/*.spec.ts', 'test/renderer/**/*.test.ts'],
          // jsdom shims (ResizeObserver) for every component spec.
          setupFiles: ['test/renderer/setup.ts'],
        },
      },
    ],
  },
});
