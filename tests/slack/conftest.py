"""Where tests/digest still looks for `slack_settings`; the Slack rig now lives in tests/e2e/slack.

A re-export and no fixtures. Delete this folder once tests/digest imports
`tests.e2e.slack.conftest` (it moves with the rest of the digest's tests).
"""

from tests.e2e.slack.conftest import slack_settings

__all__ = ["slack_settings"]
