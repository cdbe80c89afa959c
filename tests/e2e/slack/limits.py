"""Slack's limits on what a bot sends, checked with slack_sdk's own models plus the limits
Slack documents that those models do not check.

`problems_of_message(args)` and `problems_of_view(view)` return what Slack would refuse (or
show wrongly) in a chat.postMessage / chat.update / response_url body, or in a modal or
App Home view; an empty list means it fits.

Documented limits (api.slack.com, Block Kit reference): 50 blocks in a message and 100 in
a view; a text object's text at most 3,000 characters, a section field 2,000, a header
150; a button's text 75 and value 2,000; action and block ids 255; at most 10 context
elements, 10 section fields and 25 elements in an actions block; a modal's title, submit
and close 24, its private_metadata 3,000; an input label 2,000; a message's `text` is cut
at 40,000. In mrkdwn, `&`, `<` and `>` are control characters: a `<` opens a link, a
mention, a channel or a date, so any other `<` (a placeholder such as `<name>`) is a
mistake, and so is an `&` that does not start `&amp;`, `&lt;` or `&gt;`.
"""

from __future__ import annotations

import re
from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_TEXT = 3000
MAX_FIELD = 2000
MAX_MESSAGE_TEXT = 40_000
# What may follow `<` in mrkdwn: a mention, a channel, a special (date, here...), a link.
CONTROL = re.compile(r"<(?:@[UW][A-Z0-9]+|#[CG][A-Z0-9-]+|![a-z]|https?://|mailto:)")
ENTITY = re.compile(r"&(?:amp|lt|gt);")


def _walk(node: Any, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every dict in a structure, with where it is."""
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(node, dict):
        found.append((path, node))
        for key, value in node.items():
            found += _walk(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            found += _walk(item, f"{path}[{i}]")
    return found


def mrkdwn_problems(text: str, where: str) -> list[str]:
    problems = []
    for match in re.finditer("<", text):
        if not CONTROL.match(text, match.start()):
            problems.append(f"{where}: a literal '<' in mrkdwn: {text[match.start() :][:40]!r}")
    for match in re.finditer("&", text):
        if not ENTITY.match(text, match.start()):
            problems.append(f"{where}: an unescaped '&' in mrkdwn: {text[match.start() :][:20]!r}")
    return problems


def _limits(where: str, node: dict[str, Any]) -> list[str]:
    problems: list[str] = []

    def over(key: str, limit: int) -> None:
        value = node.get(key)
        if isinstance(value, str) and len(value) > limit:
            problems.append(f"{where}.{key}: {len(value)} characters, limit {limit}")

    kind = node.get("type")
    if kind in ("mrkdwn", "plain_text"):
        over("text", MAX_FIELD if ".fields[" in where else MAX_TEXT)
        if kind == "mrkdwn":
            problems += mrkdwn_problems(str(node.get("text", "")), where)
    if kind == "header":
        text = (node.get("text") or {}).get("text", "")
        if len(text) > 150:
            problems.append(f"{where}: header of {len(text)} characters, limit 150")
    if kind == "button":
        over("value", 2000)
        text = (node.get("text") or {}).get("text", "")
        if len(text) > 75:
            problems.append(f"{where}: button text of {len(text)} characters, limit 75")
    over("action_id", 255)
    over("block_id", 255)
    if kind == "context" and len(node.get("elements") or []) > 10:
        problems.append(f"{where}: more than 10 context elements")
    if kind == "actions" and len(node.get("elements") or []) > 25:
        problems.append(f"{where}: more than 25 elements in an actions block")
    if kind == "section" and len(node.get("fields") or []) > 10:
        problems.append(f"{where}: more than 10 fields")
    if kind == "plain_text_input":
        initial = node.get("initial_value")
        if initial is not None and len(initial) > int(node.get("max_length") or 3000):
            problems.append(f"{where}: initial_value longer than max_length")
    return problems


def _blocks(blocks: list[dict[str, Any]], most: int, where: str) -> list[str]:
    problems = []
    if not 1 <= len(blocks) <= most:
        problems.append(f"{where}: {len(blocks)} blocks, limit {most}")
    for i, raw in enumerate(blocks):
        block = Block.parse(raw)
        if block is None:
            problems.append(f"{where}[{i}]: slack_sdk knows no block {raw.get('type')!r}")
            continue
        try:
            block.validate_json()
        except Exception as exc:  # slack_sdk raises SlackObjectFormationError
            problems.append(f"{where}[{i}]: slack_sdk: {exc}")
    for path, node in _walk(blocks, where):
        problems += _limits(path, node)
    return problems


def problems_of_message(args: dict[str, Any]) -> list[str]:
    """A chat.postMessage / chat.update / chat.postEphemeral / response_url body."""
    problems = []
    text = args.get("text")
    if isinstance(text, str) and len(text) > MAX_MESSAGE_TEXT:
        problems.append(f"text: {len(text)} characters, cut at {MAX_MESSAGE_TEXT}")
    blocks = args.get("blocks")
    if blocks:
        problems += _blocks(list(blocks), MAX_MESSAGE_BLOCKS, "blocks")
    elif isinstance(text, str):  # a text-only message is mrkdwn too
        problems += mrkdwn_problems(text, "text")
    return problems


def problems_of_view(view: dict[str, Any]) -> list[str]:
    """A modal (views.open / views.update) or the App Home (views.publish)."""
    problems = _blocks(list(view.get("blocks") or []), MAX_VIEW_BLOCKS, "view.blocks")
    try:
        View(**view).validate_json()
    except Exception as exc:
        problems.append(f"view: slack_sdk: {exc}")
    for key in ("title", "submit", "close"):
        text = (view.get(key) or {}).get("text", "")
        if len(text) > 24:
            problems.append(f"view.{key}: {len(text)} characters, limit 24")
    if len(view.get("private_metadata") or "") > 3000:
        problems.append("view.private_metadata: over 3000 characters")
    return problems
