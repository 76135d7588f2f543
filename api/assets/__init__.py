"""The browser files the explorer (/graphql) and the docs (/docs) load, all served by this service:
npm-pinned here (package.json + lock), packaged into vendor/ at build time by setup.py."""
