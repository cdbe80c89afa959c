"""Pioneer: keeps an organisation's pioneering rituals going, in Slack and Microsoft Teams."""

__version__ = "0.1.0"
