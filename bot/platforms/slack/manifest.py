"""The Slack app manifest, for a given public base URL.

The text lives here so that an installed package (a container image) can print it;
`manifest.yml` at the top of the repository is the same text, and a test keeps them equal.
"""

from __future__ import annotations

from urllib.parse import urlsplit

PLACEHOLDER = "https://pioneer.example.org"

MANIFEST = """\
# Pioneer's Slack app manifest. Create the app at https://api.slack.com/apps → "Create New App"
# → "From an app manifest", and paste this (or `pioneer manifest --url https://your.host`).
# Scopes are the least the app needs:
#   commands      the /pioneer slash command
#   chat:write    post prompts in DMs, notices in journey channels it is invited to
#   im:write      open a DM with a member (conversations.open)
#   im:history    find a prompt already sent after a lost connection (never reads people's DMs
#                 with others: only the bot's own DM channels are reachable)
#   users:read    a member's time zone and language (users.info)
#   files:write   send a CSV export to the person who asked for it
#   channels:read, groups:read   hear that Pioneer was added to a channel, to say hello
display_information:
  name: Pioneer
  description: Keeps your pioneering rituals going with pulse polls, check-ins and a weekly digest.
  background_color: "#1d4e89"
  long_description: >-
    Pioneer runs the rituals of an organisation's pioneering journey in Slack: short pulse polls
    and check-ins in a direct message, phase moves by facilitators with /pioneer, and a weekly
    digest for directors that shows only aggregates of groups large enough to stay anonymous.
    Type /pioneer help to see all commands, in English or Dutch.
features:
  app_home:
    home_tab_enabled: true
    messages_tab_enabled: true
    messages_tab_read_only_enabled: true
  bot_user:
    display_name: Pioneer
    always_online: false
  slash_commands:
    - command: /pioneer
      url: https://pioneer.example.org/slack/events
      description: Pioneering rituals (type /pioneer help)
      usage_hint: help | start <name> | status | join | phase next | poll now
      should_escape: true
oauth_config:
  redirect_urls:
    - https://pioneer.example.org/slack/oauth_redirect
  scopes:
    bot:
      - commands
      - chat:write
      - im:write
      - im:history
      - users:read
      - files:write
      - channels:read
      - groups:read
settings:
  event_subscriptions:
    request_url: https://pioneer.example.org/slack/events
    bot_events:
      - app_home_opened
      - member_joined_channel
      - app_uninstalled
      - tokens_revoked
  interactivity:
    is_enabled: true
    request_url: https://pioneer.example.org/slack/events
  org_deploy_enabled: false
  socket_mode_enabled: false
  token_rotation_enabled: false
"""


def render_manifest(base_url: str | None = None) -> str:
    if base_url is None:
        return MANIFEST
    parts = urlsplit(base_url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise ValueError(
            f"--url must be a base URL like https://pioneer.example.org, not {base_url!r}"
        )
    return MANIFEST.replace(PLACEHOLDER, base_url.rstrip("/"))


# What Socket Mode leaves out: Slack sends everything over the app's own WebSocket, so there
# is no URL to call, and a single-workspace app installs from its settings page (no redirect).
_HTTP_ONLY = (
    "      url: https://pioneer.example.org/slack/events\n",
    "    request_url: https://pioneer.example.org/slack/events\n",
    "  redirect_urls:\n    - https://pioneer.example.org/slack/oauth_redirect\n",
)


def render_socket_mode_manifest() -> str:
    """The manifest for Socket Mode: the same app, no request URLs, socket_mode_enabled."""
    text = MANIFEST
    for piece in _HTTP_ONLY:
        text = text.replace(piece, "")
    text = text.replace("socket_mode_enabled: false", "socket_mode_enabled: true")
    return text.replace(
        "# Scopes are the least the app needs:",
        "# Socket Mode: no public URL; create an app-level token with connections:write\n"
        "# (Basic Information → App-Level Tokens) and set it as SLACK_APP_TOKEN.\n"
        "# Scopes are the least the app needs:",
    )
