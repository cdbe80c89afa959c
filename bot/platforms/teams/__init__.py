"""Microsoft Teams via the Microsoft 365 Agents SDK: commands, Adaptive Cards, proactive sends."""
