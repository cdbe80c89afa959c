"""Platform-neutral renderings of domain views (Markdown text, PNG charts)."""
