import { defineConfig } from '@playwright/test';

// Two projects: the renderer in Debian Chromium against the e2e test host (always runs),
// and the real Electron app (skips itself where the Electron binary is not installed).
const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

export default defineConfig({
  testDir: 'test',
  outputDir: 'test-results/artifacts',
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  globalSetup: './test/e2e/global-setup.ts',
  use: {
    viewport: { width: 1440, height: 900 },
    // Dark-first app: run as a user with a dark system theme (one test toggles to light).
    colorScheme: 'dark',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'e2e',
      testMatch: 'e2e/**/*.spec.ts',
      use: {
        browserName: 'chromium',
        launchOptions: { executablePath: process.env['PASTICHE_CHROMIUM'] ?? '/usr/bin/chromium', args: chromiumArgs },
      },
    },
    {
      name: 'electron-app',
      testMatch: 'electron-app/**/*.spec.ts',
    },
  ],
});
