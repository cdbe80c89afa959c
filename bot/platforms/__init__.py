"""Platform adapters: each renders neutral views and parses its payloads into commands."""
