"""`python -m bot.cli`: what the `pioneer` console script runs."""

from bot.cli import main

main()
