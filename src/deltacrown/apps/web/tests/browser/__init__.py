"""Web app, browser tests: the pages in Debian's chromium through Playwright."""
