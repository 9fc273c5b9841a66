import { defineConfig } from '@playwright/test';

// Debian's Chromium, never a downloaded browser: Playwright 1.64 is the release whose
// browsers.json names Chromium 156, the major Debian ships here (see docs/build.md).
export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results/output',
  timeout: 180_000,
  expect: { timeout: 20_000 },
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    viewport: { width: 1280, height: 800 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      // The flags that keep Chromium from calling out of this machine (its network is closed).
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});
