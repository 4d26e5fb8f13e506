#!/usr/bin/python3
"""Validates manifests/slack-app.yaml (or slack-app-socket-mode.yaml) against Slack's official app manifest schema (draft-07).

Usage: slack_app_manifest_check.py [--socket-mode] MANIFEST SCHEMA
Without --socket-mode, the HTTP variant: request URLs must point at https://checkpoint.example.com/slack/events.
With --socket-mode (manifests/slack-app-socket-mode.yaml): settings.socket_mode_enabled must be true and no
request URL (url, request_url, message_menu_options_url) may appear anywhere.
Exit 0: valid. Exit 1: invalid, with every violation printed. Exit 77: the schema file is absent
(it lives beside the repository in ../shared/slack/manifest-schema/), reported as skipped.
"""
import json
import os
import sys

import jsonschema
import yaml


REQUEST_URL_KEYS = ("url", "request_url", "message_menu_options_url")


def _request_urls(node, path=""):
    """Yields the path of every url, request_url or message_menu_options_url key, at any depth."""
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}.{key}" if path else str(key)
            if key in REQUEST_URL_KEYS:
                yield here
            yield from _request_urls(value, here)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _request_urls(item, f"{path}[{i}]")


def main() -> int:
    args = sys.argv[1:]
    socket_mode = "--socket-mode" in args
    if socket_mode:
        args.remove("--socket-mode")
    manifest_path, schema_path = args[0], args[1]
    if not os.path.exists(schema_path):
        print(f"SKIP: Slack's manifest schema is not at {schema_path}")
        return 77
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    with open(manifest_path, encoding="utf-8") as f:
        manifest = yaml.safe_load(f)

    validator = jsonschema.Draft7Validator(schema)
    errors = sorted(validator.iter_errors(manifest), key=lambda e: list(e.absolute_path))
    for e in errors:
        where = "/".join(str(p) for p in e.absolute_path) or "(top level)"
        print(f"{manifest_path}: {where}: {e.message}")

    # What Checkpoint itself relies on, beyond the schema.
    problems = []
    commands = [c.get("command") for c in manifest.get("features", {}).get("slash_commands", [])]
    if "/checkpoint" not in commands:
        problems.append("features.slash_commands must define /checkpoint")
    if "app_home_opened" not in manifest.get("settings", {}).get("event_subscriptions", {}).get("bot_events", []):
        problems.append("settings.event_subscriptions.bot_events must include app_home_opened")
    if not manifest.get("features", {}).get("app_home", {}).get("home_tab_enabled"):
        problems.append("features.app_home.home_tab_enabled must be true")
    if socket_mode:
        if manifest.get("settings", {}).get("socket_mode_enabled") is not True:
            problems.append("settings.socket_mode_enabled must be true")
        if manifest.get("settings", {}).get("interactivity", {}).get("is_enabled") is not True:
            problems.append("settings.interactivity.is_enabled must be true (buttons and modals arrive over the socket)")
        for where in _request_urls(manifest):
            problems.append(f"{where}: a Socket Mode manifest must have no request URL")
    else:
        for url in (manifest["settings"]["interactivity"].get("request_url"),
                    manifest["settings"]["event_subscriptions"].get("request_url")):
            if url != "https://checkpoint.example.com/slack/events":
                problems.append(f"request URLs must point at https://checkpoint.example.com/slack/events, got {url}")
    for p in problems:
        print(f"{manifest_path}: {p}")

    if errors or problems:
        return 1
    print(f"{manifest_path}: valid against {os.path.basename(schema_path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
