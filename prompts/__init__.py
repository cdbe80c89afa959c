"""The bot's texts as data: the prompt catalog, the ritual plan, the messages (nl, en)."""
