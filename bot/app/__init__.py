"""Use cases: what Slack, Teams, the console and the scheduler ask the bot to do."""
